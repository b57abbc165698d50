"""Exact prefilters read from a compiled regex's parse tree: skip a scan that cannot match.

:class:`RegexGate` answers "can ``pattern`` match anywhere in this text?" with a cheap test that is
only ever False when it certainly cannot: every match of the pattern holds a decimal digit (and the
text has none), or every match starts with one of a few literal texts (and the text, whose cased
letters are all ASCII, see ``simple_case``, holds none of them lower-cased). The facts come from the
pattern itself (``re._parser``), so a rule-data edit that changes the pattern changes its gate too.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from postguard.domain.identifiers.recognizer import simple_case

_DIGIT = re.compile(r"\d")
MAX_LEADS = 200
"""A pattern with more leading literal texts than this gets no literal test (too costly to check)."""
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)


def _is_digit_set(items: list[tuple[Any, Any]]) -> bool:
    """Does the character class hold only decimal digits (``\\d``'s characters)?"""
    for op, av in items:
        if op is sre.LITERAL and chr(av).isdecimal():
            continue
        if op is sre.RANGE and 48 <= av[0] <= av[1] <= 57:
            continue
        if op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            continue
        return False
    return bool(items)


def _needs_digit(seq: Any) -> bool:
    """Does every match of the parsed sequence consume a decimal digit?"""
    return any(_item_needs_digit(op, av) for op, av in seq)


def _item_needs_digit(op: Any, av: Any) -> bool:
    if op is sre.LITERAL:
        return chr(av).isdecimal()
    if op is sre.IN:
        return _is_digit_set(av)
    if op is sre.SUBPATTERN:
        return _needs_digit(av[3])
    if op is sre.ATOMIC_GROUP:
        return _needs_digit(av)
    if op is sre.BRANCH:
        return all(_needs_digit(branch) for branch in av[1])
    if op in _REPEATS:
        return av[0] >= 1 and _needs_digit(av[2])
    return False  # assertions, anchors, any character, back-references: no promise


def _leads(seq: Any) -> tuple[set[str], bool] | None:
    """The literal texts every match of the sequence starts with, and whether the whole sequence is
    those literals; None when a match may start otherwise."""
    found, complete = {""}, True
    for op, av in seq:
        if op is sre.LITERAL:
            found = {text + chr(av) for text in found}
            continue
        if op in _ZERO_WIDTH:  # consumes nothing: the literal after it starts the match just the same
            continue
        inner = av[1] if op is sre.BRANCH else av[3] if op is sre.SUBPATTERN else None
        if inner is None:
            complete = False
            break
        parts = [_leads(branch) for branch in inner] if op is sre.BRANCH else [_leads(inner)]
        if any(part is None for part in parts):
            complete = False
            break
        found = {text + lead for text in found for part in parts for lead in part[0]}  # type: ignore[index]
        if len(found) > MAX_LEADS:
            return None
        if not all(part[1] for part in parts):  # type: ignore[index]
            complete = False
            break
    if "" in found:
        return None
    return found, complete


class RegexGate:
    """Whether a pattern can match a text, from facts of the pattern (see the module docstring)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        tree = _parser.parse(pattern.pattern, pattern.flags)
        self.needs_digit = _needs_digit(tree)
        leads = _leads(tree)
        lowered = sorted({text.lower() for text in leads[0]}) if leads is not None else []
        self.leads: tuple[str, ...] = tuple(lowered) if lowered and all(t.isascii() for t in lowered) else ()
        """Lower-cased ASCII texts one of which every match starts with (empty: no such promise)."""

    def possible(self, text: str, lower: str) -> bool:
        """False only when the pattern certainly has no match in ``text`` (``lower`` = ``text.lower()``)."""
        if self.needs_digit and _DIGIT.search(text) is None:
            return False
        if self.leads and simple_case(text):  # then an ASCII literal, in any case, is a lower-case substring
            return any(lead in lower for lead in self.leads)
        return True
