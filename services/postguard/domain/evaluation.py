"""Evaluation metrics on a labelled post set: span P/R/F1 per identifier label, post-level per content label.

Pure functions: the CLI runs the detectors and hands predictions here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from postguard.domain.types import Category, ContentLabel, Finding, IdentifierLabel, Post, Verdict
from postguard.domain.validation import PostValidationError, post_from_mapping

HELD = frozenset({Verdict.REVIEW, Verdict.BLOCK})


@dataclass(frozen=True, slots=True)
class GoldPost:
    """One labelled post: identifier spans ``(start, end, label)``, content labels, expected verdict."""

    post: Post
    spans: tuple[tuple[int, int, str], ...]
    content_labels: frozenset[str]
    expected_verdict: Verdict


def gold_from_mapping(raw: Any) -> GoldPost:
    """Parse one gold JSONL object; raises ``PostValidationError`` naming the bad field."""
    post = post_from_mapping(raw)
    spans = []
    for i, span in enumerate(raw.get("identifiers") or []):
        try:
            start, end, label = int(span["start"]), int(span["end"]), str(span["label"])
        except (KeyError, TypeError, ValueError):
            raise PostValidationError(f"identifiers[{i}]", "needs integer start, end and a label") from None
        if label not in IdentifierLabel.__members__ or not 0 <= start < end <= len(post.text):
            raise PostValidationError(f"identifiers[{i}]", f"bad span {start}..{end} or label {label[:40]!r}")
        spans.append((start, end, label))
    labels = raw.get("content_labels") or []
    if not isinstance(labels, list) or any(x not in ContentLabel.__members__ for x in labels):
        raise PostValidationError("content_labels", "must be a list of content labels")
    try:
        verdict = Verdict(raw.get("expected_verdict"))
    except ValueError:
        raise PostValidationError(
            "expected_verdict", "must be ALLOW, ALLOW_WITH_CHANGES, REVIEW or BLOCK"
        ) from None
    return GoldPost(post, tuple(spans), frozenset(labels), verdict)


@dataclass(slots=True)
class Counts:
    """Matching counts with the derived scores.

    ``tp``/``fp`` count predictions (precision); ``found``/``fn`` count gold items (recall). They differ
    only for spans, where one gold span may be matched by two predictions.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0
    found: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.found / (self.found + self.fn) if self.found + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)

    @property
    def support(self) -> int:
        return self.found + self.fn

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.found += other.found

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "precision": r(self.precision),
            "recall": r(self.recall),
            "f1": r(self.f1),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "found": self.found,
            "support": self.support,
        }


@dataclass(slots=True)
class EvalReport:
    """Everything ``postguard eval`` prints."""

    posts: int = 0
    identifiers: dict[str, Counts] = field(default_factory=dict)
    content: dict[str, Counts] = field(default_factory=dict)
    verdict_correct: int = 0
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    clean_posts: int = 0
    clean_held: int = 0
    risky_posts: int = 0
    risky_passed: int = 0

    @property
    def verdict_accuracy(self) -> float | None:
        return self.verdict_correct / self.posts if self.posts else None

    @property
    def false_hold_rate(self) -> float | None:
        """Share of posts expected ALLOW that were held (REVIEW or BLOCK)."""
        return self.clean_held / self.clean_posts if self.clean_posts else None

    @property
    def missed_hold_rate(self) -> float | None:
        """Share of posts expected REVIEW/BLOCK that were let out (ALLOW or ALLOW_WITH_CHANGES)."""
        return self.risky_passed / self.risky_posts if self.risky_posts else None

    def micro(self, table: Mapping[str, Counts]) -> Counts:
        total = Counts()
        for counts in table.values():
            total.add(counts)
        return total

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "posts": self.posts,
            "identifiers": {k: v.to_dict() for k, v in sorted(self.identifiers.items())},
            "identifiers_micro": self.micro(self.identifiers).to_dict(),
            "content": {k: v.to_dict() for k, v in sorted(self.content.items())},
            "content_micro": self.micro(self.content).to_dict(),
            "verdict_accuracy": r(self.verdict_accuracy),
            "verdict_confusion": self.confusion,
            "clean_false_hold_rate": r(self.false_hold_rate),
            "clean_posts": self.clean_posts,
            "missed_hold_rate": r(self.missed_hold_rate),
            "held_expected_posts": self.risky_posts,
        }


def span_counts(
    gold: Sequence[tuple[int, int, str]], predicted: Sequence[tuple[int, int, str]]
) -> dict[str, Counts]:
    """Per-label counts for one post. A prediction is correct when it overlaps a gold span of its label;
    a gold span is found when some prediction of its label overlaps it."""
    out: dict[str, Counts] = {}
    for start, end, label in predicted:
        hit = any(label == g[2] and start < g[1] and g[0] < end for g in gold)
        counts = out.setdefault(label, Counts())
        if hit:
            counts.tp += 1
        else:
            counts.fp += 1
    for start, end, label in gold:
        found = any(label == p[2] and start < p[1] and p[0] < end for p in predicted)
        counts = out.setdefault(label, Counts())
        if found:
            counts.found += 1
        else:
            counts.fn += 1
    return out


def evaluate(
    gold: Sequence[GoldPost], findings: Sequence[Sequence[Finding]], verdicts: Sequence[Verdict]
) -> EvalReport:
    """Score predicted ``findings`` and ``verdicts`` (one entry per gold post, same order).

    Span precision counts predictions and span recall counts gold spans, so a gold span found as two
    pieces is two correct predictions and one found span (not punished twice).
    """
    if not len(gold) == len(findings) == len(verdicts):
        raise ValueError("gold, findings and verdicts must have one entry per post")
    report = EvalReport()
    for label in IdentifierLabel:
        report.identifiers[label.value] = Counts()
    for label in ContentLabel:
        report.content[label.value] = Counts()
    for item, found, verdict in zip(gold, findings, verdicts, strict=True):
        report.posts += 1
        predicted_spans = [
            (f.start, f.end, f.label) for f in found if f.category == Category.IDENTIFIER and f.in_text
        ]
        for label, counts in span_counts(item.spans, predicted_spans).items():
            report.identifiers.setdefault(label, Counts()).add(counts)
        predicted_labels = {f.label for f in found if f.category == Category.CONTENT}
        for label in predicted_labels | item.content_labels:
            counts = report.content.setdefault(label, Counts())
            if label in predicted_labels and label in item.content_labels:
                counts.tp += 1
                counts.found += 1
            elif label in predicted_labels:
                counts.fp += 1
            else:
                counts.fn += 1
        expected = item.expected_verdict
        report.confusion.setdefault(expected.value, {}).setdefault(Verdict(verdict).value, 0)
        report.confusion[expected.value][Verdict(verdict).value] += 1
        report.verdict_correct += verdict == expected
        if expected is Verdict.ALLOW:
            report.clean_posts += 1
            report.clean_held += verdict in HELD
        if expected in HELD:
            report.risky_posts += 1
            report.risky_passed += verdict not in HELD
    return report


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def format_report(report: EvalReport) -> str:
    """A plain-text table (under 100 columns)."""
    lines = [f"PostGuard evaluation on {report.posts} labelled posts", ""]
    header = f"{'label':<24}{'precision':>10}{'recall':>9}{'F1':>9}{'support':>9}{'predicted':>11}"
    for title, table in (
        ("IDENTIFIER spans (overlap + same label)", report.identifiers),
        ("CONTENT labels (per post)", report.content),
    ):
        lines += [title, header, "-" * len(header)]
        for label, c in sorted(table.items()):
            if c.support == 0 and c.tp + c.fp == 0:
                continue
            scores = f"{_pct(c.precision):>10}{_pct(c.recall):>9}{_pct(c.f1):>9}"
            lines.append(f"{label:<24}{scores}{c.support:>9}{c.tp + c.fp:>11}")
        m = report.micro(table)
        lines.append(
            f"{'(micro average)':<24}{_pct(m.precision):>10}{_pct(m.recall):>9}{_pct(m.f1):>9}"
            f"{m.support:>9}{m.tp + m.fp:>11}"
        )
        lines.append("")
    r = report
    lines += [
        f"verdict accuracy          {_pct(r.verdict_accuracy)}  ({r.verdict_correct}/{r.posts})",
        f"clean-post false holds    {_pct(r.false_hold_rate)}  ({r.clean_held}/{r.clean_posts} "
        "expected ALLOW got REVIEW/BLOCK)",
        f"missed holds              {_pct(r.missed_hold_rate)}  ({r.risky_passed}/{r.risky_posts} "
        "expected REVIEW/BLOCK got ALLOW*)",
    ]
    order = [v.value for v in Verdict]
    lines += [
        "",
        "verdicts: expected (rows) x decided (columns)",
        f"{'':<20}" + "".join(f"{v:>19}" for v in order),
    ]
    for expected in order:
        row = report.confusion.get(expected, {})
        lines.append(f"{expected:<20}" + "".join(f"{row.get(v, 0):>19}" for v in order))
    return "\n".join(lines)
