"""PATIENT_SOLICITATION: inviting individuals to send symptoms, scans or results for a personal opinion."""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.advice.rules.data import expand, load
from postguard.domain.types import ContentLabel, Finding

CONTACT_ME = "SO:CONTACT_ME"
REQUEST = "SO:REQUEST"
REQUEST_GENERIC = "SO:REQUEST_GENERIC"
OFFER = "SO:OFFER"
OPEN_DMS = "SO:OPEN_DMS"
CLINICAL_MATERIAL = "SO:CLINICAL_MATERIAL"
WILL_OPINE = "SO:WILL_OPINE"
PRIVATE_CHANNEL = "SO:PRIVATE_CHANNEL"
REQUEST_IT = "SO:REQUEST_IT"
ASK_ACTION = "SO:ASK_ACTION"
QUICK_LOOK = "SO:QUICK_LOOK"
SO_AILMENT = "SO:AILMENT"

DATA = load("solicitation.yaml")

CLINICAL_MATERIALS: frozenset[str] = DATA.words("clinical_materials")
GENERIC_MATERIALS: frozenset[str] = DATA.words("generic_materials")
"""Only solicitation when the sentence also names a symptom or condition ("send me a photo of the rash")."""

_CONTACT_VERBS = sorted(DATA.words("contact_verbs"))
_SHARE_VERBS = sorted(DATA.words("share_verbs"))
_OFFER_VERBS = sorted(DATA.words("offer_verbs"))
_OPINE_VERBS = sorted(DATA.words("opine_verbs"))
_INFO_OFFERS = DATA.words("info_offers")
""" "DM me and I'll send you the link to our diabetes class" offers information, not an opinion."""
_CLAUSE_LEADS = DATA.words("clause_leads")
_CLAUSE_BREAKS = DATA.words("clause_breaks")
_NOUN_LEADS = DATA.words("noun_leads")
"""Before a share verb these make it a noun ("reports shared in comment your TSH..."), not a request."""
REQUEST_CONFIDENCE = DATA.number("request_confidence")
GENERIC_REQUEST_CONFIDENCE = DATA.number("generic_request_confidence")
OPINION_OFFER_CONFIDENCE = DATA.number("opinion_offer_confidence")
CONSULT_OFFER_CONFIDENCE = DATA.number("consult_offer_confidence")
OPEN_DMS_CONFIDENCE = DATA.number("open_dms_confidence")

_PATTERN_LISTS = {
    "material": sorted(CLINICAL_MATERIALS),
    "share_verbs": _SHARE_VERBS,
    "contact_verbs": _CONTACT_VERBS,
    "offer_verbs": _OFFER_VERBS,
    "opine_verbs": _OPINE_VERBS,
    "ask_verbs": sorted({*_SHARE_VERBS, *_CONTACT_VERBS, "reply", "snap"}),
    "share_or_contact_verbs": sorted({*_SHARE_VERBS, *_CONTACT_VERBS}),
}
"""The word lists this rule's token patterns refer to as ``$name`` (``$material``: clinical by default)."""
_PATTERN_KEYS = {
    CONTACT_ME: "contact_me",
    REQUEST: "request",
    OFFER: "offer",
    WILL_OPINE: "will_opine",
    ASK_ACTION: "ask_action",
    QUICK_LOOK: "quick_look",
    SO_AILMENT: "ailment",
    REQUEST_IT: "request_it",
    PRIVATE_CHANNEL: "private_channel",
    OPEN_DMS: "open_dms",
}
"""Cue key -> its token-pattern entry in solicitation.yaml."""

REASON = "Invites members of the public to send personal health details or images for an individual opinion."
SUGGESTION = (
    "Do not ask for symptoms, images or results on social media; direct people to book through the "
    "hospital's official channels or their own clinician."
)


class SolicitationRule(ContentRule):
    """ "DM me your symptoms", "post your scans below", "I'll review your X-ray" – and not when negated."""

    label = ContentLabel.PATIENT_SOLICITATION
    locator_keys = (CONTACT_ME, REQUEST, REQUEST_GENERIC, OFFER, OPEN_DMS, CLINICAL_MATERIAL)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        patterns = {key: expand(DATA.patterns(entry), _PATTERN_LISTS) for key, entry in _PATTERN_KEYS.items()}
        generic = {**_PATTERN_LISTS, "material": sorted(GENERIC_MATERIALS)}
        patterns[REQUEST_GENERIC] = expand(DATA.patterns("request"), generic)
        return patterns

    def phrases(self) -> dict[str, Iterable[str]]:
        return {CLINICAL_MATERIAL: CLINICAL_MATERIALS}

    def evaluate(self, cues: DocCues) -> list[Finding]:
        findings: list[Finding] = []
        ailment_keys = (c.SYMPTOM, c.CONDITION, CLINICAL_MATERIAL)
        health_post = cues.has_any((*ailment_keys, c.MEDICATION))
        # "Got a weird rash? Drop a photo and I'll take a look": the ailment sits in the sentence before.
        opinion_offered = health_post and cues.has_any((WILL_OPINE, OFFER))
        for i in range(len(cues.sentences)):
            ailment = cues.has_any(ailment_keys, i)
            nearby = ailment or (i > 0 and cues.has_any(ailment_keys, i - 1))
            hits: list[tuple[tuple[int, int], float]] = [
                (s, REQUEST_CONFIDENCE) for s in _requests(cues, REQUEST, i)
            ]
            if ailment or (nearby and opinion_offered):
                hits += [(s, GENERIC_REQUEST_CONFIDENCE) for s in _requests(cues, REQUEST_GENERIC, i)]
                if not any(tok.lower_ in _INFO_OFFERS for tok in cues.sentences[i]):
                    hits += [(s, GENERIC_REQUEST_CONFIDENCE) for s in cues.spans(CONTACT_ME, i)]
            if nearby and opinion_offered:
                hits += [(s, OPINION_OFFER_CONFIDENCE) for s in cues.spans(REQUEST_IT, i)]
            opine_here = cues.spans(WILL_OPINE, i) + cues.spans(QUICK_LOOK, i)
            asks = [s for s in cues.spans(ASK_ACTION, i) if _clause_start(cues, s[0])]
            if opine_here and asks and (health_post or cues.has_any((c.HEALTH, SO_AILMENT))):
                # "Message me your semen analysis and I'll explain…", "Tell me where it hurts and I'll guess…"
                hits += [((asks[0][0], opine_here[-1][1]), OPINION_OFFER_CONFIDENCE)]
            if cues.has(WILL_OPINE, i) and cues.has(c.YOU, i):
                # "send me your test results and I'll let you know what I think"
                hits += [(s, OPINION_OFFER_CONFIDENCE) for s in _requests(cues, REQUEST_GENERIC, i)]
            health_near = cues.has_any((c.HEALTH, SO_AILMENT), i) or nearby
            if health_near and cues.has(PRIVATE_CHANNEL, i):
                private = _requests(cues, REQUEST_GENERIC, i) + cues.spans(PRIVATE_CHANNEL, i)
                hits += [(s, OPINION_OFFER_CONFIDENCE) for s in private]
            if health_post:
                hits += [(s, CONSULT_OFFER_CONFIDENCE) for s in cues.spans(OFFER, i)]
            if ailment and cues.has(c.YOU, i):
                hits += [(s, OPEN_DMS_CONFIDENCE) for s in cues.spans(OPEN_DMS, i)]
            hits = [(s, conf) for s, conf in hits if not _negated(cues, s[0])]
            if not hits:
                continue
            start = min(s for (s, _), _ in hits)
            end = max(e for (_, e), _ in hits)
            confidence = max(conf for _, conf in hits)
            findings.append(self.finding(cues, (start, end), confidence, REASON, SUGGESTION))
        return findings


def _clause_start(cues: DocCues, token_index: int) -> bool:
    """Whether the token opens its sentence or a clause: an imperative ("Message me…", "…, DM me")."""
    sent = cues.sentences[cues.sentence_of(token_index)]
    if token_index == sent.start:
        return True
    prev = cues.doc[token_index - 1]
    vocative = prev.i == sent.start and prev.is_title  # "Pls DM me…", "Kindly send…"
    return prev.lower_ in _CLAUSE_LEADS or prev.text.startswith("@") or vocative


def _requests(cues: DocCues, key: str, i: int) -> list[tuple[int, int]]:
    """Request spans of ``key`` in sentence ``i`` whose verb is a verb, not a noun ("shared in comment")."""
    doc = cues.doc
    return [s for s in cues.spans(key, i) if s[0] == 0 or doc[s[0] - 1].lower_ not in _NOUN_LEADS]


def _negated(cues: DocCues, token_index: int) -> bool:
    """Negated, unless the request opens a new imperative clause ("Don't wait, DM me ...")."""
    if not cues.negated(token_index):
        return False
    sent = cues.sentences[cues.sentence_of(token_index)]
    return token_index == sent.start or cues.doc[token_index - 1].text not in _CLAUSE_BREAKS
