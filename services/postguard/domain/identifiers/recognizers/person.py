"""Names of people in a post, each with a role ("my patient X", "Mrs. X", "her daughter Anna",
"Dr. Patel", "@handle"; see ``roles``).

Rules find names after a cue: patient and family cues, lay honorifics (also in lower case: "mrs
patel"), given names from ``first_names.yaml`` before an age or a care word ("maya, 4, in PICU"),
clinician titles and credits ("Dr. Patel", "thanks to Anna Lee") and @handles (attribute
``("form", "handle")``). Every name gets a ``role`` attribute: colleagues, public figures and the account
are reported too, so that reviewers and the policy see them; credited spans are still recorded on the
analysis.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Span, Token

from postguard.domain.identifiers.analysis import CARE_KEY, Analysis
from postguard.domain.identifiers.lexicons import (
    CLINICIAN_TITLES,
    CREDIT_CUES,
    HONORIFICS,
    MONTHS,
    NOT_NAMES,
    PATIENT_ROLES,
    RELATIVES,
    US_STATES,
    WEEKDAYS,
    english_words,
    expand_patterns,
    rule_file,
)
from postguard.domain.identifiers.recognizer import Recognizer, TokenPattern
from postguard.domain.identifiers.roles import (
    AGE_AFTER,
    BED_OR_AGE_AFTER,
    HANDLE_FORM,
    care_in_sentence,
    with_role,
)
from postguard.domain.spans import FixedSpans
from postguard.domain.types import Finding, IdentifierLabel

MONTHS_AND_DAYS = frozenset(MONTHS) | frozenset(WEEKDAYS)
_DATA = rule_file("person.yaml")
_NAMES = rule_file("first_names.yaml")
_NOT_PERSON = rule_file("ner_adapter.yaml").words("not_person_words")
"""Drug, holiday and staff-post words the NER adapter drops as names: no rule takes them as names either."""
_HANDLE = _DATA.regex("handle")
_NOT_NAME = sorted(
    NOT_NAMES
    | STOP_WORDS
    | {s.lower() for s in US_STATES}
    | set(CLINICIAN_TITLES)
    | set(HONORIFICS)
    | set(PATIENT_ROLES)
    | set(RELATIVES)
    | _DATA.words("not_name_extra")
    | _NOT_PERSON
    | MONTHS_AND_DAYS
    | _DATA.words("more_honorifics")
)
_NOT_NAME_SET = frozenset(_NOT_NAME)
_NOT_NAME_OR_CUE = _NOT_NAME_SET | {w for cue in CREDIT_CUES for w in cue.split()}
"""Capitalised words of a cue match that are not the name ("Kudos to Anna Lee": Anna Lee)."""
_WORD_NAMES = _NAMES.words("word_names") - _NOT_NAME_SET
"""Given names that are also English words: names only when capitalised ("Grace", not "grace")."""
_GIVEN_PLAIN = sorted(_NAMES.words("first_names") - _NOT_NAME_SET)
_GIVEN = sorted({*_GIVEN_PLAIN, *_WORD_NAMES})
_GIVEN_SET = frozenset(_GIVEN)
_PATTERN_LISTS: dict[str, list[str]] = {
    "honorifics": list(HONORIFICS),
    "more_honorifics": sorted(_DATA.words("more_honorifics")),
    "patient_roles": list(PATIENT_ROLES),
    "relatives": list(RELATIVES),
    "clinician_titles": list(CLINICIAN_TITLES),
    "titles": [*CLINICIAN_TITLES, *HONORIFICS],
    "not_name": _NOT_NAME,
    "given": _GIVEN,
    "given_plain": _GIVEN_PLAIN,
    "operations": sorted(_DATA.words("operations")),
    "done_to": sorted(_DATA.words("done_to")),
    "kin": sorted(_DATA.words("kin_words") | set(RELATIVES)),
    "bare_kin": sorted(_DATA.words("bare_kin")),
    "pet_words": sorted(_DATA.words("pet_words")),
    "care_places": sorted(_DATA.words("care_places")),
    "care_verbs": sorted(_DATA.words("care_verbs")),
}
"""What each ``$name`` in person.yaml's token patterns stands for."""
# Cue patterns whose names survive in a Title Case headline; each cue's confidence (person.yaml numbers).
_HEADLINE_SAFE = frozenset(
    {"HONORIFIC", "HONORIFIC_LOWER", "PET_NAME", "GIVEN_AGE", "GIVEN_CARE", "CLINICIAN", "CREDIT"}
)
_CONFIDENCE = {
    "HONORIFIC": _DATA.number("honorific_confidence"),
    "HONORIFIC_LOWER": _DATA.number("honorific_lower_confidence"),
    "ROLE": _DATA.number("role_confidence"),
    "PET_NAME": _DATA.number("pet_name_confidence"),
    "RELATIVE": _DATA.number("relative_confidence"),
    "GIVEN_AGE": _DATA.number("given_age_confidence"),
    "CAPITAL_AGE": _DATA.number("capital_age_confidence"),
    "GIVEN_CARE": _DATA.number("given_care_confidence"),
    "NAMED": _DATA.number("named_confidence"),
    "IN_BED": _DATA.number("in_bed_confidence"),
    "BED_FIRST": _DATA.number("bed_first_confidence"),
    "CLINICIAN": _DATA.number("clinician_confidence"),
    "CREDIT": _DATA.number("credit_confidence"),
}
"""Each cue pattern's matcher key (person.yaml's patterns, upper case; CREDIT is built from lexicons'
credit cues) and the confidence of the names it finds."""
_CUE_KEYS = tuple(key for key in _CONFIDENCE if key != "CREDIT")
_HANDLE_CONFIDENCE = _DATA.number("handle_confidence")
# Where the name is inside each cue match: the first token, the last, or the capitalised words.
_FIRST_TOKEN = frozenset({"GIVEN_AGE", "CAPITAL_AGE", "GIVEN_CARE"})
_NOT_BEFORE_NAME = _DATA.words("not_before_name")
_POSSESSIVE = frozenset({"'s", "’s"})
# GIVEN_CARE's forms beyond a listed given name before a care word, and their confidences
_BARE_CONFIDENCE = {
    "name_care": _DATA.number("name_care_confidence"),
    "possessive": _DATA.number("possessive_confidence"),
    "alone": _DATA.number("given_in_care_confidence"),
}
_SENTENCE_CARE = frozenset({"possessive", "alone"})
"""Forms that need a patient-care word in the name's sentence (``roles.care_in_sentence``)."""
_LAST_TOKEN = frozenset({"PET_NAME"})
_PATIENT_PLACE = frozenset({"PET_NAME", "IN_BED"})
_COT_WORDS = frozenset(_DATA.words("cot_words"))
_LAY_HONORIFIC = frozenset({"HONORIFIC", "HONORIFIC_LOWER"})
_HONORIFIC_SET = frozenset(HONORIFICS)
_BARE_KIN = frozenset(_DATA.words("bare_kin"))
_OWN = frozenset({"my", "our"})
"""'my son Jack': the account's own family, not a patient's relative."""


def _care_form(span: Span) -> str | None:
    """Which of GIVEN_CARE's wider forms ``span`` is: "alone" (a given name alone), "possessive"
    ("Isha's gran"), "name_care" (a word not in the names list before a care verb), or None (a listed
    given name before a care word: the original cue)."""
    if len(span) == 1:
        return "alone"
    if span[1].lower_ in _POSSESSIVE:
        return "possessive"
    return None if span[0].lower_ in _GIVEN_SET else "name_care"


def _hint(key: str, span: Span) -> str:
    """What ``roles.with_role`` should know of the cue: a lay honorific, or a care verb after the name."""
    if key in _LAY_HONORIFIC:
        return "honorific"
    if key == "BED_FIRST":
        return "in bed"  # "Bed 5 Imtiaz": a patient's place, as "Imtiaz in bed 5"
    if key in _PATIENT_PLACE:
        return key.lower().replace("_", " ")  # "pet name", "in bed": cues only a patient's name has
    return "care" if key == "GIVEN_CARE" and _care_form(span) not in _SENTENCE_CARE else ""


class PersonRecognizer(Recognizer):
    """PERSON findings for names after a cue, each with its role (``roles``)."""

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
        handles = list(_HANDLE.finditer(analysis.text)) if "@" in analysis.text else []
        credited.extend(m.span() for m in handles)
        credits = FixedSpans(credited)  # bisection: a post of a thousand credits stays linear
        found = [f for key in _CONFIDENCE for f in self._cued(analysis, key, credits)]
        for m in handles:
            handle = self.finding(IdentifierLabel.PERSON, m.start(), m.end(), _HANDLE_CONFIDENCE)
            handle = replace(handle, attributes=(HANDLE_FORM,))
            found.append(with_role(handle, analysis, "handle"))
        return found

    def _cued(self, analysis: Analysis, key: str, credits: FixedSpans) -> list[Finding]:
        """The names inside the ``key`` cue matches, each with its role."""
        found = []
        for span in self.spans(analysis, key):
            start, end = self._name_span(span, key)
            if start is None or not self._plausible(analysis, span, key, start, end):
                continue
            if key == "CREDIT" and any(t.lower_ in _HONORIFIC_SET for t in span):
                continue  # "thanks to Mr. Lopez": the honorific cue decides (may be a patient)
            confidence = _CONFIDENCE[key]
            if key == "GIVEN_CARE" and (form := _care_form(span)):
                confidence = _BARE_CONFIDENCE[form]
            if key in _LAY_HONORIFIC and credits.contains(start, end):
                confidence = 0.4  # "thanks to Mr. Lopez for sharing his story" may still be a patient
            finding = self.finding(IdentifierLabel.PERSON, start, end, confidence)
            found.append(with_role(finding, analysis, _hint(key, span)))
        return found

    @staticmethod
    def _plausible(analysis: Analysis, span: Span, key: str, start: int, end: int) -> bool:
        """Context checks a cue match needs beyond its pattern."""
        if key == "IN_BED" and not PersonRecognizer._in_bed_ok(analysis, span, start, end):
            return False
        if (
            key == "RELATIVE"
            and span[0].lower_ in _BARE_KIN
            and not PersonRecognizer._bare_kin_ok(span, start)
        ):
            return False
        if key == "BED_FIRST" and not _name_like(analysis.text[start:end].split()[0]):
            return False
        if key in _FIRST_TOKEN or key in _LAST_TOKEN:
            token = span[0] if key in _FIRST_TOKEN else span[-1]
            if token.is_lower and token.lower_ in _WORD_NAMES:
                return False  # "grace, 2 ..." / "little hope": a word, not a name
            if key in ("GIVEN_AGE", "CAPITAL_AGE") and not AGE_AFTER.match(analysis.text, end):
                return False
            if key == "CAPITAL_AGE" and not (
                analysis.near(CARE_KEY, start, end, tokens=15) or care_in_sentence(analysis, start, end)
            ):
                return False
            if key == "GIVEN_CARE" and not PersonRecognizer._bare_ok(analysis, span, start, end):
                return False
        unsafe = key not in _HEADLINE_SAFE or span[0].lower_ == "miss"  # "Can Miss Injuries"
        unsafe = unsafe or (key == "PET_NAME" and span[-1].lower_ not in _GIVEN_SET)  # "Patient Dies"
        return not (unsafe and analysis.headline(start, end))  # "Ebola Patient Dies": not names

    @staticmethod
    def _bare_kin_ok(span: Span, start: int) -> bool:
        """A bare family word names a relative unless it is the account's own ('my son Jack') or the
        word after it is no name ('Mother Nature')."""
        before = span.doc[span.start - 1] if span.start > 0 else None
        if before is not None and before.lower_ in _OWN:
            return False
        first = next(t for t in span if t.idx == start)
        return _name_like(first.text)

    @staticmethod
    def _in_bed_ok(analysis: Analysis, span: Span, start: int, end: int) -> bool:
        """A name before 'in bed': bare, and at a sentence's start only before a numbered bed or a cot
        ('Dot from bed 9 went home', 'Ayla in the cot'), not 'Everyone in bed by ten'."""
        if not PersonRecognizer._bare(span[0], alone=False):
            return False
        if span[-1].like_num and not BED_OR_AGE_AFTER.match(analysis.lower, end):
            return False  # "Jo in 14 days", "Sam in 2019"
        if analysis.sentence_bounds(start, end)[0] != start:
            return True
        after = span.doc[span.end] if span.end < len(span.doc) else None
        return span[-1].lower_ in _COT_WORDS or (after is not None and after.like_num)

    @staticmethod
    def _bare_ok(analysis: Analysis, span: Span, start: int, end: int) -> bool:
        """Checks of GIVEN_CARE's forms beyond a listed name before a care word: care in the sentence
        for a possessive or a name alone, no Title Case headline for a word not in the names list."""
        form = _care_form(span)
        if form is None:
            return PersonRecognizer._bare(span[0], alone=False)
        if form in _SENTENCE_CARE and not care_in_sentence(analysis, start, end):
            return False
        if span[0].lower_ not in _GIVEN_SET and analysis.headline(start, end):
            return False  # "Grandma Was Admitted": capitals are no evidence in a headline
        return PersonRecognizer._bare(span[0], alone=form == "alone")

    @staticmethod
    def _bare(token: Token, *, alone: bool) -> bool:
        """Is ``token`` a name on its own: not after a determiner or preposition ("from the Hague was
        triaged"), not part of a hyphenated or longer proper name ("Stoke-on-Trent", "Moose Jaw")?"""
        doc, i = token.doc, token.i
        before = doc[i - 1] if i > 0 else None
        if before is not None and (before.lower_ in _NOT_BEFORE_NAME or not before.whitespace_):
            return False
        if before is not None and before.is_title and before.lower_ not in _GIVEN_SET | STOP_WORDS:
            return False  # "Moose Jaw": a longer proper name; not "When Huw was admitted"
        after = doc[i + 1] if i + 1 < len(doc) else None
        if alone and after is not None:
            return not (after.is_title or (not token.whitespace_ and after.text in "-'’"))
        return True

    @staticmethod
    def _name_span(span: Span, key: str) -> tuple[int | None, int]:
        """Character span of the name tokens inside a cue match (None when there are none)."""
        if key == "IN_BED":
            tokens = list(itertools.takewhile(lambda t: not t.is_lower, span))  # "<Name> in (the) bed"
        elif key == "BED_FIRST":
            tokens = [t for t in itertools.dropwhile(lambda t: not t.like_num, span) if t.is_title][:2]
        elif key in _FIRST_TOKEN:
            before = span.doc[span.start - 1] if span.start > 0 else None
            given_first = before is not None and before.is_title and before.lower_ in _GIVEN_SET
            tokens = [before, span[0]] if given_first and key == "GIVEN_CARE" else [span[0]]
        elif key in _LAST_TOKEN:
            tokens = [span[-1]]
        elif key == "HONORIFIC_LOWER":
            tokens = [t for t in span[1:] if t.text != "."]  # "ms. patel", "Mrs D'Souza"
        else:
            tokens = [t for t in span if t.is_title and t.is_alpha and t.lower_ not in _NOT_NAME_OR_CUE]
        if not tokens:
            return None, 0
        return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _name_like(word: str) -> bool:
    """Is a capitalised word a name by itself: a listed given name, or no dictionary word?"""
    lower = word.lower()
    return lower in _GIVEN_SET or lower not in english_words()
