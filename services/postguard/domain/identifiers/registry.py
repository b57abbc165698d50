"""Runs every recognizer over one spaCy ``Doc`` per post; the tokenizer and matcher are built once."""

from __future__ import annotations

from collections.abc import Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from postguard.domain.engine.matcher import MatchSpec
from postguard.domain.engine.regex_scan import RegexScanner
from postguard.domain.engine.text import TextEngine
from postguard.domain.engine.tokens import Tokens
from postguard.domain.identifiers.analysis import CARE_KEY, Analysis
from postguard.domain.identifiers.lexicons import CARE_ACRONYMS, CARE_TERMS
from postguard.domain.identifiers.recognizer import Recognizer, simple_case
from postguard.domain.identifiers.recognizers import default_recognizers
from postguard.domain.types import Finding


def identifier_nlp() -> Language:
    """The identifier tokenizer: spaCy's English one, unchanged (the NER and textcat models share it)."""
    return spacy.blank("en")


def match_spec(recognizers: Sequence[Recognizer]) -> MatchSpec:
    """Every recognizer's patterns under ``"<recognizer name>:<key>"``, plus the shared care words."""
    spec = MatchSpec()
    spec.add_phrases(CARE_KEY, CARE_TERMS)
    spec.add_phrases(CARE_KEY, CARE_ACRONYMS, cased=True)
    for recognizer in recognizers:
        for local, patterns in recognizer.token_patterns().items():
            spec.add_patterns(recognizer.key(local), patterns)
        for local, words in recognizer.phrase_patterns().items():
            spec.add_phrases(recognizer.key(local), words)
        for local, words in recognizer.cased_phrase_patterns().items():
            spec.add_phrases(recognizer.key(local), words, cased=True)
    return spec


class RecognizerRegistry:
    """The recognizers plus one shared :class:`TextEngine` (tokenizer, vocab, compiled matcher).

    Each recognizer's patterns are registered under ``"<recognizer name>:<key>"`` so one matcher
    pass per document serves all of them. With ``prefilter`` (the default) a recognizer whose cheap
    trigger is absent from the post is not run (``Recognizer.triggered``; texts with a non-ASCII cased
    letter run every recognizer, see ``simple_case``).
    """

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        batch_size: int = 256,
        max_vocab: int = 250_000,
        *,
        prefilter: bool = True,
    ) -> None:
        self.prefilter = prefilter
        """Skip a recognizer whose trigger is absent from the text (``Recognizer.triggered``)."""
        self.recognizers = list(recognizers) if recognizers is not None else default_recognizers()
        self.batch_size = batch_size
        self.engine = TextEngine(identifier_nlp, match_spec(self.recognizers), max_vocab)
        lower = [p for r in self.recognizers for p in r.trigger_regexes()[0]]
        cased = [p for r in self.recognizers for p in r.trigger_regexes()[1]]
        self._trigger_scans = (RegexScanner.shared(frozenset(lower)), RegexScanner.shared(frozenset(cased)))
        """Every recognizer's trigger regexes, searched in one scan per text (lower-cased, as written)."""

    @property
    def nlp(self) -> Language:
        """The current tokenizer pipeline (replaced when the vocab is reset)."""
        return self.engine.nlp

    @property
    def max_vocab(self) -> int:
        """Lexemes past which the vocab is rebuilt."""
        return self.engine.max_size

    @property
    def rebuilds(self) -> int:
        """How many times the vocab was rebuilt."""
        return self.engine.rebuilds

    @property
    def signature(self) -> str:
        """The tokenizer signature of this registry's docs (see ``engine.tokens``)."""
        return self.engine.signature

    def analyze_texts(self, texts: Sequence[str]) -> list[tuple[Analysis, list[Finding]]]:
        """Each text's analysis (with its credited spans) and its raw, unmerged rule findings."""
        return self.analyze_with_tokens(texts, tables=False)[0]

    def analyze_with_tokens(
        self, texts: Sequence[str], *, tables: bool = True
    ) -> tuple[list[tuple[Analysis, list[Finding]]], list[Tokens]]:
        """:meth:`analyze_texts` plus each text's token table (when ``tables``), so the NER and textcat
        models can reuse this tokenisation instead of tokenising again."""
        # one caller at a time: the gRPC thread pool and the stream executor share one registry
        with self.engine.lock:
            docs = self.engine.docs(texts)
            # guarded_doc keeps the text: doc.text == text (and rebuilding it costs a Token per token)
            results = [self._analyze(doc, text) for doc, text in zip(docs, texts, strict=True)]
            tokens = self.engine.tables(docs, texts) if tables else []
            self.engine.reset_if_full()  # a long-running service would keep every string it saw
        return results, tokens

    def _analyze(self, doc: Doc, text: str) -> tuple[Analysis, list[Finding]]:
        grouped: dict[str, list[Span]] = {}
        for key, start, end in self.engine.match(doc):
            grouped.setdefault(key, []).append(Span(doc, start, end, label=key))
        matches = {key: sorted(filter_spans(spans), key=lambda s: s.start) for key, spans in grouped.items()}
        analysis = Analysis(doc=doc, matches=matches, text=text)
        prefilter = self.prefilter and simple_case(analysis.text)
        if prefilter:
            for cased, scanner in enumerate(self._trigger_scans):
                found = scanner.matching(analysis.text if cased else analysis.lower)
                analysis.scanned[bool(cased)] = (scanner.patterns, found)
        for recognizer in self.recognizers:
            if not prefilter or recognizer.triggered(analysis):
                analysis.findings.extend(recognizer.analyze(analysis))
        return analysis, analysis.findings
