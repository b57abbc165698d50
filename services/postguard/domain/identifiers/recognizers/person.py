"""Patient and family names from context ("my patient X", "Mrs. X", "her daughter Anna").

Without a trained NER model only names with a patient/family cue are found; names of credited
clinicians ("Dr. Patel", "thanks to Anna Lee", "@handle") are recorded on the analysis as credited so
that neither the rules nor the NER seam report them as patients.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    expand_patterns,
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
_PATTERN_LISTS: dict[str, list[str]] = {
    "honorifics": list(HONORIFICS),
    "patient_roles": list(PATIENT_ROLES),
    "relatives": list(RELATIVES),
    "clinician_titles": list(CLINICIAN_TITLES),
    "titles": [*CLINICIAN_TITLES, *HONORIFICS],
    "not_name": _NOT_NAME,
}
"""What each ``$name`` in person.yaml's token patterns stands for."""
_CUE_KEYS = ("HONORIFIC", "ROLE", "RELATIVE", "NAMED", "IN_BED", "CLINICIAN")

# Cue patterns whose names survive in a Title Case headline, and each cue's confidence.
_HEADLINE_SAFE = frozenset({"HONORIFIC"})
_CONFIDENCE = {"HONORIFIC": 0.85, "ROLE": 0.85, "RELATIVE": 0.8, "NAMED": 0.75, "IN_BED": 0.7}


class PersonRecognizer(Recognizer):
    """PERSON findings for names with a patient or family cue; credits colleagues instead."""

    name = "PersonRecognizer"
    labels = (IdentifierLabel.PERSON,)
    triggers = (_DATA.regex("trigger"),)
    trigger_keys = (*_CUE_KEYS, "CREDIT")

    def token_patterns(self) -> Mapping[str, list[TokenPattern]]:
        patterns = {key: expand_patterns(_DATA.patterns(key.lower()), _PATTERN_LISTS) for key in _CUE_KEYS}
        (tail,) = expand_patterns(_DATA.patterns("credit_tail"), _PATTERN_LISTS)
        patterns["CREDIT"] = [[*({"LOWER": w} for w in cue.split()), *tail] for cue in CREDIT_CUES]
        return patterns

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
