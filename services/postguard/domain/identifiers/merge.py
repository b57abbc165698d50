"""Merging findings: same-label overlaps collapse; across labels the more specific finding wins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from postguard.domain.spans import DisjointSpans, FixedSpans
from postguard.domain.types import Finding, IdentifierLabel

# Higher is more specific: structured, validated identifiers beat contextual ones, which beat names.
_RANK: dict[str, int] = {
    IdentifierLabel.SSN: 5, IdentifierLabel.MEDICAL_RECORD_NUMBER: 5, IdentifierLabel.HEALTH_PLAN_NUMBER: 5,
    IdentifierLabel.ACCOUNT_NUMBER: 5, IdentifierLabel.LICENSE_NUMBER: 5, IdentifierLabel.DEVICE_ID: 5,
    IdentifierLabel.VEHICLE_ID: 5, IdentifierLabel.EMAIL: 5, IdentifierLabel.IP_ADDRESS: 5,
    IdentifierLabel.URL: 4, IdentifierLabel.PHONE: 4, IdentifierLabel.FAX: 4,
    IdentifierLabel.FACILITY: 3, IdentifierLabel.DATE: 3, IdentifierLabel.AGE: 3,
    IdentifierLabel.LOCATION: 2, IdentifierLabel.PERSON: 1,
}  # fmt: skip
_LINKS = frozenset({IdentifierLabel.URL, IdentifierLabel.EMAIL})
_PATIENT_SIDE_ROLES = frozenset({"patient", "relative"})
"""A name both a patient's and (by another finding) a colleague's is kept as the patient's."""
# Post-level signals that coexist with whatever they overlap.
_UNRANKED = frozenset({IdentifierLabel.QUASI_IDENTIFIER})


def collapse_same_label(findings: Iterable[Finding]) -> list[Finding]:
    """Overlapping findings of one label become one: the union span, the most confident finding's
    detector / reason / suggestion and its confidence, its attributes over the other's (among names, a
    patient's or a relative's role wins over a more confident finding's other role)."""
    by_label: dict[str, list[Finding]] = {}
    for f in findings:
        by_label.setdefault(f.label, []).append(f)
    merged: list[Finding] = []
    for group in by_label.values():
        group.sort(key=lambda f: (f.start, -f.end))
        current = group[0]
        for f in group[1:]:
            if f.start < current.end:
                best, other = (f, current) if _weight(f) > _weight(current) else (current, f)
                # facts the winner lacks (a rule's bed ``kind`` under a more confident NER span) stay
                facts = tuple(sorted((dict(other.attributes) | dict(best.attributes)).items()))
                start, end = min(current.start, f.start), max(current.end, f.end)
                current = replace(best, start=start, end=end, attributes=facts)
            else:
                merged.append(current)
                current = f
        merged.append(current)
    return merged


def _weight(finding: Finding) -> tuple[bool, float]:
    """Which of two overlapping same-label findings describes the union: patient side first, then
    confidence."""
    return finding.attribute("role") in _PATIENT_SIDE_ROLES, finding.confidence


def resolve_conflicts(findings: Sequence[Finding]) -> list[Finding]:
    """Among overlapping findings of different labels keep the more specific, then more confident one.

    ``O(n log n)``: the kept findings of one text never overlap, so an index per text (post text or an
    attachment field) answers "does it overlap a kept one" by bisection (thousands of numbers stay cheap).
    """
    ranked = sorted(
        (f for f in findings if f.label not in _UNRANKED),
        key=lambda f: (-_RANK.get(f.label, 0), -f.confidence, -(f.end - f.start), f.start),
    )
    index: dict[tuple[str, str], DisjointSpans] = {}
    kept = [
        f
        for f in ranked
        if index.setdefault((f.attachment_id, f.field), DisjointSpans()).add_if_free(f.start, f.end)
    ]
    kept.extend(f for f in findings if f.label in _UNRANKED)
    return sorted(kept, key=lambda f: (f.start, f.end, f.label))


def drop_inside_links(findings: Sequence[Finding]) -> list[Finding]:
    """A number or name inside a link or email address is part of it ("pinterest.com/pin/3483...")."""
    links = FixedSpans((f.start, f.end) for f in findings if f.label in _LINKS)
    return [
        f for f in findings if f.label in _LINKS or f.label in _UNRANKED or not links.contains(f.start, f.end)
    ]


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """De-duplicated findings in text order."""
    return resolve_conflicts(drop_inside_links(collapse_same_label(findings)))
