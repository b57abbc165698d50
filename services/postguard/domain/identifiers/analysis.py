"""One post's text prepared once for every recognizer: spaCy tokens, sentences, matches, context."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.attrs import IDX
from spacy.tokens import Doc, Span

from postguard.domain.identifiers.roles import NOT_PATIENT_ROLES
from postguard.domain.types import Finding

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")

# Sentence ends: . ! ? (closing quotes / brackets) and spaces, or a line break, before the next word.
# Linear on hostile runs: each alternative only starts at the beginning of its run (the look-behinds; a
# match from inside a run of "!!!!" or of spaces would need the same ending as one from its start), and
# the whitespace before the first line break cannot hold a line break (no backtracking over "\n\n\n…").
_SENTENCE_END = re.compile(r"(?:(?<![.!?])[.!?]+[\"')\]]*[ \t]+|(?<!\s)[^\S\n]*\n\s*)(?=\S)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:mr|mrs|ms|mx|dr|drs|st|prof|mt|vs|no|approx|dept|jr|sr|e\.g|i\.e|etc|fig|ref|inc|ltd|co|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)|\b[A-Z])\.$",
    re.IGNORECASE,
)


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start: after . ! ? and a space (not after "Dr." or "St."), or a line break."""
    starts = [0]
    for m in _SENTENCE_END.finditer(text):
        if "\n" not in m.group():
            head = text[max(0, m.start() - 8) : m.start() + 1]
            following = text[m.end()]
            if _ABBREVIATION.search(head) or following.islower() or following.isdigit():
                continue
        starts.append(m.end())
    return starts


CARE_KEY = "shared:CARE"
"""Phrase-matcher key of words that tie a mention to patient care (registered by the registry)."""
_CARE_LABELS = ("AGE", "PERSON", "FACILITY")


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
    role_cues: dict[str, tuple[list[int], list[int], list[str]]] = field(default_factory=dict)
    """The role cues of the post per role (``roles``: built on first use)."""
    text: str = ""
    """``doc.text``, when the caller has it (else it is taken from the doc)."""
    scanned: dict[bool, tuple[frozenset[re.Pattern[str]], set[re.Pattern[str]]]] = field(default_factory=dict)
    """Trigger regexes already searched in one scan (see ``engine.regex_scan``), per ``cased``:
    ``(patterns scanned, those found)``; ``has_match`` answers from it."""
    _sent_starts: list[int] | None = None
    _token_starts: list[int] | None = None

    def __post_init__(self) -> None:
        if not self.text:
            self.text = self.doc.text
        self.lower = self.text.lower()
        self._headlines: dict[tuple[int, int], bool] = {}
        # indexes that keep the per-candidate context questions O(log n) (a hostile post can hold
        # thousands of candidates in one sentence): built on first use, per key / per findings state
        self._span_index: dict[str, _SpanIndex | None] = {}
        self._care_index: tuple[tuple[int, int], list[int], list[int]] | None = None
        self._care_anywhere: tuple[tuple[int, int], bool] | None = None

    def _token_offsets(self) -> list[int]:
        """Token start offsets, built on first use (most posts never need them)."""
        if self._token_starts is None:
            self._token_starts = self.doc.to_array(IDX).tolist() if len(self.doc) else []
        return self._token_starts

    def _sentence_starts(self) -> list[int]:
        """Sentence start offsets, built on first use: cheaper than a sentencizer pass over every post."""
        if self._sent_starts is None:
            self._sent_starts = sentence_starts(self.text)
        return self._sent_starts

    def has_match(self, pattern: re.Pattern[str], *, cased: bool = False) -> bool:
        """Does ``pattern`` occur in the lower-cased text (in the text as written when ``cased``)?"""
        scanned = self.scanned.get(cased)
        if scanned is not None and pattern in scanned[0]:
            return pattern in scanned[1]
        return pattern.search(self.text if cased else self.lower) is not None

    def spans(self, key: str) -> list[Span]:
        """Non-overlapping matches (longest first) registered under ``key``."""
        return self.matches.get(key, [])

    def sentence_bounds(self, start: int, end: int) -> tuple[int, int]:
        """Character bounds of the sentence(s) holding ``[start, end)``."""
        starts = self._sentence_starts()
        i = bisect.bisect_right(starts, start) - 1
        j = bisect.bisect_left(starts, end)
        s_start = starts[max(i, 0)]
        s_end = starts[j] if j < len(starts) else len(self.text)
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
        if not self.spans(key):
            return False
        index = self._index_of(key)
        tokens_at = self._token_offsets()
        ti = bisect.bisect_right(tokens_at, start) - 1
        tj = bisect.bisect_left(tokens_at, end)
        if index is None:  # matches that overlap (not from the registry): scan them
            spans = self.spans_in_sentence(key, start, end)
            return any(s.end > ti - tokens and s.start < tj + tokens for s in spans)
        return index.any_within(*self.sentence_bounds(start, end), ti - tokens, tj + tokens)

    def _index_of(self, key: str) -> _SpanIndex | None:
        if key not in self._span_index:
            self._span_index[key] = _SpanIndex.of(self.spans(key))
        return self._span_index[key]

    def about_care(self, start: int, end: int) -> bool:
        """Is ``[start, end)`` tied to patient care: a care word within 15 tokens in its sentence, or an
        age, patient name (not a colleague's, see ``roles``) or room / bed found earlier in the same
        sentence (a floor alone is not)?"""
        if self.near(CARE_KEY, start, end, tokens=15):
            return True
        # "a care finding f with s_lo <= f.start and f.end <= s_hi": among the care findings starting at
        # or after s_lo (ordered by start), the smallest end must be <= s_hi
        starts, min_end_after = self._care_findings()
        s_lo, s_hi = self.sentence_bounds(start, end)
        i = bisect.bisect_left(starts, s_lo)
        return i < len(starts) and min_end_after[i] <= s_hi

    def _findings_state(self) -> tuple[int, int]:
        """Identifies the findings list as it is now (recognizers only ever append to it)."""
        return len(self.findings), id(self.findings[-1]) if self.findings else 0

    def _care_findings(self) -> tuple[list[int], list[int]]:
        """Starts of the findings ``about_care`` counts (ordered) and the suffix minima of their ends."""
        state = self._findings_state()
        if self._care_index is None or self._care_index[0] != state:
            care = sorted(
                (f.start, f.end)
                for f in self.findings
                if f.label in _CARE_LABELS
                and f.confidence >= (0.85 if f.label == "FACILITY" else 0.7)
                and f.attribute("role") not in NOT_PATIENT_ROLES
            )
            min_ends = list(itertools.accumulate((e for _, e in reversed(care)), min))[::-1]
            self._care_index = (state, [s for s, _ in care], min_ends)
        return self._care_index[1], self._care_index[2]

    def post_about_care(self) -> bool:
        """Does the post talk about patient care anywhere (a care word, or an age / patient name)?"""
        if self.spans(CARE_KEY):
            return True
        state = self._findings_state()
        if self._care_anywhere is None or self._care_anywhere[0] != state:
            found = any(
                f.confidence >= 0.7
                and f.label in ("AGE", "PERSON")
                and f.attribute("role") not in NOT_PATIENT_ROLES
                for f in self.findings
            )
            self._care_anywhere = (state, found)
        return self._care_anywhere[1]

    def headline(self, start: int, end: int) -> bool:
        """Is the sentence holding ``[start, end)`` written in Title Case (a headline)?

        Capitalisation is then no evidence of a name, so name and facility rules must not rely on it.
        """
        s_lo, s_hi = self.sentence_bounds(start, end)
        if (s_lo, s_hi) not in self._headlines:
            words = [w for w in _WORD.findall(self.text, s_lo, s_hi) if len(w) > 3]
            capitalised = sum(w[0].isupper() for w in words)
            self._headlines[(s_lo, s_hi)] = len(words) >= 4 and capitalised >= 0.6 * len(words)
        return self._headlines[(s_lo, s_hi)]

    def findings_in_sentence(self, labels: Iterable[str], start: int, end: int) -> list[Finding]:
        """Earlier findings with one of ``labels`` in the sentence holding ``[start, end)``."""
        wanted = set(labels)
        s_lo, s_hi = self.sentence_bounds(start, end)
        return [f for f in self.findings if f.label in wanted and f.start >= s_lo and f.end <= s_hi]


@dataclass(frozen=True, slots=True)
class _SpanIndex:
    """One key's matches as sorted arrays. Registry matches never overlap (``filter_spans``), so their
    character and token starts and ends all increase together and every query is a few bisections."""

    start_chars: list[int]
    end_chars: list[int]
    start_tokens: list[int]
    end_tokens: list[int]

    @classmethod
    def of(cls, spans: list[Span]) -> _SpanIndex | None:
        """The index, or None when the spans overlap (then callers scan them)."""
        index = cls(
            [s.start_char for s in spans],
            [s.end_char for s in spans],
            [s.start for s in spans],
            [s.end for s in spans],
        )
        ordered = all(
            column == sorted(column)  # timsort: one linear pass in C over an ordered list
            for column in (index.start_chars, index.end_chars, index.start_tokens, index.end_tokens)
        )
        return index if ordered else None

    def any_within(self, s_lo: int, s_hi: int, after_token: int, before_token: int) -> bool:
        """Is a span inside characters ``[s_lo, s_hi]`` ending after token ``after_token`` and starting
        before token ``before_token``?"""
        lo = max(
            bisect.bisect_left(self.start_chars, s_lo), bisect.bisect_right(self.end_tokens, after_token)
        )
        hi = min(
            bisect.bisect_right(self.end_chars, s_hi), bisect.bisect_left(self.start_tokens, before_token)
        )
        return lo < hi
