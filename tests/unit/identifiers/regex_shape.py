"""A small static analyser for backtracking hazards in a compiled regex (no timing, so it cannot flake).

It walks the parse tree of ``re`` (``re._parser``) with character sets approximated over a sample
alphabet (ASCII, a few accented letters, typographic punctuation, non-breaking space) and reports:

* ``empty loop``: an unbounded repeat whose body can match the empty string (``(a*)*``);
* ``ambiguous loop``: an unbounded repeat whose iterations can be split in more than one way: a
  character that can end one iteration can also be taken by a repeat that starts the next (``(a+)+``,
  ``(?:\\s*no\\.?)*`` with ``.`` also a separator), or a repeat that ends an iteration can take what
  starts the next: exponential on a failing match;
* ``adjacent repeats``: two single-character unbounded repeats next to each other (only optional or
  zero-width items between) whose sets overlap (``\\s*,?\\s*``): quadratic on a failing match.

Quadratic work from retrying every start position of a long run (``[a-z%]*@`` over ``a%a%a%...``) is not
structural; ``benchmarks/bench_identifier_regexes.py`` times that.
"""

from __future__ import annotations

import re
import string
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812
from re import _parser as P  # type: ignore[attr-defined]  # noqa: N812

ALPHABET = frozenset(string.printable + "éüßÉ’‘“”–—\u00a0•")
_UNBOUNDED = 100
"""A repeat allowing more than this many iterations counts as unbounded."""
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


def _category(cat: object) -> frozenset[str]:
    tests = {
        C.CATEGORY_DIGIT: str.isdigit,
        C.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
        C.CATEGORY_SPACE: str.isspace,
        C.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
        C.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
        C.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
    }
    test = tests.get(cat, lambda c: True)
    return frozenset(c for c in ALPHABET if test(c))


def _fold(chars: frozenset[str], ignore_case: bool) -> frozenset[str]:
    return (
        chars | frozenset(c.swapcase() for c in chars if c.swapcase() in ALPHABET) if ignore_case else chars
    )


def _class(items: list, ignore_case: bool) -> frozenset[str]:
    chars: set[str] = set()
    negate = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE:
            chars.update(c for c in ALPHABET if av[0] <= ord(c) <= av[1])
        elif op is C.CATEGORY:
            chars.update(_category(av))
    folded = _fold(frozenset(c for c in chars if c in ALPHABET), ignore_case)
    return ALPHABET - folded if negate else folded


class RegexShape:
    """The hazards of one compiled pattern (see the module docstring)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.ignore_case = bool(pattern.flags & re.IGNORECASE)
        self.problems: list[str] = []
        self._walk(list(P.parse(pattern.pattern, pattern.flags)))

    # --- character sets -------------------------------------------------------------------------
    def single(self, op: object, av: object) -> frozenset[str] | None:
        """The characters a one-character item matches (None when the item is not one character)."""
        if op is C.LITERAL:
            return _fold(frozenset({chr(av)}) & ALPHABET, self.ignore_case)
        if op is C.NOT_LITERAL:
            return ALPHABET - _fold(frozenset({chr(av)}), self.ignore_case)
        if op is C.ANY:
            return ALPHABET - {"\n"}
        if op is C.IN:
            return _class(av, self.ignore_case)
        return None

    def nullable(self, seq: list) -> bool:
        """Can ``seq`` match the empty string?"""
        return all(self._item_nullable(op, av) for op, av in seq)

    def _item_nullable(self, op: object, av: object) -> bool:
        if op in _ZERO_WIDTH:
            return True
        if op in _REPEATS:
            return av[0] == 0 or self.nullable(list(av[2]))
        if op is C.SUBPATTERN:
            return self.nullable(list(av[3]))
        if op is C.ATOMIC_GROUP:
            return self.nullable(list(av))
        if op is C.BRANCH:
            return any(self.nullable(list(b)) for b in av[1])
        return op in (C.GROUPREF, C.GROUPREF_EXISTS)

    def first(self, seq: list) -> frozenset[str]:
        """Characters a match of ``seq`` can start with."""
        out: frozenset[str] = frozenset()
        for op, av in seq:
            out |= self._item_edge(op, av, self.first)
            if not self._item_nullable(op, av):
                break
        return out

    def last(self, seq: list) -> frozenset[str]:
        """Characters a match of ``seq`` can end with."""
        out: frozenset[str] = frozenset()
        for op, av in reversed(seq):
            out |= self._item_edge(op, av, self.last)
            if not self._item_nullable(op, av):
                break
        return out

    def _item_edge(self, op: object, av: object, edge) -> frozenset[str]:
        chars = self.single(op, av)
        if chars is not None:
            return chars
        if op in _REPEATS:
            return edge(list(av[2]))
        if op is C.SUBPATTERN:
            return edge(list(av[3]))
        if op is C.ATOMIC_GROUP:
            return edge(list(av))
        if op is C.BRANCH:
            return frozenset().union(*(edge(list(b)) for b in av[1]))
        if op in (C.GROUPREF, C.GROUPREF_EXISTS):
            return ALPHABET
        return frozenset()

    def edge_repeats(self, seq: list, from_end: bool) -> frozenset[str]:
        """Characters taken by unbounded repeats at the start (or end) of ``seq``, reached through
        nullable items only: what such a repeat could take from a neighbouring iteration."""
        out: frozenset[str] = frozenset()
        for op, av in reversed(seq) if from_end else seq:
            if op in _REPEATS and av[1] > _UNBOUNDED:
                body = list(av[2])
                out |= self.first(body) | self.last(body) | self.edge_repeats(body, from_end)
            elif op is C.SUBPATTERN:
                out |= self.edge_repeats(list(av[3]), from_end)
            elif op is C.BRANCH:
                out |= frozenset().union(*(self.edge_repeats(list(b), from_end) for b in av[1]))
            if not self._item_nullable(op, av):
                break
        return out

    # --- hazards --------------------------------------------------------------------------------
    def _walk(self, seq: list) -> None:
        self._adjacent(seq)
        for op, av in seq:
            if op in _REPEATS:
                body = list(av[2])
                if av[1] > _UNBOUNDED and op is not C.POSSESSIVE_REPEAT:
                    self._loop(body)
                self._walk(body)
            elif op is C.SUBPATTERN:
                self._walk(list(av[3]))
            elif op in (C.ASSERT, C.ASSERT_NOT):
                self._walk(list(av[1]))
            elif op is C.ATOMIC_GROUP:
                self._walk(list(av))
            elif op is C.BRANCH:
                for branch in av[1]:
                    self._walk(list(branch))

    def _loop(self, body: list) -> None:
        if self.nullable(body):
            self.problems.append("empty loop: an unbounded repeat whose body can match nothing")
            return
        overlap = (self.last(body) & self.edge_repeats(body, from_end=False)) | (
            self.edge_repeats(body, from_end=True) & self.first(body)
        )
        if overlap:
            self.problems.append(
                f"ambiguous loop: iterations can be split in two ways at {sorted(overlap)[:8]}"
            )

    def _adjacent(self, seq: list) -> None:
        previous: frozenset[str] | None = None
        for op, av in seq:
            chars = self.single(*av[2][0]) if op in _REPEATS and len(av[2]) == 1 else None
            if op in _REPEATS and av[1] > _UNBOUNDED and chars is not None:
                if previous is not None and previous & chars:
                    self.problems.append(
                        f"adjacent repeats over the same characters {sorted(previous & chars)[:8]}"
                    )
                previous = chars
            elif not self._item_nullable(op, av):
                previous = None


def hazards(pattern: re.Pattern[str]) -> list[str]:
    """Backtracking hazards found in ``pattern`` (empty when none)."""
    return RegexShape(pattern).problems
