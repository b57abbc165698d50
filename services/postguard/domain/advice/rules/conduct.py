"""UNPROFESSIONAL: slurs, insults, profanity and disparaging language about patients, groups or colleagues."""

from __future__ import annotations

import codecs
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern
from postguard.domain.advice.rules.data import expand, load
from postguard.domain.spans import DisjointSpans
from postguard.domain.types import ContentLabel, Finding

LEXICON_FILE = "unprofessional_terms.yaml"

PHRASE = "UP:PHRASE:"  # + kind, multi-word lexicon entries
PREDICATE = "UP:PREDICATE"
DEHUMANIZE = "UP:DEHUMANIZE"
GROUP_CONTEMPT = "UP:GROUP_CONTEMPT"
THESE_PEOPLE = "UP:THESE_PEOPLE"
CONTEMPT_CONTEXT = "UP:CONTEMPT_CONTEXT"
DEMONSTRATIVE_DEHUMANIZE = "UP:DEMONSTRATIVE_DEHUMANIZE"
PEOPLE_REF = "UP:PEOPLE_REF"
MOCK_MARKER = "UP:MOCK_MARKER"
BELITTLE = "UP:BELITTLE"
VOCATIVE = "UP:VOCATIVE"
PATIENT_PLACE = "UP:PATIENT_PLACE"

STANDALONE_KINDS = ("slur", "insult", "profanity", "patient_label")
LEXICON_KINDS = (*STANDALONE_KINDS, "dehumanizing", "disparaging_adj")
"""The phrase entries of the lexicon file, one per kind (slurs ROT13-encoded)."""

DATA = load("conduct.yaml")

PEOPLE: frozenset[str] = DATA.words("people")
_CONTEMPT_CONTEXT = DATA.phrases("contempt_context")
_STRUCTURAL = DATA.phrases("group_contempt")
_MOCK_MARKERS = DATA.phrases("mock_markers")
"""Laughing at or eye-rolling about what is being described."""
_BELITTLING = DATA.phrases("belittling")
"""Descriptions that belittle a person when paired with a mocking marker."""

_PATTERN_LISTS = {
    name: sorted(DATA.words(name))
    for name in (
        "people",
        "behave",
        "copula",
        "intensifiers",
        "modifiers",
        "person_adjectives",
        "vocatives",
    )
}
"""The word lists this rule's token patterns refer to as ``$name`` (plus two from the lexicon)."""
_PATTERN_KEYS = {
    PREDICATE: "predicate",
    VOCATIVE: "vocative",
    PATIENT_PLACE: "patient_place",
    DEHUMANIZE: "dehumanize",
    DEMONSTRATIVE_DEHUMANIZE: "demonstrative_dehumanize",
    PEOPLE_REF: "people_ref",
    THESE_PEOPLE: "these_people",
}
"""Cue key -> its token-pattern entry in conduct.yaml."""

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_AIRLINE = ("miles", "program", "programme", "points", "status", "card", "scheme", "lounge")
_FRIENDLY_FOLLOWERS = {"frequent flyer": _AIRLINE, "frequent flier": _AIRLINE}

REASONS = {
    "slur": "Uses a slur; discriminatory language is never acceptable from hospital staff.",
    "insult": "Uses insulting language about a person.",
    "profanity": "Uses profanity, which is unprofessional in a staff post.",
    "patient_label": "Uses a derogatory label for patients.",
    "dehumanizing": "Describes people in dehumanising terms.",
    "disparaging_adj": "Disparages a person, patients, colleagues or a group.",
    "group": "Generalises negatively about a group of people.",
    "mockery": "Mocks a patient or colleague.",
}
CONFIDENCE = {
    "slur": DATA.number("slur_confidence"),
    "insult": DATA.number("insult_confidence"),
    "profanity": DATA.number("profanity_confidence"),
    "patient_label": DATA.number("patient_label_confidence"),
    "dehumanizing": DATA.number("dehumanizing_confidence"),
    "disparaging_adj": DATA.number("disparaging_adj_confidence"),
    "group": DATA.number("group_confidence"),
    "mockery": DATA.number("mockery_confidence"),
}
"""Finding confidence per kind of hit (numbers in conduct.yaml)."""
SUGGESTION = (
    "Remove the disparaging language; describe patients, groups and colleagues respectfully and factually."
)


@cache
def load_lexicon() -> dict[str, frozenset[str]]:
    """The curated lexicon (kind -> terms, lower case, slurs decoded) from the package data file."""
    data = load(LEXICON_FILE)
    lexicon = {kind: frozenset(t.strip().lower() for t in data.phrases(kind)) for kind in LEXICON_KINDS}
    lexicon["slur"] = frozenset(codecs.decode(term, "rot13") for term in lexicon["slur"])
    return lexicon


def normalise(word: str) -> str:
    """Undo common obfuscation of a single word: lower case, leetspeak digits and symbols."""
    return word.lower().translate(_LEET)


class ConductRule(ContentRule):
    """Lexicon terms (single words, with obfuscation) and multi-word phrases, plus structural patterns:
    "<people> are <disparaging adjective>", "<adjective> <people>", "these people … always …"."""

    label = ContentLabel.UNPROFESSIONAL
    locator_keys = (
        PREDICATE,
        DEHUMANIZE,
        GROUP_CONTEMPT,
        THESE_PEOPLE,
        *(PHRASE + k for k in STANDALONE_KINDS),
    )

    def __init__(self) -> None:
        lexicon = load_lexicon()
        self._words: dict[str, str] = {}
        self._phrases: dict[str, list[str]] = defaultdict(list)
        for kind in STANDALONE_KINDS:
            for term in lexicon.get(kind, ()):
                if " " in term:
                    self._phrases[PHRASE + kind].append(term)
                else:
                    self._words[term] = kind
        self._adjectives = sorted(lexicon.get("disparaging_adj", ()))
        self._dehumanizing = sorted(lexicon.get("dehumanizing", ()))

    def pattern_lists(self) -> dict[str, list[str]]:
        """The word lists conduct.yaml's token patterns refer to as ``$name``, lexicon terms included."""
        return {**_PATTERN_LISTS, "adjectives": self._adjectives, "dehumanizing": self._dehumanizing}

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        lists = self.pattern_lists()
        return {key: expand(DATA.patterns(entry), lists) for key, entry in _PATTERN_KEYS.items()}

    def phrases(self) -> dict[str, Iterable[str]]:
        return {
            **self._phrases,
            GROUP_CONTEMPT: _STRUCTURAL,
            CONTEMPT_CONTEXT: _CONTEMPT_CONTEXT,
            MOCK_MARKER: _MOCK_MARKERS,
            BELITTLE: _BELITTLING,
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        hits: list[tuple[tuple[int, int], str]] = []
        for tok in cues.doc:
            kind = self._word_kind(tok.text)
            if kind is not None:
                hits.append(((tok.i, tok.i + 1), kind))
        for kind in STANDALONE_KINDS:
            for span in cues.spans(PHRASE + kind):
                if self._friendly_use(cues, span):
                    continue
                hits.append((span, kind))
        hits += [
            (s, "disparaging_adj")
            for s in cues.spans(PREDICATE)
            if cues.doc[s[0]].lower_ not in ("are", "is", "was", "were")
            or cues.has(PEOPLE_REF, cues.sentence_of(s[0]))
        ]
        hits += [(s, "insult") for s in cues.spans(VOCATIVE) if s[1] >= len(cues.doc) - 2]
        hits += [(s, "mockery") for s in self._mockery(cues)]
        hits += [(s, "dehumanizing") for s in cues.spans(DEHUMANIZE)]
        hits += [
            (s, "dehumanizing")
            for s in cues.spans(DEMONSTRATIVE_DEHUMANIZE)
            if _reference_outside(cues.spans(PEOPLE_REF, cues.sentence_of(s[0])), s)
        ]
        hits += [(s, "group") for s in cues.spans(GROUP_CONTEMPT)]
        for span in cues.spans(THESE_PEOPLE):
            if cues.has(CONTEMPT_CONTEXT, cues.sentence_of(span[0])):
                hits.append((span, "group"))
        return [
            self.finding(cues, span, CONFIDENCE[kind], REASONS[kind], SUGGESTION)
            for span, kind in _dedupe(hits)
        ]

    @staticmethod
    def _mockery(cues: DocCues) -> list[tuple[int, int]]:
        """Belittling descriptions of a person in a post that laughs or eye-rolls ("guy in bed 4 smelled
        like a brewery lol"): needs a mocking marker, a belittling cue and a person or bed reference."""
        if not cues.has(MOCK_MARKER) or not cues.has_any((PEOPLE_REF, PATIENT_PLACE)):
            return []
        return cues.spans(BELITTLE)

    def _word_kind(self, text: str) -> str | None:
        lower = text.lower()
        kind = self._words.get(lower)
        if kind is not None or lower.isalpha():
            return kind
        if "*" in lower:
            pattern = re.compile("^" + re.escape(normalise(lower)).replace(r"\*", "[a-z]") + "$")
            return next(
                (k for w, k in self._words.items() if len(w) == len(lower) and pattern.match(w)), None
            )
        return self._words.get(normalise(lower))

    def _friendly_use(self, cues: DocCues, span: tuple[int, int]) -> bool:
        """Airline "frequent flyer miles" and similar innocent uses of a listed phrase."""
        phrase = cues.doc[span[0] : span[1]].text.lower()
        followers = _FRIENDLY_FOLLOWERS.get(phrase.rstrip("s"))
        return bool(followers) and span[1] < len(cues.doc) and cues.doc[span[1]].lower_ in followers


def _reference_outside(refs: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Does one of ``refs`` (ordered by start) start outside ``span``? The first and last starts decide."""
    return bool(refs) and (refs[0][0] < span[0] or refs[-1][0] >= span[1])


def _dedupe(hits: list[tuple[tuple[int, int], str]]) -> list[tuple[tuple[int, int], str]]:
    """Keep the strongest (then longest) hit among overlapping ones, so one phrase gives one finding."""
    ordered = sorted(hits, key=lambda h: (-CONFIDENCE[h[1]], -(h[0][1] - h[0][0]), h[0][0]))
    taken = DisjointSpans()  # bisection: a post of a thousand insults stays linear
    kept = [(span, kind) for span, kind in ordered if taken.add_if_free(*span)]
    return sorted(kept, key=lambda h: h[0])
