"""The advice classifier: rules plus optional trained text classifiers behind one interface."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from functools import cache
from typing import Protocol

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex

from postguard.domain.advice.rules import (
    ContentRule,
    CueMatcher,
    DisclaimerRule,
    DocCues,
    build_rules,
    care_confirmation,
    claims,
    conduct,
    disclaimer,
    personal_advice,
    promotion,
    solicitation,
)
from postguard.domain.advice.rules.base import merge_cue_specs
from postguard.domain.advice.rules.cues import shared_patterns, shared_phrases, shared_token_tests
from postguard.domain.engine.matcher import MatchSpec
from postguard.domain.engine.sentences import FACTORY as ARRAY_SENTENCIZER
from postguard.domain.engine.text import TextEngine, string_count
from postguard.domain.engine.tokens import ReusesTokens, SharedTokens
from postguard.domain.text_guard import check_budget, load_of
from postguard.domain.types import Category, ContentLabel, Finding, Post

MODEL_DETECTOR_PREFIX = "model:"
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})
"""Typographic quotes to ASCII, one character for one so finding spans still index the original text."""
MAX_VOCAB_STRINGS = 500_000
"""spaCy interns every new word it sees; past this many strings the pipeline is rebuilt so a
long-running service does not grow without bound (a rebuild takes well under a second)."""

_MODEL_REASONS: dict[str, str] = {
    ContentLabel.PERSONAL_ADVICE: "personal medical advice to an individual",
    ContentLabel.PATIENT_SOLICITATION: "an invitation to send personal health details",
    ContentLabel.UNSUPPORTED_CLAIM: "an unsupported or absolute health claim",
    ContentLabel.UNPROFESSIONAL: "disparaging or unprofessional language",
    ContentLabel.UNDISCLOSED_PROMOTION: "promotion without a disclosure",
    ContentLabel.MISSING_DISCLAIMER: "health education without a disclaimer",
    ContentLabel.CARE_CONFIRMATION: "a reply that confirms someone was a patient here",
    ContentLabel.POLITICS_OR_RANT: "partisan politics or a personal rant",
}
_SUGGESTIONS: dict[str, str] = {
    ContentLabel.PERSONAL_ADVICE: personal_advice.SUGGESTION,
    ContentLabel.PATIENT_SOLICITATION: solicitation.SUGGESTION,
    ContentLabel.UNSUPPORTED_CLAIM: claims.SUGGESTION,
    ContentLabel.UNPROFESSIONAL: conduct.SUGGESTION,
    ContentLabel.UNDISCLOSED_PROMOTION: promotion.SUGGESTION,
    ContentLabel.MISSING_DISCLAIMER: disclaimer.SUGGESTION,
    ContentLabel.CARE_CONFIRMATION: care_confirmation.SUGGESTION,
    ContentLabel.POLITICS_OR_RANT: conduct.POLITICS_SUGGESTION,
}


class TextCategoryModel(Protocol):
    """Seam for trained text classifiers: label -> probability per text.

    ``thresholds`` holds, per label, the probability at or above which the label is reported
    (calibrated on a dev split by the training workflow).
    """

    thresholds: dict[str, float]

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]: ...


def build_nlp() -> Language:
    """A blank English pipeline with a sentencizer.

    Two tokenizer tweaks keep cue words whole: '#' stays on hashtags ("#ad") and a single hyphen
    between letters does not split ("x-rays", "co-workers", "risk-free").
    """
    nlp = spacy.blank("en")
    prefixes = [p for p in nlp.Defaults.prefixes if p != "#"]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    infixes = [p.replace("(?:-|–|—|", "(?:–|—|") for p in nlp.Defaults.infixes]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.add_pipe(ARRAY_SENTENCIZER)  # spaCy's sentencizer rule over arrays (see engine.sentences)
    return nlp


@dataclasses.dataclass(frozen=True)
class _RuleEngine:
    text: TextEngine
    """Tokenizer (with sentencizer), vocab, compiled cue matcher and the lock serialising their use."""
    matcher: CueMatcher
    rules: tuple[ContentRule, ...]
    disclaimer: DisclaimerRule | None
    """None when the registry disables the disclaimer rule."""

    @property
    def nlp(self) -> Language:
        """The pipeline that tokenises and splits sentences."""
        return self.text.nlp

    @property
    def lock(self) -> threading.Lock:
        """Serialises use of the pipeline, whose vocabulary is mutated while tokenising."""
        return self.text.lock


@cache
def _shared_rule_engine() -> _RuleEngine:
    """The engine classifiers start with: built once per process and shared."""
    return _build_rule_engine()


def _build_rule_engine() -> _RuleEngine:
    """Pipeline, rules and compiled matchers (the shared ``domain.engine`` matcher)."""
    built = build_rules()  # the registry (rules/data/rules.yaml) says which run, in order
    rules: tuple[ContentRule, ...] = tuple(r for r in built if not isinstance(r, DisclaimerRule))
    disclaimer_rule = next((r for r in built if isinstance(r, DisclaimerRule)), None)
    specs = [(shared_patterns(), shared_phrases())]
    specs += [(r.token_patterns(), r.phrases()) for r in built]
    patterns, phrases = merge_cue_specs(specs)
    text = TextEngine(build_nlp, MatchSpec(patterns, phrases), MAX_VOCAB_STRINGS, string_count)
    matcher = CueMatcher.bound(text.matcher, shared_token_tests())
    return _RuleEngine(text, matcher, rules, disclaimer_rule)


class AdviceClassifier:
    """Classifies a post's content into CONTENT findings (labels from :class:`ContentLabel`).

    Rules always run and stay the explanation. With a ``text_model``, a label the model scores at or
    above its threshold either raises the matching rule finding's confidence or, when no rule fired,
    adds a model-only finding over the sentence with most of that label's cues.
    """

    name = "advice-classification"

    def __init__(self, text_model: TextCategoryModel | None = None) -> None:
        self.text_model = text_model
        self._engine = _shared_rule_engine()

    def classify(self, post: Post) -> list[Finding]:
        """Findings for one post."""
        return self.classify_batch([post])[0]

    def classify_batch(
        self, posts: Sequence[Post], shared: SharedTokens | None = None
    ) -> list[list[Finding]]:
        """Findings per post, in order; the model (if any) is called once for the whole batch.
        ``shared``: the posts' token tables left by the identifier stage, which the text model reuses
        when its tokenizer is the same (one tokenisation per post in-process)."""
        texts = [p.text for p in posts]
        if not texts:
            return []
        # the hard cap, before any model or tokenizer work: raises TooComplexError (see text_guard)
        check_budget([load_of([t]) for t in texts])
        scores = self._scores(texts, shared)
        engine = self._engine
        results: list[list[Finding]] = []
        with engine.lock:
            docs = engine.text.docs(t.translate(_QUOTES) for t in texts)  # linear time, same offsets
            for index, doc in enumerate(engine.nlp.pipe(docs, batch_size=256)):
                cues = engine.matcher.match(doc)
                findings: list[Finding] = []
                for rule in engine.rules:
                    findings.extend(rule.evaluate(cues))
                if engine.disclaimer is not None:
                    findings.extend(engine.disclaimer.evaluate_with(cues, findings))
                if scores is not None:
                    findings = self._merge_model(cues, findings, scores[index])
                findings.sort(key=lambda f: (f.start, f.end, f.label))
                results.append(findings)
            if string_count(engine.nlp) > MAX_VOCAB_STRINGS:
                self._engine = _build_rule_engine()
        return results

    def _scores(self, texts: list[str], shared: SharedTokens | None) -> list[dict[str, float]] | None:
        """The text model's scores per text (None without a model)."""
        if self.text_model is None:
            return None
        if shared is not None and isinstance(self.text_model, ReusesTokens):
            scores = self.text_model.score(texts, shared.get(texts))  # type: ignore[call-arg]
        else:
            scores = self.text_model.score(texts)
        if len(scores) != len(texts):
            raise ValueError(f"text model returned {len(scores)} score sets for {len(texts)} texts")
        return scores

    def _merge_model(self, cues: DocCues, findings: list[Finding], scores: dict[str, float]) -> list[Finding]:
        assert self.text_model is not None
        thresholds = self.text_model.thresholds
        merged = list(findings)
        for label in ContentLabel:
            probability = scores.get(label.value)
            threshold = thresholds.get(label.value)
            if probability is None or threshold is None or probability < threshold:
                continue
            rule_hits = [k for k, f in enumerate(merged) if f.label == label.value]
            if rule_hits:
                for k in rule_hits:
                    confidence = round(max(merged[k].confidence, probability), 3)
                    merged[k] = dataclasses.replace(merged[k], confidence=confidence)
                continue
            start, end = self._locate(cues, label)
            merged.append(
                Finding(
                    category=Category.CONTENT,
                    label=label.value,
                    start=start,
                    end=end,
                    confidence=round(probability, 3),
                    detector=f"{MODEL_DETECTOR_PREFIX}{label.value}",
                    reason=(
                        f"A trained classifier rates this passage as likely {_MODEL_REASONS[label]}; "
                        "this is a statistical signal, not a matched rule, so please review it."
                    ),
                    suggestion=_SUGGESTIONS[label],
                )
            )
        return merged

    def _locate(self, cues: DocCues, label: ContentLabel) -> tuple[int, int]:
        """Sentence with the most cues for ``label`` (the whole text when none has any)."""
        keys = next(
            (
                r.locator_keys
                for r in (*self._engine.rules, self._engine.disclaimer)
                if r and r.label == label
            ),
            (),
        )
        best, best_count = None, 0
        for i in range(len(cues.sentences)):
            count = cues.count(keys, i)
            if count > best_count:
                best, best_count = i, count
        if best is None:
            return 0, len(cues.doc.text)
        return cues.sentence_char_span(best)
