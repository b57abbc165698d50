"""``make eval``: CONTENT label precision / recall per set, rules alone beside rules + models.

Usage: .venv/bin/python -m training.eval_content [--sets gold,holdout,dev,public] [--data DIR]
       [--json FILE]

Sets:
- ``gold``: data/gold/posts.jsonl (post-level ``content_labels``).
- ``holdout``: every data/holdout/*.jsonl. ``content_staff`` and ``content_clean`` were written for
  issue 9 by an engineer who read no rule; the identifier hold-outs of issue 8 carry no content label,
  so on them every content hold is a false one (the clean-post line is what they measure here).
- ``dev``: data/dev/*.jsonl, the rule writers' own examples: development data, printed for contrast.
- ``public``: the test splits of the public datasets the former content classifiers were trained on,
  split exactly as ``training.textcat.convert`` splits them (per source, 80/10/10), each scored only on
  the labels it annotates (ChatDoctor / Reddit / MedQuAD / health news for PERSONAL_ADVICE, Davidson and
  HateXplain for UNPROFESSIONAL). Their genres are not hospital staff posts: they show how the rules and
  models generalise, not what a hospital will see.

A prediction is a content finding the policy acts on (``embedded.evaluate.acted_on``, as in
``postguard eval``). "content holds" counts posts with no gold content label that a content finding
alone would hold (its rule's action is review or block): the issue's target is at most 5 % on clean
education / news and clean general posts. Only aggregate numbers are printed, never a post.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postguard.domain.types import Category, ContentLabel, Finding, Post

from training.common import DEFAULT_DATA_DIR, REPO_ROOT, Counts, fingerprint, split_three

GOLD = REPO_ROOT / "data" / "gold" / "posts.jsonl"
HOLDOUT = REPO_ROOT / "data" / "holdout"
DEV = REPO_ROOT / "data" / "dev"
INSTITUTION = "demo-hospital"
HOLDING_ACTIONS = frozenset({"review", "block"})


@dataclass
class ContentSet:
    """Posts with, per post, the content labels it has and the labels it annotates (None: all)."""

    name: str
    posts: list[Post]
    labels: list[frozenset[str]]
    annotated: list[frozenset[str] | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.annotated:
            self.annotated = [None] * len(self.posts)


@dataclass
class SetScore:
    """Per-label counts and the clean-post content holds of one set under one configuration."""

    labels: dict[str, Counts] = field(default_factory=dict)
    clean: int = 0
    clean_held: int = 0

    def hold_rate(self) -> float | None:
        return self.clean_held / self.clean if self.clean else None


def _jsonl_set(name: str, path: Path) -> ContentSet:
    from postguard.embedded.evaluate import load_gold

    loaded = load_gold(path.read_text(encoding="utf-8-sig").split("\n"))
    if loaded.errors:
        line, message = loaded.errors[0]
        raise SystemExit(f"{path}:{line}: {message}")
    return ContentSet(
        name, [g.post for g in loaded.posts], [frozenset(g.content_labels) for g in loaded.posts]
    )


def public_sets(data: Path) -> list[ContentSet]:
    """The test split of every textcat source, as ``training.textcat.convert`` builds it."""
    from training.textcat.convert import advice_sources, tone_sources

    out = []
    for source, rows in (advice_sources(data) | tone_sources(data)).items():
        unique = list({fingerprint(t): (t, c) for t, c in rows if t.strip()}.values())
        _, _, test = split_three(unique, source)
        posts = [
            Post(post_id=f"{source}-{i:05d}", institution_id=INSTITUTION, platform="other", text=text)
            for i, (text, _) in enumerate(test)
        ]
        labels = [frozenset(k for k, v in cats.items() if v == 1.0) for _, cats in test]
        annotated: list[frozenset[str] | None] = [frozenset(cats) for _, cats in test]
        out.append(ContentSet(f"public/{source}-test", posts, labels, annotated))
    return out


def load_sets(names: Iterable[str], data: Path) -> list[ContentSet]:
    """The requested sets that exist here (a note on stderr for the ones that do not)."""
    names = set(names)
    out: list[ContentSet] = []
    if "gold" in names:
        out.append(_jsonl_set("gold", GOLD))
    for key, folder in (("holdout", HOLDOUT), ("dev", DEV)):
        if key in names:
            files = sorted(folder.glob("*.jsonl"))
            if not files:
                print(f"note: no {key} sets in {folder}", file=sys.stderr)
            out += [_jsonl_set(f"{key}/{f.stem}", f) for f in files]
    if "public" in names:
        if (data / "hatexplain").is_dir():
            out += public_sets(data)
        else:
            print(f"note: public datasets not found in {data}; skipping them", file=sys.stderr)
    return out


def _acted(findings: Sequence[Finding], policy: Any) -> list[Finding]:
    from postguard.embedded.evaluate import acted_on

    return [f for f in findings if f.category is Category.CONTENT and acted_on(f, policy)]


def score_set(
    classifier: Any, policy: Any, s: ContentSet, batch: int = 64, errors: list[str] | None = None
) -> SetScore:
    """Classify every post of ``s`` and count per-label hits, misses and clean-post content holds;
    ``errors`` (when given) receives one line per missed or false label, with the post's text."""
    score = SetScore()
    for i in range(0, len(s.posts), batch):
        chunk = s.posts[i : i + batch]
        for j, findings in enumerate(classifier.classify_batch(chunk)):
            k = i + j
            acted = _acted(findings, policy)
            predicted = {f.label for f in acted}
            annotated = s.annotated[k]
            for label in predicted | s.labels[k]:
                if annotated is not None and label not in annotated:
                    continue  # a label this source does not annotate: neither right nor wrong
                counts = score.labels.setdefault(label, Counts())
                gold = label in s.labels[k]
                counts.tp += int(gold and label in predicted)
                counts.fp += int(not gold)
                counts.fn += int(gold and label not in predicted)
                if errors is not None and gold != (label in predicted):
                    kind = "missed" if gold else "false "
                    errors.append(f"{kind} {label:<22} {s.posts[k].post_id}: {s.posts[k].text!r}")
            if annotated is None and not s.labels[k]:
                score.clean += 1
                score.clean_held += any(policy.rule_for_finding(f).action in HOLDING_ACTIONS for f in acted)
    return score


def _cell(c: Counts | None) -> str:
    if c is None:
        return f"{'-':>7} {'-':>7} {'-':>7}"
    p = f"{100 * c.precision:6.1f}%" if c.tp + c.fp else "     - "
    r = f"{100 * c.recall:6.1f}%" if c.tp + c.fn else "     - "
    f = f"{100 * c.f1:6.1f}%" if c.tp + c.fp and c.tp + c.fn else "     - "
    return f"{p} {r} {f}"


HEADER = f"{'label':<22}{'support':>8}   rules P / R / F1        models P / R / F1"


def _label_line(label: str, r: Counts | None, m: Counts | None) -> str:
    support = (r or m or Counts()).tp + (r or m or Counts()).fn
    if support == 0:  # a negatives-only source: only false alarms can be counted
        fa = f"false alarms: rules {r.fp if r else 0}, models {m.fp if m else '-'}"
        return f"{label:<22}{support:>8}   {fa}"
    return f"{label:<22}{support:>8}   {_cell(r)}   {_cell(m)}"


def format_scores(name: str, rules: SetScore, models: SetScore | None, posts: int) -> str:
    """One set's table: per label, support and P / R / F1 with rules alone and with models."""
    lines = [f"\n== {name} ({posts} posts)", HEADER]
    order = [label.value for label in ContentLabel]
    for label in sorted(set(rules.labels) | set(models.labels if models else {}), key=order.index):
        lines.append(
            _label_line(label, rules.labels.get(label), models.labels.get(label) if models else None)
        )
    if len(lines) == 2:
        lines.append("(no content label annotated here, and none predicted)")
    if rules.clean:
        line = "content holds on posts with no content label: " + _holds("rules", rules)
        if models:
            line += ", " + _holds("models", models)
        lines.append(line)
    return "\n".join(lines)


def _holds(name: str, s: SetScore) -> str:
    return f"{name} {100 * (s.hold_rate() or 0.0):.1f} % ({s.clean_held}/{s.clean})"


def _as_json(s: SetScore) -> dict[str, Any]:
    return {
        "labels": {
            k: {**v.as_dict(), "tp": v.tp, "fp": v.fp, "fn": v.fn} for k, v in sorted(s.labels.items())
        },
        "clean_posts": s.clean,
        "clean_content_holds": s.clean_held,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sets", default="gold,holdout,dev,public", help="comma list of gold, holdout, dev, public"
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="public datasets root")
    parser.add_argument("--no-models", action="store_true", help="rules alone only")
    parser.add_argument("--json", type=Path, help="also write every number as JSON here")
    parser.add_argument(
        "--errors",
        default="",
        metavar="SET",
        help="print the missed and false labels of one dev/ set with their text (rules alone); refused for"
        " gold and hold-out sets, which reading would turn into development data",
    )
    args = parser.parse_args(argv)
    if args.errors and not args.errors.startswith("dev/"):
        parser.error("--errors only prints dev/ sets: reading gold or hold-out errors makes them dev data")
    from postguard.domain.advice import AdviceClassifier
    from postguard.domain.models import load_advice_model
    from postguard.domain.policy.registry import PolicyRegistry

    sets = load_sets(args.sets.split(","), args.data)
    policy = PolicyRegistry.load(None).policy_for(INSTITUTION)
    rules_only = AdviceClassifier(text_model=None)
    with_models = None if args.no_models else AdviceClassifier(text_model=load_advice_model(None))
    print("CONTENT labels per set (a prediction is a content finding the default policy acts on)")
    report: dict[str, Any] = {}
    for s in sets:
        print(f"scoring {s.name} ({len(s.posts)} posts)...", file=sys.stderr, flush=True)
        errors: list[str] | None = [] if s.name == args.errors else None
        r = score_set(rules_only, policy, s, errors=errors)
        m = score_set(with_models, policy, s) if with_models else None
        print(format_scores(s.name, r, m, len(s.posts)), flush=True)
        for line in sorted(errors or []):
            print(line)
        report[s.name] = {"posts": len(s.posts), "rules": _as_json(r), "models": _as_json(m) if m else None}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
