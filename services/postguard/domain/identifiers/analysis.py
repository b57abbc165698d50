"""One post's text prepared once for every recognizer: spaCy tokens, sentences, matches, context."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from postguard.domain.types import Finding

CARE_KEY = "shared:CARE"
"""Phrase-matcher key of words that tie a mention to patient care (registered by the registry)."""


@dataclass
class Analysis:
    """A tokenised post plus the matches of the shared Matcher / PhraseMatcher, keyed by pattern name.

    Recognizers read from it and append to ``findings`` (later recognizers, such as the date and
    quasi-identifier ones, use earlier findings as context).
    """

    doc: Doc
    matches: dict[str, list[Span]]
    findings: list[Finding] = field(default_factory=list)
    credited: list[tuple[int, int]] = field(default_factory=list)
    """Character spans naming people credited in the post (colleagues, handles): not patients."""
    _sent_starts: list[int] = field(default_factory=list)
    _token_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = self.doc.text
        self.lower = self.text.lower()
        self._token_starts = [t.idx for t in self.doc]
        starts = [0]
        for tok in self.doc:
            if tok.is_sent_start and tok.i > 0:
                starts.append(tok.idx)
        self._sent_starts = starts

    def spans(self, key: str) -> list[Span]:
        """Non-overlapping matches (longest first) registered under ``key``."""
        return self.matches.get(key, [])

    def sentence_bounds(self, start: int, end: int) -> tuple[int, int]:
        """Character bounds of the sentence(s) holding ``[start, end)``."""
        i = bisect.bisect_right(self._sent_starts, start) - 1
        j = bisect.bisect_left(self._sent_starts, end)
        s_start = self._sent_starts[max(i, 0)]
        s_end = self._sent_starts[j] if j < len(self._sent_starts) else len(self.text)
        return s_start, max(s_end, end)

    def window(self, start: int, end: int, before: int = 40, after: int = 0, *, sentence: bool = True) -> str:
        """Lower-cased text around ``[start, end)`` (excluding it), clipped to the sentence when asked."""
        lo, hi = max(0, start - before), min(len(self.text), end + after)
        if sentence:
            s_lo, s_hi = self.sentence_bounds(start, end)
            lo, hi = max(lo, s_lo), min(hi, s_hi)
        return self.lower[lo:start] + " \u2016 " + self.lower[end:hi]

    def before(self, start: int, chars: int = 40) -> str:
        """Lower-cased text just before ``start`` (not clipped to the sentence)."""
        return self.lower[max(0, start - chars) : start]

    def after(self, end: int, chars: int = 40) -> str:
        """Lower-cased text just after ``end`` (not clipped to the sentence)."""
        return self.lower[end : end + chars]

    def spans_in_sentence(self, key: str, start: int, end: int) -> list[Span]:
        """Matches under ``key`` in the same sentence as ``[start, end)``."""
        s_lo, s_hi = self.sentence_bounds(start, end)
        return [s for s in self.spans(key) if s.start_char >= s_lo and s.end_char <= s_hi]

    def near(self, key: str, start: int, end: int, tokens: int = 12) -> bool:
        """Is a ``key`` match within ``tokens`` tokens of ``[start, end)`` in the same sentence?"""
        spans = self.spans_in_sentence(key, start, end)
        if not spans:
            return False
        ti = bisect.bisect_right(self._token_starts, start) - 1
        tj = bisect.bisect_left(self._token_starts, end)
        return any(s.end > ti - tokens and s.start < tj + tokens for s in spans)

    def findings_in_sentence(self, labels: Iterable[str], start: int, end: int) -> list[Finding]:
        """Earlier findings with one of ``labels`` in the sentence holding ``[start, end)``."""
        wanted = set(labels)
        s_lo, s_hi = self.sentence_bounds(start, end)
        return [f for f in self.findings if f.label in wanted and f.start >= s_lo and f.end <= s_hi]


def compile_words(words: Iterable[str]) -> re.Pattern[str]:
    """A case-insensitive regex matching any of ``words`` as whole words."""
    alternatives = sorted({re.escape(w) for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![\w@])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)
