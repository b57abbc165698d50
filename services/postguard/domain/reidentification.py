"""Re-identification risk of a post as a number (0-1), from the details its identifier findings carry.

Each finding is one detail of a kind: place (street, postcode, town, bed, ward, facility), time (a day
or something coarser), demographics (age, over 89, infant) or rarity (a unique circumstance). The
strongest detail of each kind counts; kinds combine as independent evidence,
``1 - prod(1 - weight)``. A direct identifier (a patient's name, a contact or record number, a link to
a person) makes the risk 1. The weights are data (``identifiers/data/reidentification.yaml``).
The details never quote the post: they name the kind and the label only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from postguard.domain.rule_data import load_package_rule_data
from postguard.domain.types import Category, Finding, IdentifierLabel

_WEIGHTS = load_package_rule_data("postguard.domain.identifiers.data", "reidentification.yaml")
NON_PATIENT_ROLES = frozenset({"staff", "public", "account"})
"""Roles of names that are not a patient's (their names do not re-identify a patient)."""
_DIRECT = frozenset(IdentifierLabel) - {
    IdentifierLabel.DATE,
    IdentifierLabel.AGE,
    IdentifierLabel.LOCATION,
    IdentifierLabel.FACILITY,
    IdentifierLabel.QUASI_IDENTIFIER,
    IdentifierLabel.URL,
}
_BED_KINDS = frozenset({"bed", "room", "bay", "cubicle"})
_UNIT_KINDS = frozenset({"ward", "unit", "floor"})
_FINE_PLACES = {"street": "place_street", "address": "place_street", "postcode": "place_postcode"}
_COARSE_PLACES = frozenset({"state", "region", "country"})
_PERSON_LINKS = frozenset({"person", "record", "file"})


@dataclass(frozen=True, slots=True)
class ReidentificationRisk:
    """The post's risk and the details that drove it (``"time: DATE, day"``), strongest first."""

    score: float
    details: tuple[str, ...] = ()


def detail_of(finding: Finding) -> tuple[str, str, float] | None:
    """(kind, description, weight) of one identifier finding; None when it says nothing about who."""
    label = finding.label
    if finding.attribute("role") in NON_PATIENT_ROLES:
        return None
    if label in _DIRECT:
        return ("direct", label, 1.0)
    if label == IdentifierLabel.URL:
        return _url_detail(finding)
    if label in (IdentifierLabel.LOCATION, IdentifierLabel.FACILITY):
        return _place_detail(finding)
    if label == IdentifierLabel.DATE:
        return _time_detail(finding)
    if label == IdentifierLabel.AGE:
        return _age_detail(finding)
    if label == IdentifierLabel.QUASI_IDENTIFIER:
        return ("rarity", "unique circumstance", _WEIGHTS.number("rarity"))
    return None


def _url_detail(finding: Finding) -> tuple[str, str, float] | None:
    kind = finding.attribute("link_kind")
    if kind in ("reference", "institution"):
        return None
    if kind in _PERSON_LINKS:
        return ("direct", f"URL ({kind})", 1.0)
    return ("link", f"{kind or 'unclassified'} link", _WEIGHTS.number("unknown_link"))


def _place_detail(finding: Finding) -> tuple[str, str, float] | None:
    kind = finding.attribute("kind") or finding.attribute("granularity")
    if finding.label == IdentifierLabel.FACILITY:
        if kind in _BED_KINDS:
            return ("place", kind, _WEIGHTS.number("place_bed"))
        if kind in _UNIT_KINDS:
            return ("place", kind, _WEIGHTS.number("place_unit"))
        return ("place", "facility", _WEIGHTS.number("place_facility"))
    if kind in _COARSE_PLACES:
        return None
    if kind in _FINE_PLACES:
        return ("place", kind, _WEIGHTS.number(_FINE_PLACES[kind]))
    return ("place", kind or "town or district", _WEIGHTS.number("place_town"))


def _time_detail(finding: Finding) -> tuple[str, str, float]:
    """A day, unless the date resolved to a range longer than a week (a month, a season)."""
    start, until = finding.attribute("resolved_date"), finding.attribute("resolved_until")
    if start and until:
        try:
            days = (dt.date.fromisoformat(until) - dt.date.fromisoformat(start)).days
        except ValueError:
            days = 0
        if days > 7:
            return ("time", "month or longer", _WEIGHTS.number("time_coarse"))
    return ("time", "day", _WEIGHTS.number("time_day"))


def _age_detail(finding: Finding) -> tuple[str, str, float]:
    try:
        years = float(finding.attribute("years"))
    except ValueError:
        years = None
    if years is not None and years > 89:
        return ("demographics", "age over 89", _WEIGHTS.number("demographics_over_89"))
    if years is not None and years < 2:
        return ("demographics", "infant age", _WEIGHTS.number("demographics_infant"))
    return ("demographics", "age", _WEIGHTS.number("demographics_age"))


def reidentification_risk(findings: Iterable[Finding]) -> ReidentificationRisk:
    """The risk of the post whose acted-on identifier findings are ``findings``."""
    strongest: dict[str, tuple[str, float]] = {}
    for finding in findings:
        if finding.category is not Category.IDENTIFIER:
            continue
        detail = detail_of(finding)
        if detail is None:
            continue
        kind, what, weight = detail
        if kind not in strongest or weight > strongest[kind][1]:
            strongest[kind] = (what, weight)
    remaining = 1.0
    for _, weight in strongest.values():
        remaining *= 1.0 - weight
    ranked = sorted(strongest.items(), key=lambda item: -item[1][1])
    details = tuple(f"{kind}: {what} ({weight:.2f})" for kind, (what, weight) in ranked)
    return ReidentificationRisk(round(1.0 - remaining, 3), details)
