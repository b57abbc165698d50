"""Consent references: when a post's ``consent_reference`` counts as signed media consent.

A policy's ``consent`` section may declare a ``reference_pattern`` (a regex the whole reference must
match), a list of valid references (inline ``references`` or a ``references_file``), each with an
optional expiry date. A reference that fails them is refused with a reason that never quotes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

_ALNUM = re.compile(r"[A-Za-z0-9]")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class ConsentRules:
    """What a valid consent reference looks like under one policy (what it relaxes is on the policy)."""

    pattern: re.Pattern[str] | None = None
    references: Mapping[str, date | None] | None = None
    """Valid references (case-insensitive keys, upper-cased) and their expiry dates; None = no list."""

    def refusal(self, reference: str, on: date) -> str | None:
        """Why ``reference`` is not valid consent on date ``on`` (None when it is)."""
        value = reference.strip()
        if not value:
            return None  # no reference at all: nothing to refuse, nothing relaxed
        if self.pattern is not None and self.pattern.fullmatch(value) is None:
            return "it does not have the reference format the policy defines"
        if self.pattern is None and (len(_ALNUM.findall(value)) < 2 or not _DIGIT.search(value)):
            return "it is a placeholder, not a consent form number (a reference needs a number)"
        if self.references is not None:
            key = value.upper()
            if key not in self.references:
                return "it is not in the policy's list of signed consents"
            expires = self.references[key]
            if expires is not None and on > expires:
                return f"the consent expired on {expires.isoformat()}"
        return None


def post_date(created_at: str) -> date:
    """The calendar date (UTC) of an RFC 3339 ``created_at``; today (UTC) when it is absent or invalid."""
    if created_at:
        try:
            return datetime.fromisoformat(created_at.replace("Z", "+00:00")).astimezone(UTC).date()
        except ValueError:
            pass
    return datetime.now(UTC).date()
