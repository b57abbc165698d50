"""Which of many regexes a text contains, in one pass: a Hyperscan database as the prefilter.

The identifier recognizers each guard their work with a few trigger regexes, and searching ~30 of
them one by one costs ~110 us per post in Python's ``re``. Hyperscan (Intel's multi-pattern regex
engine, the one Suricata and Snort use; BSD licence; the ``hyperscan`` wheel bundles the library)
compiles them into one automaton and scans the text once (~5 us). A pattern Hyperscan can express is
compiled as it is (a report is a match); one it cannot is compiled with ``HS_FLAG_PREFILTER`` (Hyperscan
widens it and may report it where it does not match, never the reverse), and each such report is
confirmed with ``re.search``. Texts with characters the two engines read differently (``\\s`` in
Python also matches U+001C-U+001F; a non-ASCII cased letter, which Python's IGNORECASE may fold into
an ASCII one) or that are not UTF-8, patterns Hyperscan refuses, and a missing
``hyperscan`` package fall back to ``re.search`` per pattern. ``tests/unit/engine/test_regex_scan.py``
checks that the scan finds what ``re`` finds on the recognizers' triggers over varied text.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own regex parser (``sre_parse`` before 3.11)
import threading
from collections.abc import Iterable

try:  # pragma: no cover - exercised by whichever branch is installed
    import hyperscan
except ImportError:  # pragma: no cover
    hyperscan = None

_FALLBACK_TEXT = re.compile(r"[\x1c-\x1f]")
"""Characters Python's ``\\s`` matches and Hyperscan's does not: such texts are searched with ``re``."""
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def simple_case(text: str) -> bool:
    """Is every cased character of ``text`` ASCII? Then ``text.lower()`` keeps every character's
    position and an IGNORECASE match in ``text`` is a case-sensitive match of the lower-cased pattern
    in ``text.lower()`` (Python's IGNORECASE also folds e.g. the long s, the dotless i and the Kelvin
    sign into ASCII letters, which ``str.lower`` and Hyperscan's caseless mode do not): the condition
    for lower-cased triggers to be sound, and for the Hyperscan scan to agree with ``re``."""
    return text.isascii() or all(c.lower() == c == c.upper() for c in _NON_ASCII.findall(text))


_FOLDS_INTO_ASCII = frozenset(map(ord, "\u0130\u0131\u017f\u212a"))
"""The only non-ASCII characters Python's IGNORECASE matches to ASCII letters (İ ı → i, ſ → s,
the Kelvin sign → k; found by trying every code point): Hyperscan's caseless mode does not."""


def _names_a_folding_character(node: object) -> bool:
    """Does a parsed pattern (``re._parser`` tree) name one of ``_FOLDS_INTO_ASCII``, as a literal
    or inside a class range? Such a pattern stays with ``re``."""
    if isinstance(node, tuple) and len(node) == 2 and node[0] in (sre_parse.LITERAL, sre_parse.NOT_LITERAL):
        return node[1] in _FOLDS_INTO_ASCII
    if isinstance(node, tuple) and len(node) == 2 and node[0] is sre_parse.RANGE:
        low, high = node[1]
        return any(low <= code <= high for code in _FOLDS_INTO_ASCII)
    if isinstance(node, list | tuple | sre_parse.SubPattern):
        return any(_names_a_folding_character(child) for child in node)
    return False


def _hyperscan_flags(pattern: re.Pattern[str], *, widened: bool, unicode: bool) -> int:
    flags = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    if unicode:
        flags |= hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP
    if widened:
        flags |= hyperscan.HS_FLAG_PREFILTER
    if pattern.flags & re.IGNORECASE:
        flags |= hyperscan.HS_FLAG_CASELESS
    if pattern.flags & re.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    if pattern.flags & re.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    return flags


def _hyperscan_mode(pattern: re.Pattern[str], *, unicode: bool) -> bool | None:
    """How Hyperscan takes this pattern: False as it is, True widened (``HS_FLAG_PREFILTER``), None
    not at all (refused, or verbose / ASCII-only, which stay with ``re``)."""
    if pattern.flags & (re.VERBOSE | re.ASCII) or _names_a_folding_character(
        sre_parse.parse(pattern.pattern)
    ):
        return None
    for widened in (False, True):
        try:
            hyperscan.Database().compile(
                expressions=[pattern.pattern.encode()],
                flags=[_hyperscan_flags(pattern, widened=widened, unicode=unicode)],
            )
        except hyperscan.error:
            continue
        return widened
    return None


class _Database:
    """The patterns Hyperscan takes in one mode: ``unicode`` (UTF-8, Unicode classes; Hyperscan has
    no ``\\b`` there, so patterns with one are widened) or ASCII (byte classes, exact ``\\b``: the
    mode for ASCII texts, where Python's Unicode classes and ASCII ones agree)."""

    def __init__(self, patterns: frozenset[re.Pattern[str]], *, unicode: bool) -> None:
        modes = {p: _hyperscan_mode(p, unicode=unicode) for p in patterns}
        self.scanned = sorted((p for p, mode in modes.items() if mode is not None), key=lambda p: p.pattern)
        self.widened = [bool(modes[p]) for p in self.scanned]
        self.searched = [p for p in patterns if modes[p] is None]
        self._local = threading.local()
        """Each thread's Hyperscan scratch space (one may not be shared by concurrent scans)."""
        self._database = hyperscan.Database()
        if self.scanned:
            self._database.compile(
                expressions=[p.pattern.encode() for p in self.scanned],
                ids=list(range(len(self.scanned))),
                flags=[
                    _hyperscan_flags(p, widened=w, unicode=unicode)
                    for p, w in zip(self.scanned, self.widened, strict=True)
                ],
            )

    def matching(self, text: str, data: bytes) -> set[re.Pattern[str]]:
        """The patterns ``re.search`` finds in ``text`` (``data``: its UTF-8 bytes)."""
        candidates: set[int] = set()

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            candidates.add(pattern_id)

        if self.scanned:
            scratch = getattr(self._local, "scratch", None)
            if scratch is None:
                scratch = self._local.scratch = hyperscan.Scratch(self._database)
            self._database.scan(data, match_event_handler=on_match, scratch=scratch)
        scanned, widened = self.scanned, self.widened
        found = {scanned[i] for i in candidates if not widened[i] or scanned[i].search(text) is not None}
        return found | {p for p in self.searched if p.search(text) is not None}


class RegexScanner:
    """A fixed set of compiled regexes; :meth:`matching` says which of them ``re.search`` finds in a
    text, scanning it once with Hyperscan instead of once per pattern."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self.patterns: frozenset[re.Pattern[str]] = frozenset(patterns)
        self._ascii = self._unicode = None
        if hyperscan is not None and self.patterns:
            self._ascii = _Database(self.patterns, unicode=False)
            self._unicode = _Database(self.patterns, unicode=True)

    @property
    def scanned(self) -> int:
        """How many of the patterns go through Hyperscan on non-ASCII text (the rest: ``re`` each)."""
        return len(self._unicode.scanned) if self._unicode is not None else 0

    @property
    def exact(self) -> int:
        """How many of the patterns Hyperscan matches exactly on ASCII text (no ``re`` confirmation)."""
        return self._ascii.widened.count(False) if self._ascii is not None else 0

    def matching(self, text: str) -> set[re.Pattern[str]]:
        """The patterns ``re.search`` finds in ``text``."""
        if self._ascii is not None and text.isascii() and _FALLBACK_TEXT.search(text) is None:
            return self._ascii.matching(text, text.encode("ascii"))
        try:
            data = text.encode("utf-8")  # a lone surrogate is not UTF-8: Hyperscan must not see it
        except UnicodeEncodeError:
            data = b""
        if self._unicode is None or not data or _FALLBACK_TEXT.search(text) or not simple_case(text):
            return {p for p in self.patterns if p.search(text) is not None}
        return self._unicode.matching(text, data)
