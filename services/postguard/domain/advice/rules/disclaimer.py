"""MISSING_DISCLAIMER: health-education or advice-like content with no not-medical-advice statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues
from postguard.domain.advice.rules.data import load
from postguard.domain.types import ContentLabel, Finding

DISCLAIMER = "DI:DISCLAIMER"
ADVICE_CUE = "DI:ADVICE_CUE"
ANNOUNCE = "DI:ANNOUNCE"

DATA = load("disclaimer.yaml")

DISCLAIMER_PHRASES: tuple[str, ...] = DATA.phrases("disclaimers")
ADVICE_CUES: tuple[str, ...] = DATA.phrases("advice_cues")
ANNOUNCEMENTS: tuple[str, ...] = DATA.phrases("announcements")
"""News, events, hiring and team posts: health words here are not advice to the reader."""
ONE_SENTENCE_CONFIDENCE = DATA.number("one_sentence_confidence")
SEVERAL_SENTENCES_CONFIDENCE = DATA.number("several_sentences_confidence")
FLAGGED_CONFIDENCE = DATA.number("flagged_confidence")

REASON = (
    "Gives health information or advice without stating that it is general education, not medical advice."
)
SUGGESTION = (
    'Add a short disclaimer, e.g. "General information, not medical advice - talk to your own clinician '
    'about your situation."'
)

HEALTH_IMPERATIVES: frozenset[str] = DATA.words("health_imperatives")
"""Sentence-opening verbs that make a health sentence a piece of advice ("Drink 8 glasses…")."""

_ADVICE_LABELS = frozenset({ContentLabel.PERSONAL_ADVICE.value, ContentLabel.UNSUPPORTED_CLAIM.value})


class DisclaimerRule(ContentRule):
    """A post is health education when a sentence pairs a health topic with an advice or effect cue
    (or carries a personal-advice / claim finding); it then needs a disclaimer or a referral somewhere."""

    label = ContentLabel.MISSING_DISCLAIMER
    locator_keys = (c.HEALTH, ADVICE_CUE)

    def phrases(self) -> dict[str, Iterable[str]]:
        return {DISCLAIMER: DISCLAIMER_PHRASES, ADVICE_CUE: ADVICE_CUES, ANNOUNCE: ANNOUNCEMENTS}

    def evaluate(self, cues: DocCues) -> list[Finding]:
        return self.evaluate_with(cues, ())

    def evaluate_with(self, cues: DocCues, earlier: Sequence[Finding]) -> list[Finding]:
        """Like :meth:`evaluate`, also counting sentences that earlier rules flagged as advice or claims."""
        if cues.has(DISCLAIMER) or not cues.has(c.HEALTH):
            return []
        flagged = {
            cues.sentence_of(cues.doc.char_span(f.start, f.end, alignment_mode="expand").start)
            for f in earlier
            if f.label in _ADVICE_LABELS and f.end > f.start
        }
        announcing = cues.has(ANNOUNCE)
        advice_sentences = [
            i
            for i in range(len(cues.sentences))
            if (i in flagged and not cues.has(ANNOUNCE, i)) or self._advises(cues, i, announcing)
        ]
        if not advice_sentences:
            return []
        # Point at a sentence that itself names the health topic where there is one.
        advice_sentences.sort(key=lambda i: (not cues.has(c.HEALTH, i), i))
        confidence = ONE_SENTENCE_CONFIDENCE if len(advice_sentences) == 1 else SEVERAL_SENTENCES_CONFIDENCE
        if flagged:
            confidence = FLAGGED_CONFIDENCE
        return [
            self.finding(
                cues,
                (cues.sentences[advice_sentences[0]].start, cues.sentences[advice_sentences[0]].end),
                confidence,
                REASON,
                SUGGESTION,
            )
        ]

    @staticmethod
    def _advises(cues: DocCues, i: int, announcing: bool) -> bool:
        """An advice or effect cue (or an opening imperative), with a health topic here or just before.
        In a news, event, hiring or team post only sentences that address the reader count."""
        first = cues.first_word(i, frozenset())
        imperative = first is not None and cues.doc[first].lower_ in HEALTH_IMPERATIVES
        if not (imperative or cues.has(ADVICE_CUE, i)):
            return False
        if cues.has(ANNOUNCE, i) or (announcing and not (imperative or cues.has(c.YOU, i))):
            return False
        return cues.has(c.HEALTH, i) or (i > 0 and cues.has(c.HEALTH, i - 1))
