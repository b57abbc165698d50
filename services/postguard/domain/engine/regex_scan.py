"""Which of many regexes a text contains, in one pass: a Hyperscan database as the prefilter.

The identifier recognizers each guard their work with a few trigger regexes, and searching ~30 of
them one by one costs ~140 us per post in Python's ``re``. Hyperscan (Intel's multi-pattern regex
engine, the one Suricata and Snort use; BSD licence; the ``hyperscan`` wheel bundles the library)
compiles them into one automaton and scans the text once (~5 us).

The database is compiled in byte (ASCII) mode, where Hyperscan's ``\\b``, ``\\w``, ``\\d`` and
``\\s`` are exactly Python's on ASCII text (its UTF-8 / Unicode mode has no ``\\b`` and took 15 s to
compile one address pattern). A pattern Hyperscan can express is compiled as it is (a report is a
match); one it cannot (lookarounds) is compiled with ``HS_FLAG_PREFILTER`` (widened: it may report
where the pattern does not match, never the reverse) and each report is confirmed with ``re.search``.

Non-ASCII text is scanned as a *shadow*: when none of its non-ASCII characters is a word or space
character to Python (emoji, curly quotes, dashes, bullets), each becomes U+0001, which every class
of a pattern made of ASCII code points treats the same (not ``\\w`` / ``\\d`` / ``\\s``, matched by
``.`` and by negated classes); patterns naming a non-ASCII character are searched with ``re`` there.
Everything else falls back to ``re.search`` per pattern: text holding a non-ASCII word or space
character (``é``, ``ı``, CJK, a no-break space), U+001C-U+001F (``\\s`` to Python only), patterns that
name one of the four characters Python's IGNORECASE folds into ASCII, verbose or ASCII-flagged
patterns, patterns Hyperscan refuses, and a missing ``hyperscan`` package.
``tests/unit/engine/test_regex_scan.py`` checks the scan finds what ``re`` finds.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own regex parser (``sre_parse`` before 3.11)
import threading
from collections.abc import Iterable
from functools import lru_cache

try:  # pragma: no cover - exercised by whichever branch is installed
    import hyperscan
except ImportError:  # pragma: no cover
    hyperscan = None

_FALLBACK_TEXT = re.compile(r"[\x1c-\x1f]|(?=[^\x00-\x7f])[\w\s]")
"""Characters the shadow cannot stand for: U+001C-U+001F (``\\s`` to Python, not to Hyperscan) and
non-ASCII word and space characters. A text holding one is searched with ``re``."""
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SHADOW = "\x01"
_FOLDS_INTO_ASCII = frozenset(map(ord, "\u0130\u0131\u017f\u212a"))
"""The only non-ASCII characters Python's IGNORECASE matches to ASCII letters (İ ı → i, ſ → s,
the Kelvin sign → k; found by trying every code point): Hyperscan's caseless mode does not."""


def simple_case(text: str) -> bool:
    """Is every cased character of ``text`` ASCII? Then ``text.lower()`` keeps every character's
    position and an IGNORECASE match in ``text`` is a case-sensitive match of the lower-cased pattern
    in ``text.lower()`` (Python's IGNORECASE also folds e.g. the long s and the Kelvin sign into ASCII
    letters, which ``str.lower`` does not): the condition for lower-cased triggers to be sound."""
    return text.isascii() or all(c.lower() == c == c.upper() for c in _NON_ASCII.findall(text))


def _code_points(node: object) -> list[tuple[int, int]]:
    """Every code point range a parsed pattern (``re._parser`` tree) names in a literal or a class."""
    if isinstance(node, tuple) and len(node) == 2 and node[0] in (sre_parse.LITERAL, sre_parse.NOT_LITERAL):
        return [(node[1], node[1])]
    if isinstance(node, tuple) and len(node) == 2 and node[0] is sre_parse.RANGE:
        return [node[1]]
    if isinstance(node, list | tuple | sre_parse.SubPattern):
        return [span for child in node for span in _code_points(child)]
    return []


def _hyperscan_flags(pattern: re.Pattern[str], *, widened: bool) -> int:
    flags = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    if widened:
        flags |= hyperscan.HS_FLAG_PREFILTER
    if pattern.flags & re.IGNORECASE:
        flags |= hyperscan.HS_FLAG_CASELESS
    if pattern.flags & re.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    if pattern.flags & re.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    return flags


def _hyperscan_mode(pattern: re.Pattern[str], spans: list[tuple[int, int]]) -> bool | None:
    """How Hyperscan takes this pattern: False as it is, True widened (``HS_FLAG_PREFILTER``), None
    not at all (refused; verbose, ASCII-flagged or naming a character IGNORECASE folds into ASCII)."""
    folds = any(lo <= code <= hi for lo, hi in spans for code in _FOLDS_INTO_ASCII)
    if pattern.flags & (re.VERBOSE | re.ASCII) or folds:
        return None
    for widened in (False, True):
        try:
            hyperscan.Database().compile(
                expressions=[pattern.pattern.encode()], flags=[_hyperscan_flags(pattern, widened=widened)]
            )
        except hyperscan.error:
            continue
        return widened
    return None


class RegexScanner:
    """A fixed set of compiled regexes; :meth:`matching` says which of them ``re.search`` finds in a
    text, scanning it once with Hyperscan instead of once per pattern."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self.patterns: frozenset[re.Pattern[str]] = frozenset(patterns)
        spans = {p: _code_points(sre_parse.parse(p.pattern)) for p in self.patterns}
        modes = {p: _hyperscan_mode(p, spans[p]) for p in self.patterns} if hyperscan is not None else {}
        self._scanned = sorted((p for p, mode in modes.items() if mode is not None), key=lambda p: p.pattern)
        self._widened = [bool(modes[p]) for p in self._scanned]
        self._not_on_shadow = frozenset(
            i for i, p in enumerate(self._scanned) if any(hi > 127 for _, hi in spans[p])
        )
        self._searched = [p for p in self.patterns if modes.get(p) is None]
        self._on_shadow = [p for i, p in enumerate(self._scanned) if i in self._not_on_shadow]
        """Patterns naming a non-ASCII character: searched with ``re`` on a non-ASCII text."""
        self._local = threading.local()
        """Each thread's Hyperscan scratch space (one may not be shared by concurrent scans)."""
        self._database = None
        if self._scanned:
            self._database = hyperscan.Database()
            self._database.compile(
                expressions=[p.pattern.encode() for p in self._scanned],
                ids=list(range(len(self._scanned))),
                flags=[
                    _hyperscan_flags(p, widened=w) for p, w in zip(self._scanned, self._widened, strict=True)
                ],
            )

    @staticmethod
    @lru_cache(maxsize=64)
    def shared(patterns: frozenset[re.Pattern[str]]) -> RegexScanner:
        """One scanner per set of patterns per process (compiling takes up to a second; scanners are
        thread-safe), for callers that build several registries."""
        return RegexScanner(patterns)

    @property
    def scanned(self) -> int:
        """How many of the patterns go through the Hyperscan database (the rest: ``re`` each)."""
        return len(self._scanned)

    @property
    def exact(self) -> int:
        """How many of those Hyperscan matches exactly (no ``re`` confirmation of a report)."""
        return self._widened.count(False)

    def matching(self, text: str) -> set[re.Pattern[str]]:
        """The patterns ``re.search`` finds in ``text``."""
        if self._database is None or _FALLBACK_TEXT.search(text) is not None:
            return {p for p in self.patterns if p.search(text) is not None}
        shadowed = not text.isascii()
        data = (_NON_ASCII.sub(_SHADOW, text) if shadowed else text).encode("ascii")
        candidates: set[int] = set()

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            candidates.add(pattern_id)

        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._database)
        self._database.scan(data, match_event_handler=on_match, scratch=scratch)
        scanned, widened = self._scanned, self._widened
        skip = self._not_on_shadow if shadowed else frozenset()
        found = {
            scanned[i]
            for i in candidates
            if i not in skip and (not widened[i] or scanned[i].search(text) is not None)
        }
        searched = [*self._searched, *self._on_shadow] if shadowed else self._searched
        return found | {p for p in searched if p.search(text) is not None}
