"""MISSING_DISCLAIMER: health information a reader could act on, with no not-medical-advice statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.tokens import Token

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.advice.rules.data import expand, load
from postguard.domain.types import ContentLabel, Finding

DISCLAIMER = "DI:DISCLAIMER"
ADVICE_CUE = "DI:ADVICE_CUE"
EFFECT_CUE = "DI:EFFECT_CUE"
MODAL_CUE = "DI:MODAL_CUE"
SYMPTOM_GUIDANCE = "DI:SYMPTOM_GUIDANCE"
ANNOUNCE = "DI:ANNOUNCE"
ANNOUNCE_SENTENCE = "DI:ANNOUNCE_SENTENCE"
THANKS = "DI:THANKS"
CLINICIAN_REFERRAL = "DI:CLINICIAN_REFERRAL"
SCHEDULE = "DI:SCHEDULE"
EXTRA_HEALTH = "DI:EXTRA_HEALTH"
SUPPORT_LINE = "DI:SUPPORT_LINE"
TIMED_STEP = "DI:TIMED_STEP"

DATA = load("disclaimer.yaml")

DISCLAIMER_PHRASES: tuple[str, ...] = DATA.phrases("disclaimers")
ADVICE_CUES: tuple[str, ...] = DATA.phrases("advice_cues")
EFFECT_CUES: tuple[str, ...] = DATA.phrases("effect_cues")
MODAL_CUES: tuple[str, ...] = DATA.phrases("modal_cues")
SYMPTOM_GUIDANCE_CUES: tuple[str, ...] = DATA.phrases("symptom_guidance")
ANNOUNCEMENTS: tuple[str, ...] = DATA.phrases("announcements")
"""News, events, hiring, awards and research: a post with one is not advice to the reader."""
ANNOUNCEMENT_SENTENCES: tuple[str, ...] = DATA.phrases("announcement_sentences")
"""Openings, welcomes and news reports: only that sentence's health words are not advice."""
THANK_YOUS: tuple[str, ...] = DATA.phrases("thank_yous")
CLINICIAN_REFERRALS: tuple[str, ...] = tuple(
    f"{verb} {det} {who}"
    for verb in c.DATA.phrases("referral_verbs")
    for det in c.DATA.phrases("referral_determiners")
    for who in c.DATA.phrases("referral_clinicians")
)
"""'Talk to your doctor', 'check with a pharmacist': the guidance's disclaimer advising readers to
consult their own provider (shared with the referral cue lists of cues.yaml)."""
ONE_SENTENCE_CONFIDENCE = DATA.number("one_sentence_confidence")
SEVERAL_SENTENCES_CONFIDENCE = DATA.number("several_sentences_confidence")
HELD_CONFIDENCE = DATA.number("held_confidence")
DOSE_ON_HELD_POSTS = bool(DATA.number("dose_on_held_posts"))
"""Whether a post another label holds still gets this finding when it gives a dose (off by default)."""

REASON = (
    "Gives health information a reader could act on without stating that it is general education, "
    "not medical advice."
)
SUGGESTION = (
    'Add a short disclaimer, e.g. "General information, not medical advice - talk to your own clinician '
    'about your situation."'
)

HEALTH_IMPERATIVES: frozenset[str] = DATA.words("health_imperatives")
"""Sentence-opening verbs that make a health sentence a piece of advice ("Drink 8 glasses…")."""
_LEAD_WORDS = DATA.words("lead_words")
_NEGATORS = DATA.words("negators")
_FIRST_PERSON = DATA.words("first_person")
EXTRA_HEALTH_TERMS: frozenset[str] = DATA.words("extra_health_terms")
"""First aid and everyday self-care topics ("a minor burn") the shared health lists lack."""
_PATTERN_LISTS = {
    **{
        name: sorted(DATA.words(name))
        for name in (
            "schedule_units", "dose_counts", "interval_words", "disclaimer_negations", "advice_kinds",
            "referral_possessives", "referral_links",
        )
    },
    "referral_verbs": sorted({v.split()[0] for v in c.DATA.phrases("referral_verbs")}),
    "referral_clinicians": sorted(w for w in c.DATA.phrases("referral_clinicians") if " " not in w),
}  # fmt: skip
"""The word lists this rule's token patterns refer to as ``$name`` (from cues.yaml: the verbs of its
referrals without their preposition, 'check', and its one-word clinicians, 'gp')."""
_HEALTH = (c.HEALTH, EXTRA_HEALTH)
_CLAUSE_MARKS = DATA.words("clause_marks")
_DOSE = (c.DOSAGE, SCHEDULE)


class DisclaimerRule(ContentRule):
    """A post needs a disclaimer when a sentence gives actionable health information: an opening health
    imperative, a directive or a modal with the reader or a group as subject, a dose or schedule, symptom
    guidance, or an effect ("can help", "lowers") next to a health topic.

    News, events, hiring, awards, research announcements and thank-yous need none, unless a sentence of
    their own instructs the reader (an opening health imperative or a dose); a post already held for
    another content label gets none; a disclaimer or a referral to the reader's own clinician clears it.
    """

    label = ContentLabel.MISSING_DISCLAIMER
    locator_keys = (c.HEALTH, ADVICE_CUE, EFFECT_CUE, c.DOSAGE)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        return {
            DISCLAIMER: expand(DATA.patterns("disclaimer"), _PATTERN_LISTS),
            SCHEDULE: expand(DATA.patterns("schedule"), _PATTERN_LISTS),
            TIMED_STEP: expand(DATA.patterns("timed_step"), _PATTERN_LISTS),
        }

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            DISCLAIMER: DISCLAIMER_PHRASES,
            ADVICE_CUE: ADVICE_CUES,
            EFFECT_CUE: EFFECT_CUES,
            MODAL_CUE: MODAL_CUES,
            SYMPTOM_GUIDANCE: SYMPTOM_GUIDANCE_CUES,
            ANNOUNCE: ANNOUNCEMENTS,
            ANNOUNCE_SENTENCE: ANNOUNCEMENT_SENTENCES,
            THANKS: THANK_YOUS,
            CLINICIAN_REFERRAL: CLINICIAN_REFERRALS,
            EXTRA_HEALTH: EXTRA_HEALTH_TERMS,
            SUPPORT_LINE: DATA.phrases("support_lines"),
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        return self.evaluate_with(cues, ())

    def evaluate_with(self, cues: DocCues, earlier: Sequence[Finding]) -> list[Finding]:
        """Like :meth:`evaluate`; ``earlier`` are the other rules' findings on the post (a post they
        already hold needs no disclaimer finding on top)."""
        if cues.has_any((DISCLAIMER, CLINICIAN_REFERRAL, SUPPORT_LINE)) or not cues.has_any(_HEALTH):
            return []
        if _held_by_another_label(earlier):
            if not DOSE_ON_HELD_POSTS:
                return []
            test = _dosing  # held for another label: only a dose a reader could copy adds this finding
        else:
            test = _instruction if cues.has_any((ANNOUNCE, THANKS)) else _actionable
        actionable = [i for i in range(len(cues.sentences)) if test(cues, i)]
        if not actionable:
            return []
        # Point at a sentence that itself names the health topic where there is one.
        actionable.sort(key=lambda i: (not cues.has_any(_HEALTH, i), i))
        confidence = ONE_SENTENCE_CONFIDENCE if len(actionable) == 1 else SEVERAL_SENTENCES_CONFIDENCE
        sentence = cues.sentences[actionable[0]]
        return [self.finding(cues, (sentence.start, sentence.end), confidence, REASON, SUGGESTION)]


def _held_by_another_label(earlier: Sequence[Finding]) -> bool:
    """Whether another content rule already found something the shipped policies act on."""
    return any(
        f.label != ContentLabel.MISSING_DISCLAIMER.value and f.confidence >= HELD_CONFIDENCE for f in earlier
    )


def _actionable(cues: DocCues, i: int) -> bool:
    """Whether sentence ``i`` gives health information a reader could act on."""
    if cues.has(ANNOUNCE_SENTENCE, i):
        return False
    health_here = cues.has_any(_HEALTH, i)
    if _dosing(cues, i) or (health_here and cues.has(TIMED_STEP, i)):
        return True  # a dose or a schedule: "1000 IU daily", "every 6 hours", "pinch it for 10 minutes"
    if health_here and _asserted(cues, EFFECT_CUE, i):
        return True  # "walking 30 minutes a day can lower blood pressure" (not "does not prevent colds")
    near_health = health_here or (i > 0 and cues.has_any(_HEALTH, i - 1))
    if not near_health:
        return False
    if _asserted(cues, ADVICE_CUE, i) or cues.has(SYMPTOM_GUIDANCE, i) or _opens_with_imperative(cues, i):
        return True
    # a modal needs the health topic in its own sentence ("... who need to get a grip" after a health word)
    return health_here and any(not _author_subject(cues, start) for start, _ in cues.spans(MODAL_CUE, i))


def _dosing(cues: DocCues, i: int) -> bool:
    """Whether sentence ``i`` gives a dose or a schedule of a health measure ("1000 IU daily")."""
    if cues.has(ANNOUNCE_SENTENCE, i) or not cues.has_any(_DOSE, i):
        return False
    return cues.has_any((*_HEALTH, c.MEDICATION), i)


def _asserted(cues: DocCues, key: str, i: int) -> bool:
    """Whether a cue ``key`` of sentence ``i`` is outside a negation's reach ("would not recommend")."""
    return any(not cues.negated(start) for start, _ in cues.spans(key, i))


def _instruction(cues: DocCues, i: int) -> bool:
    """In a news, event, hiring, award or thank-you post only a sentence of its own that instructs the
    reader counts ("Join us Saturday! Drink less alcohol to lower your blood pressure.")."""
    if cues.has_any((ANNOUNCE, THANKS, ANNOUNCE_SENTENCE), i) or not cues.has_any(_HEALTH, i):
        return False
    return _opens_with_imperative(cues, i) or cues.has_any(_DOSE, i)


def _opens_with_imperative(cues: DocCues, i: int) -> bool:
    """Whether sentence ``i``, or a clause after its colon or dash, opens with a health imperative
    ("Drink…", "Don't skip…", "Hot weather tip: wear…", "How to treat a burn: cool it…")."""
    sent = cues.sentences[i]
    first = cues.first_word(i, _LEAD_WORDS)
    openings = [] if first is None else [first]
    openings += [tok.i + 1 for tok in sent[:-1] if tok.lower_ in _CLAUSE_MARKS or _is_emoji(tok)]
    return any(_imperative_at(cues, k, sent.end) for k in openings)


def _is_emoji(tok: Token) -> bool:
    """Whether ``tok`` is an emoji or another pictograph, which social posts use between tips."""
    return not (tok.is_ascii or tok.is_alpha or tok.is_digit or tok.is_punct or tok.is_space)


def _imperative_at(cues: DocCues, k: int, sent_end: int) -> bool:
    """Whether a health imperative (after any negation or lead word: "and always use ...") starts at
    token ``k``."""
    while k < sent_end - 1 and (cues.doc[k].lower_ in _NEGATORS or cues.doc[k].lower_ in _LEAD_WORDS):
        k += 1
    return cues.doc[k].lower_ in HEALTH_IMPERATIVES


def _author_subject(cues: DocCues, modal_start: int) -> bool:
    """Whether the author is the modal's subject ("I need sleep", "we should celebrate"): not advice."""
    return cues.preceded_by(modal_start, _FIRST_PERSON, 2)
