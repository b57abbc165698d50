"""Runs every recognizer over one spaCy ``Doc`` per post; the nlp object and matchers are built once."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from postguard.domain.identifiers.analysis import CARE_KEY, Analysis
from postguard.domain.identifiers.lexicons import CARE_ACRONYMS, CARE_TERMS
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.recognizers import default_recognizers
from postguard.domain.text_guard import guarded_doc
from postguard.domain.types import Finding


class RecognizerRegistry:
    """The recognizers plus one shared tokenizer, ``Matcher`` and two ``PhraseMatcher`` s.

    Each recognizer's patterns are registered under ``"<recognizer name>:<key>"`` so one matcher
    pass per document serves all of them.
    """

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        batch_size: int = 256,
        max_vocab: int = 250_000,
    ) -> None:
        self.recognizers = list(recognizers) if recognizers is not None else default_recognizers()
        self.batch_size = batch_size
        self.max_vocab = max_vocab
        self.rebuilds = 0
        self._lock = threading.Lock()
        self._build()

    def _build(self) -> None:
        """A fresh tokenizer, vocab and matchers (the vocab grows with every new word a stream sees)."""
        self.nlp = spacy.blank("en")
        self.matcher = Matcher(self.nlp.vocab)
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.cased_phrases = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._add_phrases(self.phrases, CARE_KEY, CARE_TERMS)
        self._add_phrases(self.cased_phrases, CARE_KEY, CARE_ACRONYMS)
        for recognizer in self.recognizers:
            for local, patterns in recognizer.token_patterns().items():
                self.matcher.add(recognizer.key(local), patterns)
            for local, words in recognizer.phrase_patterns().items():
                self._add_phrases(self.phrases, recognizer.key(local), words)
            for local, words in recognizer.cased_phrase_patterns().items():
                self._add_phrases(self.cased_phrases, recognizer.key(local), words)

    def _add_phrases(self, matcher: PhraseMatcher, key: str, words: Iterable[str]) -> None:
        matcher.add(key, [self.nlp.make_doc(w) for w in words])

    def analyze_texts(self, texts: Sequence[str]) -> list[tuple[Analysis, list[Finding]]]:
        """Each text's analysis (with its credited spans) and its raw, unmerged rule findings."""
        # one caller at a time: the gRPC thread pool and the stream executor share one registry, and
        # the tokenizer cache, the matchers and a vocab rebuild are not safe to use concurrently
        with self._lock:
            # the guard keeps tokenisation linear in the text (see ``text_guard``); same offsets
            tokenizer = self.nlp.tokenizer
            results = [self._analyze(guarded_doc(tokenizer, text)) for text in texts]
            if len(self.nlp.vocab) > self.max_vocab:
                # a long-running service would otherwise keep every token string it ever saw
                self._build()
                self.rebuilds += 1
        return results

    def _analyze(self, doc: Doc) -> tuple[Analysis, list[Finding]]:
        grouped: dict[str, list[Span]] = {}
        for matcher in (self.matcher, self.phrases, self.cased_phrases):
            for span in matcher(doc, as_spans=True):
                grouped.setdefault(span.label_, []).append(span)
        matches = {key: sorted(filter_spans(spans), key=lambda s: s.start) for key, spans in grouped.items()}
        analysis = Analysis(doc=doc, matches=matches)
        for recognizer in self.recognizers:
            analysis.findings.extend(recognizer.analyze(analysis))
        return analysis, analysis.findings
