"""UNSUPPORTED_CLAIM: absolute, miracle or anti-vaccine claims, and health claims made without a source."""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.advice.rules.data import expand, load
from postguard.domain.engine.context import QUOTED, REPORTED
from postguard.domain.types import ContentLabel, Finding

ABSOLUTE = "CL:ABSOLUTE"
PSEUDOSCIENCE = "CL:PSEUDOSCIENCE"
CURE = "CL:CURE"
ANTIVAX = "CL:ANTIVAX"
QUANTIFIED = "CL:QUANTIFIED"
APPEAL = "CL:APPEAL"
EFFICACY = "CL:EFFICACY"
DEBUNK = "CL:DEBUNK"
REFUTE = "CL:REFUTE"
HEALTH_CONTEXT = "CL:HEALTH_CONTEXT"
AILMENT = "CL:AILMENT"
UNIVERSAL = "CL:UNIVERSAL"
HEAL = "CL:HEAL"
DISMISSAL = "CL:DISMISSAL"
GUARANTEE = "CL:GUARANTEE"
SHOP_LINK = "CL:SHOP_LINK"
CERTAINTY = "CL:CERTAINTY"
TREATMENT = "CL:TREATMENT"

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
STRONG_CLAIM_CONFIDENCE = DATA.number("strong_claim_confidence")

_VACCINE_WORDS = sorted(DATA.words("vaccine_words"))
_HARM_WORDS = sorted(DATA.words("harm_words"))
_CAUSE_WORDS = sorted(DATA.words("cause_words"))
_NEGATORS = DATA.words("negators")
_NOUN_CURE_BEFORE = DATA.words("noun_cure_before")
_ASPIRATION = DATA.words("aspiration")
_CURED_FOODS = DATA.words("cured_foods")
_EFFICACY_TARGETS = sorted(c.CONDITIONS | DATA.words("efficacy_extra_targets"))
_AILMENT_WORDS = c.CONDITIONS | c.SYMPTOMS | DATA.words("ailment_extra")
_NOT_GUARANTEED = DATA.words("not_guaranteed_things")
_NOT_OWN = frozenset({QUOTED, REPORTED})
"""Context categories that make a claim someone else's words."""

_VERB_LISTS = (
    "give_verbs",
    "dna_verbs",
    "immune_verbs",
    "flush_verbs",
    "heal_verbs",
    "works_verbs",
    "never_again_verbs",
    "comparative_harm_verbs",
)
"""Verb classes of the claim patterns, each a claims.yaml list."""
_SUBJECT_LISTS = (
    "interventions",
    "clinicians",
    "rival_treatments",
    "suppressed_subjects",
    "vaccine_given_illness",
)
"""Who or what the claim patterns are about, each a claims.yaml list."""
_WORD_LISTS = (
    "vaccine_slurs",
    "suppressed_words",
    "dismiss_adverbs",
    "dismiss_predicates",
    "outcome_words",
)
"""Predicate and modifier classes of the claim patterns, each a claims.yaml list."""

_PATTERN_LISTS = {
    "vaccine_words": _VACCINE_WORDS,
    "harm_words": _HARM_WORDS,
    "cause_words": _CAUSE_WORDS,
    "not_negated": sorted(_NEGATORS | {"do", "does", "did", "don't", "doesn't"}),
    "effect_verbs": sorted(DATA.words("effect_verbs")),
    "quantified_targets": sorted(DATA.words("quantified_targets")),
    "efficacy_verbs": sorted(DATA.words("efficacy_verbs")),
    "efficacy_targets": _EFFICACY_TARGETS,
    **{name: sorted(DATA.words(name)) for name in (*_VERB_LISTS, *_SUBJECT_LISTS, *_WORD_LISTS)},
    "ailment_words": sorted(_AILMENT_WORDS),
}
"""The word lists this rule's token patterns refer to as ``$name``."""
_PATTERN_KEYS = {
    CURE: ("cure",),
    ANTIVAX: ("vaccine_harm", "vaccine_claims"),
    QUANTIFIED: ("quantified",),
    EFFICACY: ("efficacy",),
    PSEUDOSCIENCE: ("conspiracy", "detox", "immune"),
    UNIVERSAL: ("universal_claim", "comparative_harm", "rival_care", "intervention_harm", "keeps_away"),
    CERTAINTY: ("certainty_mark",),
    HEAL: ("heal",),
    DISMISSAL: ("dismissal",),
    GUARANTEE: ("guarantee",),
    SHOP_LINK: ("shop_link",),
}
"""Cue key -> its token-pattern entries in claims.yaml."""

REASON_ABSOLUTE = "Promises an absolute or guaranteed health outcome; no treatment is certain or risk-free."
REASON_PSEUDO = "Uses miracle-cure or pseudoscientific framing that evidence does not support."
REASON_ANTIVAX = "Repeats an anti-vaccine claim that the scientific evidence contradicts."
REASON_UNSOURCED = "Makes a specific health claim without citing a source."
SUGGESTION = (
    "Remove absolute or miracle wording and cite a reputable source (guideline or peer-reviewed study) "
    "for any health claim."
)
SUGGESTION_ANTIVAX = "Remove the claim; share guidance from a recognised public-health body instead."

_Hit = tuple[tuple[int, int], float, str, str]
"""A claim's token span, confidence, reason and suggestion."""


class ClaimsRule(ContentRule):
    """Absolute and pseudoscience wording always counts; cure, quantified and "studies show" claims
    count only when the post cites no source; anti-vaccine claims unless the sentence debunks them."""

    label = ContentLabel.UNSUPPORTED_CLAIM
    locator_keys = (ABSOLUTE, PSEUDOSCIENCE, CURE, ANTIVAX, QUANTIFIED, APPEAL, EFFICACY, UNIVERSAL, HEAL)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        return {
            key: [p for entry in entries for p in expand(DATA.patterns(entry), _PATTERN_LISTS)]
            for key, entries in _PATTERN_KEYS.items()
        }

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            ABSOLUTE: ABSOLUTE_PHRASES,
            PSEUDOSCIENCE: PSEUDOSCIENCE_PHRASES,
            ANTIVAX: ANTIVAX_PHRASES,
            APPEAL: APPEAL_PHRASES,
            EFFICACY: DATA.phrases("efficacy_phrases"),
            DEBUNK: DEBUNK_PHRASES,
            REFUTE: DATA.phrases("refute"),
            HEALTH_CONTEXT: DATA.words("health_context"),
            AILMENT: (*DATA.words("ailment_extra"), *DATA.phrases("ailment_phrases")),
            TREATMENT: DATA.phrases("treatments"),
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        findings: list[Finding] = []
        sourced = _sourced(cues)
        health_post = cues.has_any((c.HEALTH, HEALTH_CONTEXT))
        for i in range(len(cues.sentences)):
            if _is_question(cues, i) or cues.has(REFUTE, i):
                continue
            hits = self._sentence_hits(cues, i, sourced, health_post)
            if not hits:
                continue
            best = max(hits, key=lambda h: h[1])
            start = min(h[0][0] for h in hits)
            end = max(h[0][1] for h in hits)
            findings.append(self.finding(cues, (start, end), best[1], best[2], best[3]))
        return findings

    def _sentence_hits(self, cues: DocCues, i: int, sourced: bool, health_post: bool) -> list[_Hit]:
        """Claims in sentence ``i`` (negated ones dropped, anti-vaccine ones unless debunked)."""
        antivax: list[_Hit] = []
        if not cues.has(DEBUNK, i):
            antivax = [
                (s, ANTIVAX_CONFIDENCE, REASON_ANTIVAX, SUGGESTION_ANTIVAX) for s in cues.spans(ANTIVAX, i)
            ]
        spans: list[tuple[tuple[int, int], float, str]] = [
            (s, PSEUDOSCIENCE_CONFIDENCE, REASON_PSEUDO) for s in cues.spans(PSEUDOSCIENCE, i)
        ]
        if health_post:
            spans += [(s, ABSOLUTE_CONFIDENCE, REASON_ABSOLUTE) for s in cues.spans(ABSOLUTE, i)]
            spans += [(s, ABSOLUTE_CONFIDENCE, REASON_ABSOLUTE) for s in _guarantees(cues, i)]
            spans += [(s, STRONG_CLAIM_CONFIDENCE, REASON_ABSOLUTE) for s in cues.spans(UNIVERSAL, i)]
            if not cues.has(REFUTE):  # "Myth: ... Fact: ..." busts a myth
                spans += [(s, STRONG_CLAIM_CONFIDENCE, REASON_ABSOLUTE) for s in cues.spans(CERTAINTY, i)]
            spans += [(s, STRONG_CLAIM_CONFIDENCE, REASON_UNSOURCED) for s in _dismissals(cues, i)]
        if not sourced:
            cures = self._cure_claims(cues, i) + cues.spans(HEAL, i)
            spans += [(s, CURE_CLAIM_CONFIDENCE, REASON_UNSOURCED) for s in cures]
            if health_post:
                unsourced = cues.spans(EFFICACY, i) + cues.spans(APPEAL, i)
                spans += [(s, UNSOURCED_CLAIM_CONFIDENCE, REASON_UNSOURCED) for s in unsourced]
                spans += [
                    (s, QUANTIFIED_CLAIM_CONFIDENCE, REASON_UNSOURCED) for s in cues.spans(QUANTIFIED, i)
                ]
        # "No treatment is 100% effective" states the opposite of a claim; quoted or reported words are
        # someone else's.
        own = [h for h in antivax if cues.context.categories(*h[0]).isdisjoint(_NOT_OWN)]
        return own + [
            (s, conf, why, SUGGESTION)
            for s, conf, why in spans
            if not cues.negated(s[0]) and cues.context.categories(*s).isdisjoint(_NOT_OWN)
        ]

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


def _sourced(cues: DocCues) -> bool:
    """Whether the post cites a source; a shop link ("link in bio") is not one."""
    shop = cues.spans(SHOP_LINK)
    return any(not any(a < e and s < b for a, b in shop) for s, e in cues.spans(c.SOURCE))


def _is_question(cues: DocCues, i: int) -> bool:
    """Whether sentence ``i`` ends in a question mark (emoji after it aside): a question asserts nothing."""
    sent = cues.sentences[i]
    last = next((tok for tok in reversed(sent) if tok.is_alpha or tok.is_punct or tok.is_digit), None)
    return last is not None and last.text.endswith("?")


def _guarantees(cues: DocCues, i: int) -> list[tuple[int, int]]:
    """'Guaranteed' standing alone or a guaranteed outcome, not a job guarantee ('guaranteed hours')."""
    doc = cues.doc
    out = []
    for start, end in cues.spans(GUARANTEE, i):
        if any(tok.lower_ in _NOT_GUARANTEED for tok in doc[start : min(end + 1, len(doc))]):
            continue
        alone = end == len(doc) or not (doc[end].is_alpha or doc[end].is_digit)
        if end - start > 1 or alone:
            out.append((start, end))
    return out


def _dismissals(cues: DocCues, i: int) -> list[tuple[int, int]]:
    """A dismissive predicate right after an ailment or treatment ("cancer is simply a fungus", "ADHD isn't
    real", "chemo is poison")."""
    out = []
    for start, end in cues.spans(DISMISSAL, i):
        subjects = [
            *cues.ending_in(c.CONDITION, i, start, start),
            *cues.ending_in(c.SYMPTOM, i, start, start),
            *cues.ending_in(AILMENT, i, start, start),
            *cues.ending_in(c.MEDICATION, i, start, start),
            *cues.ending_in(TREATMENT, i, start, start),
        ]
        if subjects:
            out.append((min(s[0] for s in subjects), end))
    return out
