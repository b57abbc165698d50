"""Shared machinery for content rules: one matcher pass per post, a per-sentence cue index, helpers."""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from postguard.domain.engine.context import NEGATED, DocContext, doc_context
from postguard.domain.engine.matcher import CompiledPatterns, EngineMatcher, MatchSpec
from postguard.domain.types import Category, ContentLabel, Finding

TokenPattern = list[dict[str, Any]]
"""A spaCy ``Matcher`` pattern (one dict per token); the same type as ``domain.engine.TokenPattern``."""

TokenTest = Callable[[Token], bool]
"""A single-token cue too costly as a Matcher regex. It may read only the word itself (its text and
lexeme attributes such as ``lower_``, ``is_alpha``, ``len``): it is evaluated once per distinct word."""
MAX_CACHED_WORDS = 200_000
"""Distinct words whose token-test results a ``CueMatcher`` keeps (then it starts afresh)."""

RULE_DETECTOR_PREFIX = "rules:"


def words(text: str) -> frozenset[str]:
    """A cue list written as whitespace-separated words."""
    return frozenset(text.split())


class DocCues:
    """Where each cue key matched in one doc, indexed by token span and by sentence."""

    def __init__(self, doc: Doc, matches: Iterable[tuple[str, int, int]]) -> None:
        self.doc = doc
        self.sentences: list[Span] = list(doc.sents)
        self._sent_starts = [s.start for s in self.sentences]
        self._by_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._by_sent: list[dict[str, list[tuple[int, int]]]] = [defaultdict(list) for _ in self.sentences]
        for key, start, end in sorted(set(matches), key=lambda m: (m[1], m[2])):
            self._by_key[key].append((start, end))
            if self.sentences:
                self._by_sent[self.sentence_of(start)][key].append((start, end))
        self._ordered_spans: dict[tuple[str, int, int], tuple[list[int], list[tuple[int, int]]]] = {}
        # _by_key / _by_sent hold a key only once it has a span (filled by append above, read with .get),
        # so membership is "matched": has / has_any test it without building lists.

    def sentence_of(self, token_index: int) -> int:
        """Index of the sentence holding token ``token_index``."""
        return max(0, bisect.bisect_right(self._sent_starts, token_index) - 1)

    def spans(self, key: str, sentence: int | None = None) -> list[tuple[int, int]]:
        """Token spans where ``key`` matched, in the whole doc or in one sentence."""
        if sentence is None:
            return self._by_key.get(key, [])
        return self._by_sent[sentence].get(key, [])

    def starting_in(self, key: str, sentence: int, lo: int, hi: int) -> list[tuple[int, int]]:
        """Spans of ``key`` in ``sentence`` starting at token ``lo`` to ``hi`` (inclusive), by bisection:
        rules that look next to each cue stay linear when a sentence holds thousands of cues."""
        starts, spans = self._ordered(key, sentence, 0)
        return spans[bisect.bisect_left(starts, lo) : bisect.bisect_right(starts, hi)]

    def ending_in(self, key: str, sentence: int, lo: int, hi: int) -> list[tuple[int, int]]:
        """Spans of ``key`` in ``sentence`` ending at token ``lo`` to ``hi`` (inclusive), by bisection."""
        ends, spans = self._ordered(key, sentence, 1)
        return spans[bisect.bisect_left(ends, lo) : bisect.bisect_right(ends, hi)]

    def _ordered(self, key: str, sentence: int, by: int) -> tuple[list[int], list[tuple[int, int]]]:
        """``key`` 's spans in ``sentence`` ordered by start (``by=0``) or end (``1``), with that column."""
        cached = self._ordered_spans.get((key, sentence, by))
        if cached is None:
            spans = sorted(self.spans(key, sentence), key=lambda s: (s[by], s))
            cached = ([s[by] for s in spans], spans)
            self._ordered_spans[(key, sentence, by)] = cached
        return cached

    def has(self, key: str, sentence: int | None = None) -> bool:
        """Whether ``key`` matched anywhere (or in ``sentence``)."""
        return key in (self._by_key if sentence is None else self._by_sent[sentence])

    def has_any(self, keys: Iterable[str], sentence: int | None = None) -> bool:
        """Whether any of ``keys`` matched anywhere (or in ``sentence``)."""
        return not (self._by_key if sentence is None else self._by_sent[sentence]).keys().isdisjoint(keys)

    def count(self, keys: Iterable[str], sentence: int) -> int:
        """How many matches of ``keys`` fall in ``sentence``."""
        return sum(len(self.spans(k, sentence)) for k in keys)

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets of tokens ``[start, end)``."""
        span = self.doc[start:end]
        return span.start_char, span.end_char

    def sentence_char_span(self, sentence: int) -> tuple[int, int]:
        """Character offsets of a sentence, trailing whitespace excluded."""
        sent = self.sentences[sentence]
        return sent.start_char, sent.end_char

    def first_word(self, sentence: int, skip: frozenset[str]) -> int | None:
        """Token index of the sentence's first word that is not punctuation, a mention or in ``skip``."""
        for tok in self.sentences[sentence]:
            if tok.is_punct or tok.is_space or tok.text.startswith("@") or tok.lower_ in skip:
                continue
            return tok.i
        return None

    @cached_property
    def context(self) -> DocContext:
        """What modifies each cue (negation, hypothesis, reported speech, quotes, condemnation), from the
        one context component of both detectors (``domain.engine.context``), analysed on first use."""
        return doc_context(self.doc)

    def negated(self, token_index: int) -> bool:
        """Whether the token at ``token_index`` is in a negation's reach ("never DM me your scans")."""
        return NEGATED in self.context.categories(token_index, token_index + 1)

    def preceded_by(self, token_index: int, words: frozenset[str], window: int = 3) -> bool:
        """Whether one of ``words`` occurs in the ``window`` tokens before ``token_index`` (same sentence)."""
        sent_start = self.sentences[self.sentence_of(token_index)].start if self.sentences else 0
        lo = max(sent_start, token_index - window)
        return any(self.doc[i].lower_ in words for i in range(lo, token_index))


class ContentRule(ABC):
    """One content label's rules: the cues it registers and how it turns them into findings.

    Cue keys are global across rules, so each module prefixes its own (``"PA:..."``); the shared
    keys in :mod:`postguard.domain.advice.rules.cues` carry no prefix.
    """

    label: ContentLabel
    locator_keys: tuple[str, ...] = ()
    """Cue keys whose density picks the sentence a model-only finding points at."""

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        """Matcher patterns per cue key."""
        return {}

    def phrases(self) -> dict[str, Iterable[str]]:
        """Case-insensitive phrases per cue key."""
        return {}

    @abstractmethod
    def evaluate(self, cues: DocCues) -> list[Finding]:
        """Findings for one post, from its cues."""

    def finding(
        self, cues: DocCues, span: tuple[int, int], confidence: float, reason: str, suggestion: str
    ) -> Finding:
        """A CONTENT finding over token span ``span``, attributed to this rule."""
        start, end = cues.char_span(*span)
        return Finding(
            category=Category.CONTENT,
            label=self.label.value,
            start=start,
            end=end,
            confidence=round(confidence, 3),
            detector=f"{RULE_DETECTOR_PREFIX}{self.label.value}",
            reason=reason,
            suggestion=suggestion,
        )


class CueMatcher:
    """All rules' cues compiled into the shared engine matcher (see ``domain.engine``), built once."""

    def __init__(
        self,
        nlp: Language,
        token_patterns: dict[str, list[TokenPattern]] | CompiledPatterns,
        phrases: dict[str, Iterable[str]] | None = None,
        token_tests: dict[str, TokenTest] | None = None,
    ) -> None:
        self._token_tests = dict(token_tests or {})
        self._word_keys: dict[int, tuple[str, ...]] = {}
        if not isinstance(token_patterns, CompiledPatterns):
            spec = MatchSpec(dict(token_patterns), {k: list(v) for k, v in (phrases or {}).items()})
            token_patterns = CompiledPatterns(spec)
        self._matcher = EngineMatcher(nlp, token_patterns)

    @classmethod
    def bound(cls, matcher: EngineMatcher, token_tests: dict[str, TokenTest] | None = None) -> CueMatcher:
        """A cue matcher over an engine matcher already bound to the pipeline's vocab."""
        self = cls.__new__(cls)
        self._token_tests = dict(token_tests or {})
        self._word_keys = {}
        self._matcher = matcher
        return self

    def match(self, doc: Doc) -> DocCues:
        """Run the matcher over ``doc`` and index the hits."""
        hits = self._matcher(doc)
        if self._token_tests:
            hits += self._token_hits(doc)
        return DocCues(doc, hits)

    def _token_hits(self, doc: Doc) -> list[tuple[str, int, int]]:
        """The token tests' hits, each test run once per distinct word (by its ``ORTH`` id, a hash of
        the text that does not change when the vocab is rebuilt), not once per token."""
        if len(self._word_keys) > MAX_CACHED_WORDS:
            self._word_keys = {}
        known = self._word_keys
        hits = []
        for i, orth in enumerate(doc.to_array(ORTH).tolist()):
            keys = known.get(orth)
            if keys is None:
                token = doc[i]
                keys = known[orth] = tuple(key for key, test in self._token_tests.items() if test(token))
            hits += [(key, i, i + 1) for key in keys]
        return hits


def merge_cue_specs(
    parts: Sequence[tuple[dict[str, list[TokenPattern]], dict[str, Iterable[str]]]],
) -> tuple[dict[str, list[TokenPattern]], dict[str, list[str]]]:
    """Combine several (patterns, phrases) pairs, concatenating entries that share a key."""
    patterns: dict[str, list[TokenPattern]] = defaultdict(list)
    phrases: dict[str, list[str]] = defaultdict(list)
    for pats, phr in parts:
        for key, value in pats.items():
            patterns[key].extend(value)
        for key, texts in phr.items():
            phrases[key].extend(texts)
    return dict(patterns), dict(phrases)
