"""PERSONAL_ADVICE: advice or a diagnosis aimed at one individual, not general education."""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.advice.rules.data import expand, load
from postguard.domain.types import ContentLabel, Finding

MODAL = "PA:MODAL"
PERSONAL = "PA:PERSONAL"
YOUR_SYMPTOM = "PA:YOUR_SYMPTOM"
PROCEDURE = "PA:PROCEDURE"
HEDGED_DIAGNOSIS = "PA:HEDGED_DIAGNOSIS"
MAYBE_DIAGNOSIS = "PA:MAYBE_DIAGNOSIS"
RECOMMEND = "PA:RECOMMEND"
DIAGNOSIS = "PA:DIAGNOSIS"
PREVENTIVE = "PA:PREVENTIVE"
REPLY_HEALTH = "PA:REPLY_HEALTH"
VERDICT = "PA:VERDICT"
THAT_VERDICT = "PA:THAT_VERDICT"
REASSURE = "PA:REASSURE"
REFUSAL = "PA:REFUSAL"
ADDRESSEE = "PA:ADDRESSEE"
REPLY_REFERRAL = "PA:REPLY_REFERRAL"

DATA = load("personal_advice.yaml")

MODAL_PHRASES: tuple[str, ...] = DATA.phrases("modal")
FIRST_PERSON_RX: tuple[str, ...] = DATA.phrases("first_person_rx")
"""A clinician's own recommendation of a treatment: addressed to the reader even without "you"."""
IMPERATIVE_VERBS: frozenset[str] = DATA.words("imperative_verbs")
PERSONAL_PHRASES: tuple[str, ...] = DATA.phrases("personal")
PROCEDURES: tuple[str, ...] = DATA.phrases("procedures")
PREVENTIVE_TERMS: tuple[str, ...] = DATA.phrases("preventive")
EXTRA_AILMENTS: frozenset[str] = DATA.words("extra_ailments")
"""Ailments and lab values clinicians discuss in replies that the shared cue lists lack."""
REPLY_VERBS: frozenset[str] = IMPERATIVE_VERBS | DATA.words("reply_verbs")
"""Directives a clinician gives one follower in a reply, anywhere in a clause ("…, ice it and rest")."""

_DIRECTIVE_LEAD = DATA.words("directive_lead")
_AGAINST = DATA.words("against")
"""Telling one person to skip a vaccine or screening is personal advice, unlike recommending one."""
_GENERIC_SUBJECTS = DATA.words("generic_subjects")
_SKIP_AT_START = DATA.words("skip_at_start")
_GENERIC_MARKERS = DATA.words("generic_markers") | _GENERIC_SUBJECTS
_NEGATORS = DATA.words("negators")
_CONDITIONALS = DATA.words("conditionals")
_REPLY_LEADS = DATA.words("reply_leads")
_SEND_CHANNELS = DATA.words("send_channels")
DIAGNOSIS_CONFIDENCE = DATA.number("diagnosis_confidence")
REPLY_DOSE_CONFIDENCE = DATA.number("reply_dose_confidence")
REPLY_CONFIDENCE = DATA.number("reply_confidence")
ADVICE_BASE = DATA.number("advice_base")
DOSE_BONUS = DATA.number("dose_bonus")
ADDRESSED_MEDICATION_BONUS = DATA.number("addressed_medication_bonus")
MEDICATION_BONUS = DATA.number("medication_bonus")
SYMPTOM_BONUS = DATA.number("symptom_bonus")
PERSONAL_BONUS = DATA.number("personal_bonus")
YOU_AND_MODAL_BONUS = DATA.number("you_and_modal_bonus")
CONDITIONAL_PENALTY = DATA.number("conditional_penalty")
ADVICE_THRESHOLD = DATA.number("advice_threshold")
ADVICE_CAP = DATA.number("advice_cap")

REASSURANCES: tuple[str, ...] = DATA.phrases("reassurances")
REFUSALS: tuple[str, ...] = DATA.phrases("refusals")
"""An account declining to advise: its reply is a referral, not advice."""

_ADDRESSEES = DATA.phrases("addressee_nouns")
ADDRESSEES: tuple[str, ...] = (
    *(f"{prep} the {who}" for prep in ("to", "for") for who in _ADDRESSEES),
    *(f"dear {who}" for who in _ADDRESSEES),
    *DATA.phrases("addressees"),
)
"""Framings that answer one follower's own question, like a reply ("To the mom who messaged me: …")."""
_NOT_NAMES = frozenset(DATA.phrases("not_names"))
""" "Honestly, …" is not someone's name."""

_PATTERN_LISTS = {
    "ailments": sorted(c.SYMPTOMS | c.CONDITIONS | EXTRA_AILMENTS),
    "conditions": sorted(c.CONDITIONS | EXTRA_AILMENTS),
    "verdicts": sorted(c.CONDITIONS | c.SYMPTOMS | EXTRA_AILMENTS | DATA.words("verdict_words")),
    "extra_ailments": sorted(EXTRA_AILMENTS),
    **{
        name: sorted(DATA.words(name))
        for name in ("not_diagnoses", "demonstratives", "copulas", "qualifiers")
    },
}
"""The word lists this rule's token patterns refer to as ``$name``."""
_PATTERN_KEYS = {
    YOUR_SYMPTOM: "your_symptom",
    HEDGED_DIAGNOSIS: "hedged_diagnosis",
    MAYBE_DIAGNOSIS: "maybe_diagnosis",
    DIAGNOSIS: "diagnosis",
    VERDICT: "verdict",
    THAT_VERDICT: "that_verdict",
    REPLY_HEALTH: "reply_health",
    ADDRESSEE: "addressee_who",
}
"""Cue key -> its token-pattern entry in personal_advice.yaml."""

REASON_DOSE = "Advice aimed at one individual about a medication dose or schedule."
REASON_MEDICATION = "Advice aimed at one individual about starting, stopping or changing a medication."
REASON_SYMPTOM = "Advice aimed at one individual about their own symptoms or condition."
REASON_DIAGNOSIS = "Suggests a diagnosis for one individual's symptoms without examining them."
SUGGESTION = (
    "Give general information and direct the person to their own clinician "
    "or the hospital's official channels."
)


class PersonalAdviceRule(ContentRule):
    """Second person + directive (modal or imperative) + dose, medication or the person's own symptom.

    Generic subjects ("adults should…"), generic conditionals without a dose ("if you have diabetes,
    check your feet") and pure referrals ("talk to your doctor") are education, not personal advice.
    """

    label = ContentLabel.PERSONAL_ADVICE
    locator_keys = (MODAL, PERSONAL, YOUR_SYMPTOM, DIAGNOSIS, HEDGED_DIAGNOSIS, c.DOSAGE, c.MEDICATION)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        return {key: expand(DATA.patterns(entry), _PATTERN_LISTS) for key, entry in _PATTERN_KEYS.items()}

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            REASSURE: REASSURANCES,
            ADDRESSEE: ADDRESSEES,
            REFUSAL: REFUSALS,
            MODAL: MODAL_PHRASES,
            PERSONAL: PERSONAL_PHRASES,
            PREVENTIVE: PREVENTIVE_TERMS,
            PROCEDURE: PROCEDURES,
            RECOMMEND: FIRST_PERSON_RX,
            REPLY_REFERRAL: DATA.phrases("reply_referrals"),
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        findings: list[Finding] = []
        refused = cues.has(REFUSAL)
        doc_reply = is_reply(cues) or cues.has(ADDRESSEE)
        for i in range(len(cues.sentences)):
            if _asks_to_send(cues, i):
                continue  # "drop your symptoms in my inbox and I'll advise": solicitation, not advice given
            reply = doc_reply or vocative(cues, i)
            finding = self._diagnosis(cues, i)
            if finding is None and not (refused and not cues.has(c.DOSAGE, i)):
                finding = self._advice(cues, i, reply)  # "I'd never give you a dose online": a refusal
            if finding is None and reply and not refused:
                finding = self._reply(cues, i)
            if finding is None and not refused:
                finding = self._stated_dose(cues, i, reply)
            if finding is not None:
                findings.append(finding)
        return findings

    def _diagnosis(self, cues: DocCues, i: int) -> Finding | None:
        """A diagnosis offered to the reader.

        Examples: your rash sounds like shingles; it's possible that you have X; I suspect you have X.
        "You may have <condition>" counts only next to a personal cue ("based on your symptoms").
        """
        first = cues.first_word(i, _SKIP_AT_START)
        if first is None or cues.doc[first].lower_ in _CONDITIONALS:
            return None
        personal = cues.spans(PERSONAL, i) + cues.spans(YOUR_SYMPTOM, i)
        hits = cues.spans(HEDGED_DIAGNOSIS, i)
        if cues.has(c.YOU, i) or personal:
            hits = hits + cues.spans(DIAGNOSIS, i)
        if personal:
            hits = hits + cues.spans(MAYBE_DIAGNOSIS, i)
        if not hits:
            return None
        return self.finding(cues, _cover(hits + personal), DIAGNOSIS_CONFIDENCE, REASON_DIAGNOSIS, SUGGESTION)

    def _reply(self, cues: DocCues, i: int) -> Finding | None:
        """A reply to one follower that tells them what to do or what their problem is.

        Examples: "@sara that sounds like plantar fasciitis, ice it and stretch your calf";
        "@rob that mole looks benign, nothing to worry about"; "@nina skip the aspirin".
        """
        referral = _referral(cues, i)
        health = _health_spans(cues, i)
        verdict = cues.spans(THAT_VERDICT, i) + cues.spans(REASSURE, i)
        if cues.has(c.YOU, i):
            verdict = verdict + cues.spans(VERDICT, i)
        if not health and not (verdict and i > 0 and _health_spans(cues, i - 1)):
            return None  # "... a panic attack, not your heart. You're fine, don't bother with A&E"
        health = health or verdict
        directive = _reply_directive(cues, i)
        if directive is None:
            directive = _you_modal(cues, i)  # "@sam at 34 weeks you should be lying on your left side"
        used = health + verdict + ([(directive, directive + 1)] if directive is not None else [])
        skip_prevention = (directive is not None and cues.doc[directive].lower_ in _AGAINST) or cues.has(
            REASSURE, i
        )
        if directive is not None and cues.has(PREVENTIVE, i) and not cues.has(c.MEDICATION, i):
            directive = directive if skip_prevention else None
        if directive is None and not verdict:
            return None
        if referral and (directive is None or not cues.has_any((c.DOSAGE, c.MEDICATION), i)):
            return None  # "…, see your doctor" – unless a named drug or dose is prescribed alongside
        if directive is not None:
            reason = REASON_DOSE if cues.has(c.DOSAGE, i) else REASON_MEDICATION
            if not cues.has_any((c.DOSAGE, c.MEDICATION), i):
                reason = REASON_SYMPTOM
            confidence = REPLY_DOSE_CONFIDENCE if cues.has(c.DOSAGE, i) else REPLY_CONFIDENCE
        else:
            reason, confidence = REASON_DIAGNOSIS, REPLY_CONFIDENCE
        return self.finding(cues, _cover(used), confidence, reason, SUGGESTION)

    def _stated_dose(self, cues: DocCues, i: int, reply: bool) -> Finding | None:
        """A dose told to one person without a directive verb: "@jo 400mg is fine, not on an empty
        stomach"; "in your case the usual dose is 500mg twice a day". Dose figures in a reply framed as
        general information ("generally adults take 1000mg") are education, not personal advice."""
        personal = cues.spans(PERSONAL, i)
        if not (reply or personal) or _referral(cues, i):
            return None
        doses = [s for s in cues.spans(c.DOSAGE, i) if cues.doc[s[0]].text[:1].isdigit()]
        if not doses:
            return None
        if not personal and any(tok.lower_ in _GENERIC_MARKERS for tok in cues.sentences[i]):
            return None
        return self.finding(cues, _cover(doses + personal), REPLY_DOSE_CONFIDENCE, REASON_DOSE, SUGGESTION)

    def _advice(self, cues: DocCues, i: int, reply: bool) -> Finding | None:
        first = cues.first_word(i, _SKIP_AT_START)
        if first is None:
            return None
        first_lower = cues.doc[first].lower_
        if first_lower == "never" and not (reply or cues.has(PERSONAL, i)):
            return None  # "Never stop X suddenly…" states a rule for everyone
        imperative_at = _imperative_index(cues, first)
        if imperative_at is None and first_lower not in _CONDITIONALS and cues.has(YOUR_SYMPTOM, i):
            mid = _reply_directive(
                cues, i
            )  # "Your headache is from your BP, … take your amlodipine at night"
            if mid is not None and cues.has_any((c.MEDICATION, c.DOSAGE), i):
                imperative_at = mid
        if imperative_at is None and first_lower in _CONDITIONALS:
            imperative_at = _imperative_after_condition(cues, i)
        modal = cues.spans(MODAL, i)
        if imperative_at is None and not modal:
            return None
        personal = cues.spans(PERSONAL, i)
        strong = bool(personal) or reply
        you = cues.spans(c.YOU, i) + cues.spans(RECOMMEND, i)
        if not (you or strong):
            return (
                None  # "Start ibuprofen 400mg the day before": a tip to every reader (MISSING_DISCLAIMER's)
            )
        if first_lower in _GENERIC_SUBJECTS and not strong:
            return None
        dose = cues.spans(c.DOSAGE, i)
        meds = cues.spans(c.MEDICATION, i) + cues.spans(PROCEDURE, i)
        own_symptom = cues.spans(YOUR_SYMPTOM, i)
        if strong and not own_symptom:
            own_symptom = _health_spans(cues, i)  # "in your case I'd stay home until the contractions ..."
        if not (dose or meds or own_symptom):
            return None
        if not (dose or meds or strong or modal):
            return None  # "Cut down on salt to lower your blood pressure": a tip to every reader
        if _referral(cues, i) and not dose and not strong:
            return None
        if cues.has(PREVENTIVE, i) and not dose and not meds and not (strong and cues.has(REASSURE, i)):
            return None  # recommending a vaccine is education; "I'd give the booster a miss" is not

        confidence, reason = _advice_score(bool(dose), bool(meds), bool(you), strong, bool(modal))
        if first_lower in _CONDITIONALS and not strong:
            confidence -= CONDITIONAL_PENALTY
        if confidence < ADVICE_THRESHOLD:
            return None
        used = personal + you + dose + meds + own_symptom + modal
        if imperative_at is not None:
            used.append((imperative_at, imperative_at + 1))
        return self.finding(cues, _cover(used), min(confidence, ADVICE_CAP), reason, SUGGESTION)


def _advice_score(dose: bool, meds: bool, you: bool, strong: bool, modal: bool) -> tuple[float, str]:
    """The advice score (``advice_base`` plus the bonuses that apply) and the reason's kind."""
    confidence = ADVICE_BASE
    if dose:
        confidence += DOSE_BONUS
        reason = REASON_DOSE
    elif meds:
        confidence += ADDRESSED_MEDICATION_BONUS if (you or strong) else MEDICATION_BONUS
        reason = REASON_MEDICATION
    else:
        confidence += SYMPTOM_BONUS
        reason = REASON_SYMPTOM
    if strong:
        confidence += PERSONAL_BONUS
    if you and modal:
        confidence += YOU_AND_MODAL_BONUS
    return confidence, reason


def is_reply(cues: DocCues) -> bool:
    """Whether the post answers one account: opens with "@name", or a reply word before one
    ("Replying to @name", "stitch w/ @name:", "answering @name"), or a @handle ending its opening
    ("Great question @sam: ...")."""
    doc = cues.doc
    if not len(doc):
        return False
    if doc[0].text.startswith("@"):
        return True
    opening = doc[:6]
    handles = [t.i for t in opening if t.text.startswith("@") and len(t) > 1]
    if not handles:
        return False
    if any(t.lower_ in _REPLY_LEADS for t in doc[: handles[0]]):
        return True
    after = handles[0] + 1
    return after < len(doc) and doc[after].text in (":", "—", "-")


def vocative(cues: DocCues, i: int) -> bool:
    """Whether sentence ``i`` addresses one person by name ("Sarah, from what you described …")."""
    sent = cues.sentences[i]
    if not cues.has(c.YOU, i):
        return False
    for tok in sent[:-1]:
        at_start = tok.i == sent.start or cues.doc[tok.i - 1].text in (":", "-", "—")
        if not at_start or not tok.is_title or not tok.is_alpha or len(tok) < 3:
            continue
        name_like = not (
            tok.is_stop
            or tok.text in _NOT_NAMES
            or tok.lower_ in _GENERIC_SUBJECTS
            or tok.lower_.endswith("ly")  # "Normally, …"
        )
        if cues.doc[tok.i + 1].text == "," and name_like:
            return True
    return False


def _health_spans(cues: DocCues, i: int) -> list[tuple[int, int]]:
    """Health cues of sentence ``i``: medications, doses, symptoms, conditions, procedures, vaccines,
    lab values."""
    keys = (c.MEDICATION, c.DOSAGE, c.SYMPTOM, c.CONDITION, YOUR_SYMPTOM, REPLY_HEALTH, PROCEDURE, PREVENTIVE)
    return [s for k in keys for s in cues.spans(k, i)]


def _referral(cues: DocCues, i: int) -> bool:
    """Whether sentence ``i`` sends the person to care ("see your GP", "ring your pharmacy")."""
    return cues.has_any((c.REFERRAL, REPLY_REFERRAL), i)


def _asks_to_send(cues: DocCues, i: int) -> bool:
    """Whether sentence ``i`` invites the reader to send something privately, with no dose in it."""
    return not cues.has(c.DOSAGE, i) and any(tok.lower_ in _SEND_CHANNELS for tok in cues.sentences[i])


def _you_modal(cues: DocCues, i: int) -> int | None:
    """Token index of a modal whose subject is the reader ("you should", "you specifically need")."""
    for start, _ in cues.spans(MODAL, i):
        if cues.preceded_by(start, c.SECOND_PERSON, 2) or cues.doc[start].lower_ in ("you", "u"):
            return start
    return None


def _reply_directive(cues: DocCues, i: int) -> int | None:
    """Token index of a directive verb opening a clause of sentence ``i`` ("…, skip the aspirin")."""
    sent = cues.sentences[i]
    first = cues.first_word(i, _SKIP_AT_START)
    med_starts = {s for s, _ in cues.spans(c.MEDICATION, i)}
    for tok in sent:
        if tok.lower_ not in REPLY_VERBS:
            continue
        if tok.i == first or (tok.i > sent.start and cues.doc[tok.i - 1].lower_ in _DIRECTIVE_LEAD):
            return tok.i
        if tok.i + 1 in med_starts or tok.i + 2 in med_starts:  # "…fever alternate Tylenol and Motrin"
            return tok.i
    return None


def _imperative_index(cues: DocCues, first: int) -> int | None:
    """Token index of a sentence-initial imperative verb ("take…", "don't stop…"), else None."""
    doc = cues.doc
    i = first
    if doc[i].lower_ in _NEGATORS:
        i += 1
        if i < len(doc) and doc[i].lower_ in ("n't", "not"):
            i += 1
    if i < len(doc) and doc[i].lower_ in IMPERATIVE_VERBS and cues.sentence_of(i) == cues.sentence_of(first):
        return i
    return None


def _imperative_after_condition(cues: DocCues, i: int) -> int | None:
    """The imperative opening the main clause of "If you have a fever, take …"."""
    sent = cues.sentences[i]
    comma = next((tok.i for tok in sent if tok.text == ","), None)
    if comma is None or comma + 1 >= sent.end:
        return None
    k = comma + 1
    while k < sent.end - 1 and cues.doc[k].lower_ in _SKIP_AT_START:
        k += 1
    return _imperative_index(cues, k)


def _cover(spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The smallest token span covering all ``spans``."""
    return min(s for s, _ in spans), max(e for _, e in spans)
