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

CLINICAL_MATERIALS: frozenset[str] = words(
    """
    symptom symptoms scan scans x-ray x-rays xray xrays mri mris ct cts ultrasound ultrasounds labs
    bloodwork rash rashes mole moles lump lumps ecg ekg prescription prescriptions meds medications diagnosis
    """
)
GENERIC_MATERIALS: frozenset[str] = words(
    "results report reports records photo photos pic pics picture pictures image images selfie selfies"
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
]
_OFFER_VERBS = ["diagnose", "review", "read", "interpret", "check", "assess", "look", "evaluate", "triage"]
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
            {"IS_PUNCT": False, "OP": "{0,3}"},
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
                [{"LOWER": "free"}, {"LOWER": {"IN": ["consult", "consultation", "consults", "diagnosis"]}}],
                [{"LOWER": "ask"}, {"LOWER": "me"}, {"LOWER": "about"}, {"LOWER": {"IN": ["your", "ur"]}}],
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
        health_post = cues.has_any((c.SYMPTOM, c.CONDITION, c.MEDICATION, CLINICAL_MATERIAL))
        for i in range(len(cues.sentences)):
            ailment = cues.has_any((c.SYMPTOM, c.CONDITION, CLINICAL_MATERIAL), i)
            hits: list[tuple[tuple[int, int], float]] = [(s, 0.85) for s in cues.spans(REQUEST, i)]
            if ailment:
                hits += [(s, 0.8) for s in cues.spans(REQUEST_GENERIC, i) + cues.spans(CONTACT_ME, i)]
            if health_post:
                hits += [(s, 0.7) for s in cues.spans(OFFER, i)]
                hits += [(s, 0.6) for s in cues.spans(OPEN_DMS, i)]
            hits = [(s, conf) for s, conf in hits if not cues.preceded_by(s[0], _NEGATORS, window=3)]
            if not hits:
                continue
            start = min(s for (s, _), _ in hits)
            end = max(e for (_, e), _ in hits)
            confidence = max(conf for _, conf in hits)
            findings.append(self.finding(cues, (start, end), confidence, REASON, SUGGESTION))
        return findings
