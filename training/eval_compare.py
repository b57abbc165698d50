"""``make eval``: identifier precision / recall per label, PostGuard beside Presidio, on every labelled set.

Usage: .venv/bin/python -m training.eval_compare [--sets gold,holdout,public] [--no-presidio]
       [--no-models] [--json FILE] [--errors N --errors-set NAME]

Sets:
- ``gold``: data/gold/posts.jsonl (staff-style posts; see data/gold/README.md for how it was kept).
- ``holdout``: every data/holdout/*.jsonl but the content_* sets of issue 9 (``training.eval_content``
  scores those), written for issue 8 without reading any rule; see its README.
- ``public``: the test splits of the public datasets that the NER was not trained on, split exactly as
  ``training.ner.convert`` splits them: presidio synthetic PII (by template id, unseen templates), the
  Broad Twitter Corpus and WNUT-17 (by de-duplicated tweet). Their entity types are mapped to PostGuard
  labels; spans of types PostGuard does not report (organisations, titles, nationalities) are neutral:
  a prediction overlapping one counts neither way, for both systems.

Presidio runs its predefined recognizers plus PostGuard's own NER (``presidio_reference``), at its
default score threshold, on the same texts; its entity types are mapped to PostGuard labels. Every set
with expected verdicts also gets PostGuard's clean-post holds and the posts with a patient identifier
that were ALLOWed unchanged. ``--errors`` prints missed and false spans of one set WITH their text:
reading them turns that set into development data, so never use it on a hold-out you still need.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postguard.domain.evaluation import Counts, EvalReport, GoldPost, evaluate
from postguard.domain.types import Category, Finding, IdentifierLabel, Post, Verdict

from training.common import DEFAULT_DATA_DIR, REPO_ROOT, fingerprint, split_three

GOLD = REPO_ROOT / "data" / "gold" / "posts.jsonl"
HOLDOUT = REPO_ROOT / "data" / "holdout"
INSTITUTION = "demo-hospital"
PRESIDIO_SYNTH_MAP = {
    "PERSON": "PERSON",
    "STREET_ADDRESS": "LOCATION",
    "GPE": "LOCATION",
    "ZIP_CODE": "LOCATION",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "SSN",
    "DATE_TIME": "DATE",
    "AGE": "AGE",
    "CREDIT_CARD": "ACCOUNT_NUMBER",
    "IBAN_CODE": "ACCOUNT_NUMBER",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_DRIVER_LICENSE": "LICENSE_NUMBER",
    "DOMAIN_NAME": "URL",
}
"""Presidio synthetic-PII entity types -> PostGuard labels (the others are neutral spans)."""


@dataclass
class EvalSet:
    """One labelled set: gold posts, neutral spans per post, and whether verdicts are labelled."""

    name: str
    gold: list[GoldPost]
    neutral: list[list[tuple[int, int]]] = field(default_factory=list)
    verdicts: bool = True
    labels: frozenset[str] | None = None
    """The identifier labels the set annotates (None: all); predictions of other labels are neutral."""
    note: str = ""
    """Printed under the set's title: what its recall means."""

    def __post_init__(self) -> None:
        if not self.neutral:
            self.neutral = [[] for _ in self.gold]


def _post(i: int, source: str, text: str) -> Post:
    return Post(post_id=f"{source}-{i:05d}", institution_id=INSTITUTION, platform="other", text=text)


def _from_spans(
    source: str, examples: Sequence[tuple[str, list[tuple[int, int, str]]]], labels: frozenset[str]
) -> EvalSet:
    """A set from (text, [(start, end, type)]) examples whose types are already PostGuard labels or
    neutral (anything that is not an identifier label); ``labels`` are the ones the set annotates."""
    gold, neutral = [], []
    for i, (text, spans) in enumerate(examples):
        keep = tuple((s, e, t) for s, e, t in spans if t in IdentifierLabel.__members__)
        gold.append(GoldPost(_post(i, source, text), keep, frozenset(), Verdict.ALLOW))
        neutral.append([(s, e) for s, e, t in spans if t not in IdentifierLabel.__members__])
    return EvalSet(source, gold, neutral, verdicts=False, labels=labels)


def presidio_synth_test(data: Path) -> EvalSet:
    """The presidio synthetic sentences of the test templates (``training.ner.convert``'s split)."""
    raw = json.loads((data / "presidio_synth_pii" / "synth_dataset_v2_train.json").read_text("utf-8"))
    by_template: dict[str, list[dict[str, Any]]] = {}
    for item in raw:
        by_template.setdefault(str(item["template_id"]), []).append(item)
    _, _, test = split_three(sorted(by_template), "presidio")
    examples = []
    for tid in test:
        for item in by_template[tid]:
            spans = [
                (s["start_position"], s["end_position"], PRESIDIO_SYNTH_MAP.get(s["entity_type"], "OTHER"))
                for s in item["spans"]
            ]
            examples.append((item["full_text"], spans))
    return _from_spans("presidio-synth-test", examples, frozenset(PRESIDIO_SYNTH_MAP.values()))


def conll_test(data: Path, name: str, files: Sequence[str]) -> EvalSet:
    """The test split of a CoNLL tweet corpus, de-duplicated and split as ``training.ner.convert`` does."""
    from training.ner.convert import read_conll

    examples = [ex for f in files for ex in read_conll(data / f)]
    unique = list({fingerprint(t): (t, s) for t, s in examples}.values())
    _, _, test = split_three(unique, name)
    out = _from_spans(f"{name}-test", test, frozenset({"PERSON", "LOCATION", "FACILITY"}))
    out.note = (
        "every person and place in a tweet is annotated, not patients': PostGuard reports a name or a"
        " town only as a patient's detail, so its recall here is low by design (precision is the check)"
    )
    return out


def load_jsonl_set(name: str, path: Path) -> EvalSet:
    """A labelled JSONL set in the gold format; a bad line stops the run (a set is never half-read)."""
    from postguard.embedded.evaluate import load_gold

    loaded = load_gold(path.read_text(encoding="utf-8-sig").split("\n"))
    if loaded.errors:
        line, message = loaded.errors[0]
        raise SystemExit(f"{path}:{line}: {message}")
    return EvalSet(name, loaded.posts)


def load_sets(names: Sequence[str], data: Path) -> list[EvalSet]:
    """The requested sets that exist here, with a note on stderr for each one that does not."""
    out: list[EvalSet] = []
    if "gold" in names:
        out.append(load_jsonl_set("gold", GOLD))
    if "holdout" in names:
        # content_* sets measure content labels (training.eval_content), not identifiers
        files = sorted(f for f in HOLDOUT.glob("*.jsonl") if not f.stem.startswith("content_"))
        if not files:
            print(f"note: no hold-out sets in {HOLDOUT}", file=sys.stderr)
        out += [load_jsonl_set(f"holdout/{f.stem}", f) for f in files]
    if "public" in names:
        if not (data / "presidio_synth_pii").is_dir():
            print(f"note: public datasets not found in {data}; skipping them", file=sys.stderr)
        else:
            out.append(presidio_synth_test(data))
            out.append(
                conll_test(data, "btc", ["broad_twitter_corpus/btc.train", "broad_twitter_corpus/btc.dev"])
            )
            out.append(
                conll_test(
                    data,
                    "wnut17",
                    [
                        "wnut17_emerging_entities/wnut17train.conll",
                        "wnut17_emerging_entities/emerging.dev.conll",
                    ],
                )
            )
    return out


def acted_on(finding: Finding, policy: Any) -> bool:
    """An identifier finding in the post text that the policy acts on (``embedded.evaluate.acted_on``)."""
    from postguard.embedded.evaluate import acted_on as policy_acts_on

    return finding.category is Category.IDENTIFIER and finding.in_text and policy_acts_on(finding, policy)


def postguard_predictions(sets: Sequence[EvalSet], *, models: bool) -> dict[str, tuple[list, list, list]]:
    """Per set: PostGuard's acted-on identifier findings, its verdicts, and every identifier finding the
    detector reported (whatever its role or confidence: what a reviewer could be shown)."""
    from postguard.embedded.evaluate import predict
    from postguard.embedded.runner import build_pipeline

    pipeline = build_pipeline(use_models=models)
    policy = pipeline.policies.policy_for(INSTITUTION)
    out = {}
    for s in sets:
        findings, verdicts = predict(pipeline, s.gold)
        reported = []
        for i in range(0, len(s.gold), 64):
            batch = [g.post for g in s.gold[i : i + 64]]
            reported += [[f for f in fs if f.in_text] for fs in pipeline.identifiers.detect_batch(batch)]
        out[s.name] = ([[f for f in fs if acted_on(f, policy)] for fs in findings], verdicts, reported)
    return out


def presidio_predictions(sets: Sequence[EvalSet]) -> dict[str, list[list[Finding]]]:
    """Presidio's findings (mapped to PostGuard labels) per set."""
    from postguard.devtools.presidio_reference import PRESIDIO_TO_POSTGUARD, presidio_analyzer
    from presidio_analyzer import BatchAnalyzerEngine

    batch = BatchAnalyzerEngine(presidio_analyzer(ner=True))
    out = {}
    for s in sets:
        texts = [g.post.text for g in s.gold]
        results = batch.analyze_iterator(texts, language="en", batch_size=64)
        out[s.name] = [
            [
                Finding(Category.IDENTIFIER, PRESIDIO_TO_POSTGUARD[r.entity_type], r.start, r.end, r.score,
                        "presidio", "")
                for r in per_text
                if r.entity_type in PRESIDIO_TO_POSTGUARD
            ]
            for per_text in results
        ]  # fmt: skip
    return out


def drop_neutral(findings: list[list[Finding]], s: EvalSet) -> list[list[Finding]]:
    """Predictions overlapping a neutral span, or of a label the set does not annotate, count neither way."""
    return [
        [
            f
            for f in fs
            if (s.labels is None or f.label in s.labels)
            and not any(f.start < e and b < f.end for b, e in spans)
        ]
        for fs, spans in zip(findings, s.neutral, strict=True)
    ]


def allowed_with_identifier(s: EvalSet, verdicts: Sequence[Verdict]) -> int:
    """Posts with a gold patient identifier that PostGuard let out unchanged (ALLOW)."""
    return sum(bool(g.spans) and v is Verdict.ALLOW for g, v in zip(s.gold, verdicts, strict=True))


def _pct(x: float | None) -> str:
    return "    - " if x is None else f"{100 * x:5.1f}%"


def _row(label: str, support: int, pg: Counts, ref: Counts | None) -> str:
    cells = (
        f"{label:<22}{support:>8}  {_pct(pg.precision)} {_pct(pg.recall)} {_pct(pg.f1)} {pg.tp + pg.fp:>5}"
    )
    if ref is not None:
        cells += f"   {_pct(ref.precision)} {_pct(ref.recall)} {_pct(ref.f1)} {ref.tp + ref.fp:>5}"
    return cells


def format_set(s: EvalSet, pg: EvalReport, ref: EvalReport | None, verdicts: Sequence[Verdict]) -> str:
    """One set's side-by-side table."""
    head = f"{'label':<22}{'support':>8}  {'PG P':>6} {'PG R':>6} {'PG F1':>6} {'pred':>5}"
    if ref is not None:
        head += f"   {'Pr P':>6} {'Pr R':>6} {'Pr F1':>6} {'pred':>5}"
    lines = (
        [f"== {s.name}: {len(s.gold)} posts"]
        + ([f"   ({s.note})"] if s.note else [])
        + [head, "-" * len(head)]
    )
    for label in sorted(pg.identifiers):
        c = pg.identifiers[label]
        r = ref.identifiers.get(label, Counts()) if ref else None
        if c.support == 0 and c.tp + c.fp == 0 and (r is None or r.tp + r.fp == 0):
            continue
        lines.append(_row(label, c.support, c, r))
    micro_ref = ref.micro(ref.identifiers) if ref else None
    lines.append(
        _row("(micro average)", pg.micro(pg.identifiers).support, pg.micro(pg.identifiers), micro_ref)
    )
    if s.verdicts:
        lines.append(
            f"verdict accuracy {_pct(pg.verdict_accuracy)}; clean posts held {_pct(pg.false_hold_rate)} "
            f"({pg.clean_held}/{pg.clean_posts}); posts with a patient identifier ALLOWed unchanged: "
            f"{allowed_with_identifier(s, verdicts)}/{sum(bool(g.spans) for g in s.gold)}"
        )
    return "\n".join(lines)


def _detected_line(detected: EvalReport) -> str:
    """Recall of everything the detector reported (names of every role, findings under the bar)."""
    micro = detected.micro(detected.identifiers)
    parts = [f"micro P {_pct(micro.precision)} R {_pct(micro.recall)}"]
    for label in ("PERSON", "LOCATION", "DATE"):
        c = detected.identifiers.get(label)
        if c is not None and c.support:
            parts.append(f"{label} R {_pct(c.recall)}")
    return "PostGuard detector, every finding whatever its role or confidence: " + ", ".join(parts)


def print_errors(s: EvalSet, findings: list[list[Finding]], limit: int) -> None:
    """Missed and false spans of one set, with their text (turns the set into dev data)."""
    shown = 0
    for g, fs in zip(s.gold, findings, strict=True):
        text = g.post.text
        missed = [
            sp
            for sp in g.spans
            if not any(f.label == sp[2] and f.start < sp[1] and sp[0] < f.end for f in fs)
        ]
        false = [
            f for f in fs if not any(f.label == sp[2] and f.start < sp[1] and sp[0] < f.end for sp in g.spans)
        ]
        for start, end, label in missed:
            print(f"MISSED {label:<20} {text[start:end]!r}  in {g.post.post_id}: {text[:160]!r}")
            shown += 1
        for f in false:
            where = f"({f.detector})  in {g.post.post_id}: {text[:160]!r}"
            print(f"FALSE  {f.label:<20} {text[f.start : f.end]!r} {where}")
            shown += 1
        if shown >= limit:
            return


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default="gold,holdout,public", help="comma list of gold, holdout, public")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="public datasets root")
    parser.add_argument("--no-presidio", action="store_true", help="PostGuard only")
    parser.add_argument("--no-models", action="store_true", help="PostGuard rules only")
    parser.add_argument("--json", type=Path, help="also write every number as JSON here")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N errors of --errors-set")
    parser.add_argument("--errors-set", default="", help="the set whose errors --errors prints")
    args = parser.parse_args(argv)
    sets = load_sets([n.strip() for n in args.sets.split(",") if n.strip()], args.data)
    if not sets:
        raise SystemExit("no evaluation set found")
    presidio = None
    if not args.no_presidio:
        from postguard.devtools.presidio_reference import presidio_missing

        if why := presidio_missing():
            raise SystemExit(f"{why} (or pass --no-presidio)")
        print("running Presidio (predefined recognizers + PostGuard's NER) ...", file=sys.stderr, flush=True)
        presidio = presidio_predictions(sets)
    print(f"running PostGuard (models: {'off' if args.no_models else 'on'}) ...", file=sys.stderr, flush=True)
    ours = postguard_predictions(sets, models=not args.no_models)
    numbers: dict[str, Any] = {}
    for s in sets:
        pg_findings, verdicts, reported = ours[s.name]
        pg_findings = drop_neutral(pg_findings, s)
        pg = evaluate(s.gold, pg_findings, verdicts)
        detected = evaluate(s.gold, drop_neutral(reported, s), verdicts)
        ref = None
        if presidio is not None:
            ref = evaluate(s.gold, drop_neutral(presidio[s.name], s), [Verdict.ALLOW] * len(s.gold))
        print(format_set(s, pg, ref, verdicts))
        print(_detected_line(detected) + "\n")
        numbers[s.name] = {
            "postguard": pg.to_dict(),
            "postguard_detected": detected.to_dict(),
            "presidio": ref.to_dict() if ref else None,
        }
        if s.verdicts:
            numbers[s.name]["allowed_with_identifier"] = allowed_with_identifier(s, verdicts)
        if args.errors and s.name == args.errors_set:
            print_errors(s, pg_findings, args.errors)
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
