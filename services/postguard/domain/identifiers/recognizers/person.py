"""Patient and family names from context ("my patient X", "Mrs. X", "her daughter Anna").

Without a trained NER model only names with a patient/family cue are found; names of credited
clinicians ("Dr. Patel", "thanks to Anna Lee", "@handle") are recorded on the analysis as credited so
that neither the rules nor the NER seam report them as patients.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Span

from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.lexicons import (
    CLINICIAN_TITLES,
    CREDIT_CUES,
    HONORIFICS,
    NOT_NAMES,
    PATIENT_ROLES,
    RELATIVES,
    US_STATES,
    rule_file,
)
from postguard.domain.identifiers.recognizer import Recognizer, TokenPattern
from postguard.domain.spans import FixedSpans
from postguard.domain.types import Finding, IdentifierLabel

_DATA = rule_file("person.yaml")
_HANDLE = _DATA.regex("handle")
_NOT_NAME = sorted(
    NOT_NAMES
    | STOP_WORDS
    | {s.lower() for s in US_STATES}
    | set(CLINICIAN_TITLES)
    | set(HONORIFICS)
    | set(PATIENT_ROLES)
    | set(RELATIVES)
)
_NAME: dict[str, Any] = {"IS_TITLE": True, "IS_ALPHA": True, "LOWER": {"NOT_IN": _NOT_NAME}}
_NAME_OPT: dict[str, Any] = {**_NAME, "OP": "?"}
_PUNCT_OPT: dict[str, Any] = {"ORTH": {"IN": [",", ":", "-"]}, "OP": "?"}

# Cue patterns whose names survive in a Title Case headline, and each cue's confidence.
_HEADLINE_SAFE = frozenset({"HONORIFIC"})
_CONFIDENCE = {"HONORIFIC": 0.85, "ROLE": 0.85, "RELATIVE": 0.8, "NAMED": 0.75, "IN_BED": 0.7}


class PersonRecognizer(Recognizer):
    """PERSON findings for names with a patient or family cue; credits colleagues instead."""

    name = "PersonRecognizer"
    labels = (IdentifierLabel.PERSON,)

    def token_patterns(self) -> Mapping[str, list[TokenPattern]]:
        credit = [[{"LOWER": w} for w in cue.split()] for cue in CREDIT_CUES]
        title_opt = {"LOWER": {"IN": [*CLINICIAN_TITLES, *HONORIFICS]}, "OP": "?"}
        return {
            "HONORIFIC": [[{"LOWER": {"IN": list(HONORIFICS)}}, _NAME, _NAME_OPT]],
            "ROLE": [[{"LOWER": {"IN": list(PATIENT_ROLES)}}, _PUNCT_OPT, _NAME, _NAME_OPT]],
            "RELATIVE": [
                [
                    {"LOWER": {"IN": ["patient", "pt", "patients"]}},
                    {"LOWER": {"IN": ["'s", "’s", "'"]}},
                    {"LOWER": {"IN": list(RELATIVES)}},
                    _PUNCT_OPT,
                    _NAME,
                    _NAME_OPT,
                ],
                [
                    {"LOWER": {"IN": ["her", "his", "their", "patient's", "pt's", "whose"]}},
                    {"LOWER": {"IN": list(RELATIVES)}},
                    _PUNCT_OPT,
                    _NAME,
                    _NAME_OPT,
                ],
            ],
            "NAMED": [
                [{"LOWER": {"IN": ["named", "called", "nicknamed"]}}, _NAME, _NAME_OPT],
                [{"LOWER": "name"}, {"LOWER": {"IN": ["is", "was"]}}, _NAME, _NAME_OPT],
            ],
            "IN_BED": [[_NAME, _NAME_OPT, {"LOWER": "in"}, {"LOWER": {"IN": ["bed", "room", "bay", "rm"]}}]],
            "CLINICIAN": [[{"LOWER": {"IN": list(CLINICIAN_TITLES)}}, _NAME, _NAME_OPT]],
            "CREDIT": [[*cue, title_opt, _NAME, _NAME_OPT] for cue in credit],
        }

    def analyze(self, analysis: Analysis) -> list[Finding]:
        credited = analysis.credited
        for key in ("CLINICIAN", "CREDIT"):
            credited.extend((s.start_char, s.end_char) for s in self.spans(analysis, key))
        if "@" in analysis.text:
            credited.extend(m.span() for m in _HANDLE.finditer(analysis.text))
        credits = FixedSpans(credited)  # bisection: a post of a thousand credits stays linear
        found = []
        for key, cue_confidence in _CONFIDENCE.items():
            for span in self.spans(analysis, key):
                start, end = self._name_span(span, key)
                if start is None or (key == "IN_BED" and analysis.sentence_bounds(start, end)[0] == start):
                    continue
                unsafe = key not in _HEADLINE_SAFE or span[0].lower_ == "miss"  # "Can Miss Injuries"
                if unsafe and analysis.headline(start, end):
                    continue  # "Ebola Patient Dies": capitals in a headline are not names
                confidence = cue_confidence
                if credits.contains(start, end):
                    if key != "HONORIFIC":
                        continue
                    confidence = 0.4  # "thanks to Mr. Lopez for sharing his story" may still be a patient
                found.append(self.finding(IdentifierLabel.PERSON, start, end, confidence))
        return found

    @staticmethod
    def _name_span(span: Span, key: str) -> tuple[int | None, int]:
        """Character span of the name tokens inside a cue match (None when there are none)."""
        if key == "IN_BED":
            tokens = list(span[:-2])  # "<Name> in bed"
        else:
            tokens = [t for t in span if t.is_title and t.is_alpha and t.lower_ not in _NOT_NAME_SET]
        if not tokens:
            return None, 0
        return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


_NOT_NAME_SET = frozenset(_NOT_NAME)
