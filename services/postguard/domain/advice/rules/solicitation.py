"""PATIENT_SOLICITATION: inviting individuals to send symptoms, scans or results for a personal opinion."""

from __future__ import annotations

from collections.abc import Iterable

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern, words
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

CLINICAL_MATERIALS: frozenset[str] = words(
    """
    symptom symptoms scan scans x-ray x-rays xray xrays mri mris ct cts ultrasound ultrasounds labs
    bloodwork rash rashes mole moles lump lumps ecg ekg prescription prescriptions meds medications diagnosis
    a1c hba1c tsh psa ldl cholesterol readings echo echocardiogram mammogram mammograms biopsy pathology
    breakout breakouts wound wounds
    """
)
GENERIC_MATERIALS: frozenset[str] = words(
    "results report reports records photo photos pic pics picture pictures image images selfie selfies "
    "video videos clip clips"
)
"""Only solicitation when the sentence also names a symptom or condition ("send me a photo of the rash")."""

_CONTACT_VERBS = [
    "dm",
    "pm",
    "message",
    "msg",
    "inbox",
    "email",
    "e-mail",
    "text",
    "send",
    "whatsapp",
    "ping",
]
_SHARE_VERBS = [
    "post",
    "share",
    "drop",
    "upload",
    "comment",
    "send",
    "tell",
    "describe",
    "list",
    "attach",
    "dm",
    "leave",
    "snap",
    "bring",
]
_OFFER_VERBS = ["diagnose", "review", "read", "interpret", "check", "assess", "look", "evaluate", "triage"]
_OPINE_VERBS = [
    "tell", "let", "take", "have", "look", "check", "diagnose", "explain", "read", "interpret", "answer",
    "give", "rate", "say", "build", "point", "review", "guess", "assess", "judge",
]  # fmt: skip
_INFO_OFFERS = words(
    "link links info information details flyer schedule class classes program programme event events "
    "registration signup sign-up group webinar"
)
""" "DM me and I'll send you the link to our diabetes class" offers information, not an opinion."""
_NEGATORS = frozenset(["don't", "dont", "never", "not", "n't", "no", "avoid", "stop"])

REASON = "Invites members of the public to send personal health details or images for an individual opinion."
SUGGESTION = (
    "Do not ask for symptoms, images or results on social media; direct people to book through the "
    "hospital's official channels or their own clinician."
)


def _request_patterns(material: dict[str, object]) -> list[TokenPattern]:
    """Patterns asking for or offering to read ``material``: "post your scans", "I'll review your MRI"."""
    return [
        [
            {"LOWER": {"IN": _SHARE_VERBS}},
            {"LOWER": {"IN": ["me", "us"]}, "OP": "?"},
            {"LOWER": {"IN": ["your", "ur", "a", "any", "the"]}},
            {"IS_PUNCT": False, "OP": "{0,4}"},
            material,
        ],
        [
            {"LOWER": "let"},
            {"LOWER": {"IN": ["me", "us"]}},
            {"LOWER": "know"},
            {"LOWER": {"IN": ["your", "ur", "about", "what"]}},
            {"IS_PUNCT": False, "OP": "{0,3}"},
            material,
        ],
        # TikTok/Reels: "stitch this with your symptoms", "duet this with a video of your cough"
        [
            {"LOWER": {"IN": ["stitch", "duet", "reply", "respond"]}},
            {"LOWER": {"IN": ["this", "me", "to"]}},
            {"LOWER": {"IN": ["this", "video"]}, "OP": "?"},
            {"LOWER": "with"},
            {"LOWER": {"IN": ["your", "ur", "a", "any", "the"]}},
            {"IS_PUNCT": False, "OP": "{0,4}"},
            material,
        ],
        [
            {"LOWER": {"IN": ["comment", "reply", "drop"]}},
            {"LOWER": {"IN": ["with", "below", "here"]}},
            {"IS_ALPHA": True, "OP": "{0,2}"},
            {"LOWER": {"IN": ["your", "ur"]}},
            {"IS_PUNCT": False, "OP": "{0,3}"},
            material,
        ],
        [
            {"LOWER": {"IN": ["i", "i'll", "we", "we'll"]}},
            {"LOWER": {"IN": ["'ll", "will", "can", "could", "'d", "would", "am", "'m"]}, "OP": "?"},
            {"LOWER": {"IN": ["happy", "glad"]}, "OP": "?"},
            {"LOWER": "to", "OP": "?"},
            {"LOWER": {"IN": _OFFER_VERBS}},
            {"LOWER": {"IN": ["at", "over"]}, "OP": "?"},
            {"LOWER": {"IN": ["your", "ur", "any"]}},
            {"IS_ALPHA": True, "OP": "{0,2}"},
            material,
        ],
        # "happy to review anyone's CT results", "anyone want a free read of their echo?"
        [
            {"LOWER": {"IN": ["happy", "glad", "free"]}},
            {"LOWER": "to", "OP": "?"},
            {"LOWER": {"IN": [*_OFFER_VERBS, "read"]}},
            {"LOWER": {"IN": ["of", "at", "over"]}, "OP": "?"},
            {"LOWER": {"IN": ["your", "ur", "any", "anyone", "anybody", "their", "someone"]}},
            {"LOWER": "'s", "OP": "?"},
            {"IS_ALPHA": True, "OP": "{0,2}"},
            material,
        ],
    ]


class SolicitationRule(ContentRule):
    """ "DM me your symptoms", "post your scans below", "I'll review your X-ray" – and not when negated."""

    label = ContentLabel.PATIENT_SOLICITATION
    locator_keys = (CONTACT_ME, REQUEST, REQUEST_GENERIC, OFFER, OPEN_DMS, CLINICAL_MATERIAL)

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        return {
            CONTACT_ME: [
                [{"LOWER": {"IN": _CONTACT_VERBS}}, {"LOWER": {"IN": ["me", "us"]}}],
                [
                    {"LOWER": {"IN": ["send", "dm", "pm", "message", "email", "text"]}},
                    {"LOWER": "them"},
                    {"LOWER": {"IN": ["to", "my"]}},
                ],
            ],
            REQUEST: _request_patterns({"LOWER": {"IN": sorted(CLINICAL_MATERIALS)}}),
            REQUEST_GENERIC: _request_patterns({"LOWER": {"IN": sorted(GENERIC_MATERIALS)}}),
            OFFER: [
                [
                    {"LOWER": "free"},
                    {"LOWER": {"IN": ["virtual", "online", "quick", "personal", "video", "dm"]}, "OP": "?"},
                    {"LOWER": {"IN": ["consult", "consultation", "consultations", "consults", "diagnosis"]}},
                ],
                [
                    {"LOWER": "ask"},
                    {"LOWER": "me"},
                    {"LOWER": "anything", "OP": "?"},
                    {"LOWER": "about"},
                    {"LOWER": {"IN": ["your", "ur"]}},
                ],
            ],
            WILL_OPINE: [
                [
                    {"LOWER": {"IN": ["i", "i'll"]}},
                    {"LOWER": {"IN": ["'ll", "will", "can", "'d", "would"]}, "OP": "?"},
                    {"LOWER": {"IN": _OPINE_VERBS}},
                    {
                        "LOWER": {
                            "IN": ["you", "u", "a", "it", "them", "if", "whether", "what", "your", "which"]
                        }
                    },
                ],
                [{"LOWER": "i"}, {"LOWER": {"IN": ["reply", "answer", "respond"]}}, {"LOWER": "to"}],
            ],
            ASK_ACTION: [[{"LOWER": {"IN": sorted({*_SHARE_VERBS, *_CONTACT_VERBS, "reply", "snap"})}}]],
            QUICK_LOOK: [
                [
                    {"LOWER": "for"},
                    {"LOWER": {"IN": ["a", "my"]}},
                    {"LOWER": {"IN": ["quick", "free", "second", "honest", "personal"]}, "OP": "?"},
                    {"LOWER": {"IN": ["look", "read", "opinion", "diagnosis", "assessment", "review"]}},
                ]
            ],
            SO_AILMENT: [
                [{"LOWER": {"IN": ["hurts", "hurt", "hurting", "poop", "stool", "injury", "injuries"]}}]
            ],
            REQUEST_IT: [
                [
                    {"LOWER": {"IN": sorted(set(_SHARE_VERBS + _CONTACT_VERBS))}},
                    {"LOWER": {"IN": ["it", "them", "one"]}},
                    {"LOWER": {"IN": ["in", "below", "here", "to", "over", "my"]}},
                ],
            ],
            PRIVATE_CHANNEL: [
                [
                    {"LOWER": {"IN": ["to", "in", "into", "on"]}},
                    {"LOWER": "my"},
                    {"LOWER": "story", "OP": "?"},
                    {"LOWER": {"IN": ["dms", "dm", "inbox", "whatsapp", "email", "messages", "replies"]}},
                ],
                [
                    {"LOWER": {"IN": ["send", "dm", "message"]}},
                    {"LOWER": "it"},
                    {"LOWER": "to"},
                    {"LOWER": "me"},
                ],
                [{"LOWER": "send"}, {"LOWER": {"IN": ["it", "them"]}}, {"LOWER": {"IN": ["over", "my"]}}],
            ],
            OPEN_DMS: [
                [
                    {"LOWER": {"IN": ["dms", "dm", "inbox", "messages"]}},
                    {"LOWER": {"IN": ["are", "is"]}, "OP": "?"},
                    {"LOWER": {"IN": ["open", "always"]}},
                ],
            ],
        }

    def phrases(self) -> dict[str, Iterable[str]]:
        return {CLINICAL_MATERIAL: CLINICAL_MATERIALS}

    def evaluate(self, cues: DocCues) -> list[Finding]:
        findings: list[Finding] = []
        ailment_keys = (c.SYMPTOM, c.CONDITION, CLINICAL_MATERIAL)
        health_post = cues.has_any((*ailment_keys, c.MEDICATION))
        # "Got a weird rash? Drop a photo and I'll take a look": the ailment sits in the sentence before.
        opinion_offered = health_post and cues.has(WILL_OPINE)
        for i in range(len(cues.sentences)):
            ailment = cues.has_any(ailment_keys, i)
            nearby = ailment or (i > 0 and cues.has_any(ailment_keys, i - 1))
            hits: list[tuple[tuple[int, int], float]] = [(s, 0.85) for s in cues.spans(REQUEST, i)]
            if ailment or (nearby and opinion_offered):
                hits += [(s, 0.8) for s in cues.spans(REQUEST_GENERIC, i)]
                if not any(tok.lower_ in _INFO_OFFERS for tok in cues.sentences[i]):
                    hits += [(s, 0.8) for s in cues.spans(CONTACT_ME, i)]
            if nearby and opinion_offered:
                hits += [(s, 0.75) for s in cues.spans(REQUEST_IT, i)]
            opine_here = cues.spans(WILL_OPINE, i) + cues.spans(QUICK_LOOK, i)
            asks = [s for s in cues.spans(ASK_ACTION, i) if _clause_start(cues, s[0])]
            if opine_here and asks and (health_post or cues.has_any((c.HEALTH, SO_AILMENT))):
                # "Message me your semen analysis and I'll explain…", "Tell me where it hurts and I'll guess…"
                hits += [((asks[0][0], opine_here[-1][1]), 0.75)]
            if cues.has(WILL_OPINE, i) and cues.has(c.YOU, i):
                # "send me your test results and I'll let you know what I think"
                hits += [(s, 0.75) for s in cues.spans(REQUEST_GENERIC, i)]
            health_near = cues.has(c.HEALTH, i) or nearby
            if health_near and cues.has(PRIVATE_CHANNEL, i):
                hits += [(s, 0.75) for s in cues.spans(REQUEST_GENERIC, i) + cues.spans(PRIVATE_CHANNEL, i)]
            if health_post:
                hits += [(s, 0.7) for s in cues.spans(OFFER, i)]
            if ailment and cues.has(c.YOU, i):
                hits += [(s, 0.6) for s in cues.spans(OPEN_DMS, i)]
            hits = [(s, conf) for s, conf in hits if not cues.preceded_by(s[0], _NEGATORS, window=3)]
            if not hits:
                continue
            start = min(s for (s, _), _ in hits)
            end = max(e for (_, e), _ in hits)
            confidence = max(conf for _, conf in hits)
            findings.append(self.finding(cues, (start, end), confidence, REASON, SUGGESTION))
        return findings


_CLAUSE_LEADS = frozenset([",", ";", ":", "?", "!", "-", "—", "and", "just", "so", "please", "pls", "then"])


def _clause_start(cues: DocCues, token_index: int) -> bool:
    """Whether the token opens its sentence or a clause: an imperative ("Message me…", "…, DM me")."""
    sent = cues.sentences[cues.sentence_of(token_index)]
    if token_index == sent.start:
        return True
    prev = cues.doc[token_index - 1]
    vocative = prev.i == sent.start and prev.is_title  # "Pls DM me…", "Kindly send…"
    return prev.lower_ in _CLAUSE_LEADS or prev.text.startswith("@") or vocative
