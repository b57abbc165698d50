"""Lexeme flags: a token pattern's Python predicates turned into one bit per word, set once per lexeme.

spaCy's ``Matcher`` evaluates ``{"LOWER": {"IN": [...]}}``, ``NOT_IN``, ``REGEX`` and comparison
predicates in Python, for every token at every pattern position it reaches (its predicate cache is
refilled per token). These predicates only read the word itself (its text, lower form or length), so
each distinct conjunction of them is computed once per lexeme instead, when spaCy creates the lexeme,
and stored as one of the vocab's spare flag bits (``FLAG19`` ... ``FLAG63``). The compiled pattern then
tests that bit in C (``{"FLAG20": True}``). Semantics are spaCy's: ``IN`` is string equality on the
attribute, ``REGEX`` is ``re.search`` on it, ``LENGTH`` compares ``len(text)``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Hashable
from typing import Any

from spacy.attrs import IDS
from spacy.vocab import Vocab

FIRST_FLAG = IDS["FLAG19"]
LAST_FLAG = IDS["FLAG63"]
FLAG_NAMES = {IDS[f"FLAG{i}"]: f"FLAG{i}" for i in range(FIRST_FLAG, LAST_FLAG + 1)}
FLAG_COUNT = LAST_FLAG - FIRST_FLAG + 1
"""Spare lexeme flag bits a vocab has (45)."""

_STRING_ATTRS = {"LOWER": str.lower, "ORTH": None, "TEXT": None}
"""Token attributes that are a function of the lexeme's text (NORM is not: special cases set it)."""
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
WordTest = Callable[[str], bool]
Predicate = tuple[str, str, Hashable]
"""``(attribute, operator, value)`` with a hashable value (a frozenset for IN / NOT_IN)."""


def lexeme_predicates(spec: dict[str, Any]) -> list[Predicate] | None:
    """The Python predicates of one token spec that only read the word, canonicalised; None when the
    spec holds a predicate this module does not mirror exactly (the spec then stays with spaCy)."""
    found: list[Predicate] = []
    for attr, value in spec.items():
        if not isinstance(value, dict):
            continue
        if attr not in _STRING_ATTRS and attr != "LENGTH":
            return None
        for op, arg in value.items():
            predicate = _predicate(attr, op, arg)
            if predicate is None:
                return None
            found.append(predicate)
    return sorted(found, key=repr)


def _predicate(attr: str, op: str, arg: Any) -> Predicate | None:
    if attr == "LENGTH":
        ok = op in _COMPARISONS and isinstance(arg, int) and not isinstance(arg, bool)
        return (attr, op, arg) if ok else None
    if op in ("IN", "NOT_IN") and isinstance(arg, list | tuple | set | frozenset):
        return (attr, op, frozenset(arg)) if all(isinstance(v, str) for v in arg) else None
    if op == "REGEX" and isinstance(arg, str):
        return (attr, op, arg)
    return None


def atom_of(predicate: Predicate) -> tuple[Predicate, bool]:
    """The flag-able test behind a predicate and its polarity: ``NOT_IN`` is ``IN``'s bit, cleared."""
    attr, op, arg = predicate
    return ((attr, "IN", arg), False) if op == "NOT_IN" else (predicate, True)


def as_spacy(predicates: list[Predicate]) -> dict[str, dict[str, Any]]:
    """Predicates back in spaCy's pattern form (``{attr: {op: value}}``)."""
    spec: dict[str, dict[str, Any]] = {}
    for attr, op, arg in predicates:
        spec.setdefault(attr, {})[op] = sorted(arg) if isinstance(arg, frozenset) else arg
    return spec


def word_test(predicate: Predicate) -> WordTest:
    """A function of the lexeme text that is true when ``predicate`` holds (spaCy's semantics)."""
    attr, op, arg = predicate
    if attr == "LENGTH":
        compare, bound = _COMPARISONS[op], arg
        return lambda text: compare(len(text), bound)
    view = _STRING_ATTRS[attr] or (lambda text: text)
    if op == "IN":
        members = arg
        return lambda text: view(text) in members
    if op == "NOT_IN":
        members = arg
        return lambda text: view(text) not in members
    search = re.compile(str(arg)).search
    return lambda text: search(view(text)) is not None


class FlagTable:
    """Which flag bit holds which word test; installed on every vocab the engine builds."""

    def __init__(self) -> None:
        self._ids: dict[Predicate, int] = {}
        self._tests: dict[int, WordTest] = {}
        self._unions: dict[Predicate, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def allocate(self, predicate: Predicate) -> int | None:
        """A flag id for this test (allocated on first use), None when no bit is left."""
        if predicate not in self._ids:
            flag = FIRST_FLAG + len(self._ids)
            if flag > LAST_FLAG:
                return None
            self._ids[predicate] = flag
            self._tests[flag] = word_test(predicate)
        return self._ids[predicate]

    def allocate_union(self, predicates: list[Predicate]) -> int | None:
        """One flag set on a word when ANY of ``predicates`` holds: a superset of each, so a pattern
        testing it finds candidates that are then checked exactly. None when no bit is left."""
        flag = FIRST_FLAG + len(self._ids)
        if flag > LAST_FLAG or not predicates:
            return None
        tests = [word_test(predicate) for predicate in predicates]
        self._ids[("UNION", "ANY", tuple(predicates))] = flag
        self._tests[flag] = lambda text: any(test(text) for test in tests)
        for predicate in predicates:
            self._unions[predicate] = flag
        return flag

    def union_flag_of(self, predicate: Predicate) -> int | None:
        """The union flag that stands for this test (see ``allocate_union``), if any."""
        return self._unions.get(predicate)

    def flag_of(self, predicate: Predicate) -> int | None:
        """The flag already allocated to this test, if any."""
        return self._ids.get(predicate)

    def install(self, vocab: Vocab) -> None:
        """Set every flag on the vocab's lexemes, now and for each lexeme it creates later."""
        for flag, test in self._tests.items():
            vocab.add_flag(test, flag_id=flag)
