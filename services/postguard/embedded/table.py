"""Human-readable table of screening outcomes (``postguard screen --format table``), at most 100 columns."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable

from postguard.domain.types import Finding, Verdict
from postguard.embedded.runner import Outcome

WIDTH = 100
_ID, _VERDICT = 16, 20
_INDENT = "    "


def _clip(text: str, width: int) -> str:
    text = text if text.startswith(_INDENT) and text.strip() else " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def header() -> str:
    return f"{'POST':<{_ID}}{'VERDICT':<{_VERDICT}}FINDINGS\n" + "-" * WIDTH


def row(outcome: Outcome) -> str:
    """One to four lines for one post: verdict and labels, the main reasons, the redacted text."""
    rest = WIDTH - _ID - _VERDICT
    if outcome.decision is None:
        name = _clip(outcome.post_id or f"line {outcome.line}", _ID - 1)
        return f"{name:<{_ID}}{'ERROR':<{_VERDICT}}{_clip(f'line {outcome.line}: {outcome.error}', rest)}"
    d = outcome.decision
    labels = ", ".join(dict.fromkeys(f.label for f in d.findings)) or "-"
    lines = [f"{_clip(d.post_id, _ID - 1):<{_ID}}{d.verdict.value:<{_VERDICT}}{_clip(labels, rest)}"]
    if d.verdict is not Verdict.ALLOW:
        for reason in d.reasons[:3]:
            wrapped = textwrap.wrap(
                " ".join(reason.split()),
                WIDTH - 2,
                initial_indent=_INDENT + "• ",
                subsequent_indent=_INDENT + "  ",
                max_lines=2,
                placeholder=" …",
            )
            lines.extend(wrapped)
        if len(d.reasons) > 3:
            lines.append(_INDENT + f"  (+{len(d.reasons) - 3} more reasons in the JSONL output)")
        if any(f.category == "IDENTIFIER" and f.in_text for f in d.findings):
            lines.append(_clip(_INDENT + "→ " + d.redacted_text, WIDTH))
        lines.extend(_clip(line, WIDTH) for line in _attachment_lines(d.findings))
        lines.extend(
            _clip(_INDENT + f"  redacted copy of {aid}: {ref}", WIDTH) for aid, ref in d.redacted_attachments
        )
    return "\n".join(lines)


def _attachment_lines(findings: Iterable[Finding]) -> list[str]:
    """``    ⎘ attachment img-1 metadata: PERSON, DATE; alt text: PERSON`` per attachment with findings."""
    parts: dict[str, dict[str, dict[str, None]]] = {}
    for f in findings:
        if f.in_text:
            continue
        where = (
            "alt text"
            if f.field == "alt_text"
            else "metadata"
            if f.field.startswith("metadata:")
            else f.field
        )
        parts.setdefault(f.attachment_id, {}).setdefault(where, {})[f.label] = None
    return [
        _INDENT
        + f"⎘ attachment {aid} "
        + "; ".join(f"{where}: {', '.join(labels)}" for where, labels in by.items())
        for aid, by in parts.items()
    ]


def summary(outcomes: Iterable[Outcome]) -> str:
    """``30 posts: 12 ALLOW, ...; 1 error``."""
    counts: Counter[str] = Counter()
    errors = total = 0
    for outcome in outcomes:
        total += 1
        if outcome.decision is None:
            errors += 1
        else:
            counts[outcome.decision.verdict.value] += 1
    parts = ", ".join(f"{counts[v.value]} {v.value}" for v in Verdict if counts[v.value])
    return (
        "-" * WIDTH
        + f"\n{total} lines: {parts or 'no decisions'}; {errors} error{'s' if errors != 1 else ''}"
    )
