"""UNSUPPORTED_CLAIM: absolute, miracle or anti-vaccine claims, and health claims made without a source."""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.advice.rules.data import expand, load
from postguard.domain.types import ContentLabel, Finding

ABSOLUTE = "CL:ABSOLUTE"
PSEUDOSCIENCE = "CL:PSEUDOSCIENCE"
CURE = "CL:CURE"
ANTIVAX = "CL:ANTIVAX"
QUANTIFIED = "CL:QUANTIFIED"
APPEAL = "CL:APPEAL"
EFFICACY = "CL:EFFICACY"
DEBUNK = "CL:DEBUNK"

DATA = load("claims.yaml")

ABSOLUTE_PHRASES: tuple[str, ...] = DATA.phrases("absolute")
PSEUDOSCIENCE_PHRASES: tuple[str, ...] = DATA.phrases("pseudoscience")
ANTIVAX_PHRASES: tuple[str, ...] = DATA.phrases("antivax")
APPEAL_PHRASES: tuple[str, ...] = DATA.phrases("appeal")
DEBUNK_PHRASES: tuple[str, ...] = DATA.phrases("debunk")
ANTIVAX_CONFIDENCE = DATA.number("antivax_confidence")
ABSOLUTE_CONFIDENCE = DATA.number("absolute_confidence")
PSEUDOSCIENCE_CONFIDENCE = DATA.number("pseudoscience_confidence")
CURE_CLAIM_CONFIDENCE = DATA.number("cure_claim_confidence")
UNSOURCED_CLAIM_CONFIDENCE = DATA.number("unsourced_claim_confidence")
QUANTIFIED_CLAIM_CONFIDENCE = DATA.number("quantified_claim_confidence")

_VACCINE_WORDS = sorted(DATA.words("vaccine_words"))
_HARM_WORDS = sorted(DATA.words("harm_words"))
_CAUSE_WORDS = sorted(DATA.words("cause_words"))
_NEGATORS = DATA.words("negators")
_NOUN_CURE_BEFORE = DATA.words("noun_cure_before")
_ASPIRATION = DATA.words("aspiration")
_CURED_FOODS = DATA.words("cured_foods")
_EFFICACY_TARGETS = sorted(c.CONDITIONS | DATA.words("efficacy_extra_targets"))

_PATTERN_LISTS = {
    "vaccine_words": _VACCINE_WORDS,
    "harm_words": _HARM_WORDS,
    "cause_words": _CAUSE_WORDS,
    "not_negated": sorted(_NEGATORS | {"do", "does", "did", "don't", "doesn't"}),
    "effect_verbs": sorted(DATA.words("effect_verbs")),
    "quantified_targets": sorted(DATA.words("quantified_targets")),
    "efficacy_verbs": sorted(DATA.words("efficacy_verbs")),
    "efficacy_targets": _EFFICACY_TARGETS,
}
"""The word lists this rule's token patterns refer to as ``$name``."""
_PATTERN_KEYS = {CURE: "cure", ANTIVAX: "vaccine_harm", QUANTIFIED: "quantified", EFFICACY: "efficacy"}
"""Cue key -> its token-pattern entry in claims.yaml."""

REASON_ABSOLUTE = "Promises an absolute or guaranteed health outcome; no treatment is certain or risk-free."
REASON_PSEUDO = "Uses miracle-cure or pseudoscientific framing that evidence does not support."
REASON_ANTIVAX = "Repeats an anti-vaccine claim that the scientific evidence contradicts."
REASON_UNSOURCED = "Makes a specific health claim without citing a source."
SUGGESTION = (
    "Remove absolute or miracle wording and cite a reputable source (guideline or peer-reviewed study) "
    "for any health claim."
)
SUGGESTION_ANTIVAX = "Remove the claim; share guidance from a recognised public-health body instead."


class ClaimsRule(ContentRule):
    """Absolute and pseudoscience wording always counts; cure, quantified and "studies show" claims
    count only when the post cites no source; anti-vaccine claims unless the sentence debunks them."""

    label = ContentLabel.UNSUPPORTED_CLAIM
    locator_keys = (ABSOLUTE, PSEUDOSCIENCE, CURE, ANTIVAX, QUANTIFIED, APPEAL, EFFICACY)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        return {key: expand(DATA.patterns(entry), _PATTERN_LISTS) for key, entry in _PATTERN_KEYS.items()}

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            ABSOLUTE: ABSOLUTE_PHRASES,
            PSEUDOSCIENCE: PSEUDOSCIENCE_PHRASES,
            ANTIVAX: ANTIVAX_PHRASES,
            APPEAL: APPEAL_PHRASES,
            EFFICACY: DATA.phrases("efficacy_phrases"),
            DEBUNK: DEBUNK_PHRASES,
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        findings: list[Finding] = []
        sourced = cues.has(c.SOURCE)
        health_post = cues.has(c.HEALTH)
        for i in range(len(cues.sentences)):
            hits: list[tuple[tuple[int, int], float, str, str]] = []
            debunked = cues.has(DEBUNK, i)
            if not debunked:
                hits += [
                    (s, ANTIVAX_CONFIDENCE, REASON_ANTIVAX, SUGGESTION_ANTIVAX)
                    for s in cues.spans(ANTIVAX, i)
                ]
            if health_post:
                hits += [
                    (s, ABSOLUTE_CONFIDENCE, REASON_ABSOLUTE, SUGGESTION) for s in cues.spans(ABSOLUTE, i)
                ]
            hits += [
                (s, PSEUDOSCIENCE_CONFIDENCE, REASON_PSEUDO, SUGGESTION) for s in cues.spans(PSEUDOSCIENCE, i)
            ]
            if not sourced:
                hits += [
                    (s, CURE_CLAIM_CONFIDENCE, REASON_UNSOURCED, SUGGESTION)
                    for s in self._cure_claims(cues, i)
                ]
                if health_post:
                    appeals = [a for a in cues.spans(APPEAL, i) if not cues.negated(a[0])]
                    unsourced = cues.spans(EFFICACY, i) + appeals
                    hits += [(s, UNSOURCED_CLAIM_CONFIDENCE, REASON_UNSOURCED, SUGGESTION) for s in unsourced]
                    hits += [
                        (s, QUANTIFIED_CLAIM_CONFIDENCE, REASON_UNSOURCED, SUGGESTION)
                        for s in cues.spans(QUANTIFIED, i)
                    ]
            # "No treatment is 100% effective" states the opposite of a claim.
            hits = [h for h in hits if h[2] == REASON_ANTIVAX or not cues.negated(h[0][0])]
            if not hits:
                continue
            best = max(hits, key=lambda h: h[1])
            start = min(h[0][0] for h in hits)
            end = max(h[0][1] for h in hits)
            findings.append(self.finding(cues, (start, end), best[1], best[2], best[3]))
        return findings

    def _cure_claims(self, cues: DocCues, i: int) -> list[tuple[int, int]]:
        """Verb uses of cure/heal about an ailment ("cures anxiety"), not "no cure" or "a cure for"."""
        doc = cues.doc
        out = []
        for start, end in cues.spans(CURE, i):
            prev = doc[start - 1].lower_ if start > cues.sentences[i].start else ""
            nxt = doc[end].lower_ if end < cues.sentences[i].end else ""
            if prev in _NOUN_CURE_BEFORE or nxt in _CURED_FOODS:
                continue
            if cues.preceded_by(start, _ASPIRATION, window=12):
                continue
            if cues.negated(start):
                continue
            if not cues.has_any((c.CONDITION, c.SYMPTOM), i):
                continue
            # the ailment starts 0-3 tokens after the verb, the medication ends 0-1 before it (bisection)
            ailments = [
                *cues.starting_in(c.CONDITION, i, end, end + 3),
                *cues.starting_in(c.SYMPTOM, i, end, end + 3),
            ]
            subject = cues.ending_in(c.MEDICATION, i, start - 1, start)
            out.append((min([start] + [m[0] for m in subject]), max([end] + [a[1] for a in ailments])))
        return out
