"""Image hold-out: per-label precision / recall of acted-on labels and verdict classes, image stage.

Usage: .venv/bin/python -m training.eval_images [--no-models] [--json FILE] [--errors N] [--keep DIR]

Builds data/holdout/images/cases.yaml into a temporary directory (``data/holdout/images/build.py``),
makes one post per case (its bland caption plus the image as an attachment with bytes), screens them
with the embedded pipeline (``ScreeningPipeline.default``; models on unless ``--no-models``) and
prints, per set and overall:

- per label: precision / recall / F1 over cases. A label is predicted for a case when the decision's
  findings (which list only acted-on findings) carry an IDENTIFIER finding with that label on the
  case's attachment; it is expected when the case lists it. A case's ``neutral`` labels count neither
  way (e.g. an accession number read as an account number);
- verdict accuracy over the two classes: held (anything but ALLOW) and clean (ALLOW);
- clean images held, patient images (expected held) ALLOWed, and decisions with an incomplete stage;
- images per second (screening only, building excluded).

``--errors N`` prints the N worst cases: case id, expected vs got class and labels, never image text.
Reading them turns those cases into development data; never use it on a hold-out you still need.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from postguard.domain.types import Attachment, Category, Decision, Post, Verdict

from training.common import REPO_ROOT

BUILDER = REPO_ROOT / "data" / "holdout" / "images" / "build.py"
INSTITUTION = "demo-hospital"
BATCH = 8


def load_builder() -> ModuleType:
    """data/holdout/images/build.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("holdout_images_build", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Outcome:
    """One case's expectation and what the pipeline decided."""

    case_id: str
    set_name: str
    expected: frozenset[str]
    neutral: frozenset[str]
    held_expected: bool
    verdict: Verdict
    predicted: frozenset[str]
    incomplete: bool

    @property
    def held(self) -> bool:
        return self.verdict is not Verdict.ALLOW

    @property
    def scored(self) -> frozenset[str]:
        """Predicted labels that count (neutral ones removed)."""
        return self.predicted - self.neutral

    @property
    def badness(self) -> tuple[int, int]:
        """Sort key for --errors: a wrong class first, then the number of label errors."""
        return (int(self.held != self.held_expected), len(self.expected ^ self.scored))


@dataclass
class Tally:
    """Case-level label counts."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)


@dataclass
class Summary:
    """The numbers of one set (or all cases)."""

    name: str
    cases: int = 0
    labels: dict[str, Tally] = field(default_factory=dict)
    micro: Tally = field(default_factory=Tally)
    verdict_correct: int = 0
    clean: int = 0
    clean_held: int = 0
    positive: int = 0
    positive_allowed: int = 0
    incomplete: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    """Verdict counts of the cases expected held (how strongly they were held)."""

    def to_dict(self) -> dict[str, Any]:
        def counts(t: Tally) -> dict[str, Any]:
            return {
                "tp": t.tp,
                "fp": t.fp,
                "fn": t.fn,
                "precision": t.precision,
                "recall": t.recall,
                "f1": t.f1,
            }

        return {
            "cases": self.cases,
            "labels": {k: counts(v) for k, v in sorted(self.labels.items())},
            "micro": counts(self.micro),
            "verdict_accuracy": self.verdict_correct / self.cases if self.cases else None,
            "clean": self.clean,
            "clean_held": self.clean_held,
            "positive": self.positive,
            "positive_allowed": self.positive_allowed,
            "incomplete": self.incomplete,
            "held_case_verdicts": dict(self.verdicts),
        }


def summarise(name: str, outcomes: Sequence[Outcome]) -> Summary:
    """Per-label and verdict-class numbers over ``outcomes``."""
    s = Summary(name, cases=len(outcomes))
    for o in outcomes:
        for label in o.expected | o.scored:
            t = s.labels.setdefault(label, Tally())
            hit_exp, hit_pred = label in o.expected, label in o.scored
            t.tp += hit_exp and hit_pred
            t.fp += hit_pred and not hit_exp
            t.fn += hit_exp and not hit_pred
        s.verdict_correct += o.held == o.held_expected
        s.clean += not o.held_expected
        s.clean_held += (not o.held_expected) and o.held
        s.positive += o.held_expected
        s.positive_allowed += o.held_expected and not o.held
        s.incomplete += o.incomplete
        if o.held_expected:
            s.verdicts[o.verdict.value] = s.verdicts.get(o.verdict.value, 0) + 1
    for t in s.labels.values():
        s.micro.tp, s.micro.fp, s.micro.fn = s.micro.tp + t.tp, s.micro.fp + t.fp, s.micro.fn + t.fn
    return s


def make_post(case: dict[str, Any], content: bytes, media_type: str) -> Post:
    """One post per case: its caption and the image as the only attachment."""
    attachment = Attachment(attachment_id=f"{case['id']}-img", media_type=media_type, content=content)
    return Post(
        post_id=case["id"],
        institution_id=INSTITUTION,
        platform=case.get("platform", "instagram"),
        text=case["caption"],
        attachments=(attachment,),
    )


def outcome(case: dict[str, Any], decision: Decision) -> Outcome:
    """What the decision says about the case's attachment."""
    aid = f"{case['id']}-img"
    predicted = frozenset(
        str(f.label)
        for f in decision.findings
        if f.category is Category.IDENTIFIER and f.attachment_id == aid
    )
    return Outcome(
        case_id=case["id"],
        set_name=case["set"],
        expected=frozenset(case.get("labels", [])),
        neutral=frozenset(case.get("neutral", [])),
        held_expected=case["expect"] == "held",
        verdict=decision.verdict,
        predicted=predicted,
        incomplete=bool(decision.incomplete_stages),
    )


def run(models: bool, keep: Path | None = None) -> tuple[list[Outcome], float, int]:
    """Build, screen and score every case: (outcomes, screening seconds, caption findings)."""
    from postguard.domain.pipeline import ScreeningPipeline

    builder = load_builder()
    cases = builder.load_cases()
    if problems := builder.validate(cases):
        raise SystemExit(f"cases.yaml: {problems[0]} (and {len(problems) - 1} more)")
    with tempfile.TemporaryDirectory(prefix="postguard-image-holdout-") as tmp:
        built = builder.build_all(keep or Path(tmp), cases)
    print(f"running PostGuard (models: {'on' if models else 'off'}) ...", file=sys.stderr, flush=True)
    pipeline = ScreeningPipeline.default(use_models=models)
    posts = [make_post(b.case, b.content, b.media_type) for b in built]
    decisions: list[Decision] = []
    started = time.perf_counter()
    for i in range(0, len(posts), BATCH):
        decisions += pipeline.screen_batch(posts[i : i + BATCH])
    seconds = time.perf_counter() - started
    caption_findings = sum(
        1 for d in decisions for f in d.findings if f.category is Category.IDENTIFIER and not f.attachment_id
    )
    return [outcome(b.case, d) for b, d in zip(built, decisions, strict=True)], seconds, caption_findings


def _pct(x: float | None) -> str:
    return "    - " if x is None else f"{100 * x:5.1f}%"


def _row(label: str, t: Tally) -> str:
    cells = f"{_pct(t.precision)} {_pct(t.recall)} {_pct(t.f1)} {t.tp + t.fp:>5}"
    return f"{label:<22}{t.tp + t.fn:>8}  {cells}"


def format_summary(s: Summary) -> str:
    """One set's table, in training.eval_compare's style."""
    head = f"{'label':<22}{'support':>8}  {'P':>6} {'R':>6} {'F1':>6} {'pred':>5}"
    lines = [f"== {s.name}: {s.cases} images", head, "-" * len(head)]
    lines += [_row(label, t) for label, t in sorted(s.labels.items())]
    lines.append(_row("(micro average)", s.micro))
    accuracy = s.verdict_correct / s.cases if s.cases else None
    clean_rate = s.clean_held / s.clean if s.clean else None
    lines.append(
        f"verdict accuracy (held/clean) {_pct(accuracy)}; clean images held {_pct(clean_rate)} "
        f"({s.clean_held}/{s.clean}); patient images ALLOWed: {s.positive_allowed}/{s.positive}; "
        f"incomplete decisions: {s.incomplete}"
    )
    if s.positive:
        order = [v.value for v in sorted(Verdict, key=lambda v: v.severity)]
        counts = ", ".join(f"{v} {s.verdicts.get(v, 0)}" for v in order)
        lines.append(f"verdicts of the {s.positive} images expected held: {counts}")
    return "\n".join(lines)


def print_errors(outcomes: Sequence[Outcome], limit: int) -> None:
    """The ``limit`` worst cases: ids and labels only, never the text in the image."""
    worst = sorted((o for o in outcomes if o.badness != (0, 0)), key=lambda o: o.badness, reverse=True)
    for o in worst[:limit]:
        expected = "held" if o.held_expected else "clean"
        print(
            f"{o.case_id:<10} expected {expected:<5} got {o.verdict.value:<18} "
            f"labels expected {sorted(o.expected)} got {sorted(o.scored)}"
            + (f" (neutral {sorted(o.predicted & o.neutral)})" if o.predicted & o.neutral else "")
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-models", action="store_true", help="PostGuard rules only")
    parser.add_argument("--json", type=Path, help="also write every number as JSON here")
    parser.add_argument(
        "--errors", type=int, default=0, metavar="N", help="print the N worst cases (ids, labels)"
    )
    parser.add_argument("--keep", type=Path, help="write the images here instead of a temporary directory")
    args = parser.parse_args(argv)
    outcomes, seconds, caption_findings = run(not args.no_models, args.keep)
    builder = load_builder()
    summaries = [summarise(n, [o for o in outcomes if o.set_name == n]) for n in builder.SETS]
    summaries.append(summarise("all", outcomes))
    for s in summaries:
        print(format_summary(s) + "\n")
    rate = len(outcomes) / seconds if seconds else 0.0
    print(f"{len(outcomes)} images in {seconds:.1f} s: {rate:.2f} images/s")
    print(f"identifier findings on the captions (should be 0): {caption_findings}")
    if args.errors:
        print_errors(outcomes, args.errors)
    if args.json:
        numbers = {s.name: s.to_dict() for s in summaries}
        numbers["images_per_second"] = rate
        numbers["models"] = not args.no_models
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
