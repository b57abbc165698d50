"""UNPROFESSIONAL: slurs, insults, profanity and disparaging language about patients, groups or colleagues."""

from __future__ import annotations

import codecs
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from importlib import resources

from postguard.domain.advice.rules.base import ContentRule, DocCues, TokenPattern, words
from postguard.domain.spans import DisjointSpans
from postguard.domain.types import ContentLabel, Finding

LEXICON_FILE = "unprofessional_terms.txt"

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

PEOPLE: frozenset[str] = words(
    """
    patient patients pt pts nurse nurses doctor doctors docs doc resident residents intern interns
    colleague colleagues coworker coworkers co-workers surgeon surgeons attending attendings consultant
    consultants registrar registrars staff people person family families relatives mom moms mum mums mother
    mothers father fathers dad dads guy guys lady ladies man men woman women girl girls boy boys kid kids
    he she they he's she's they're who immigrants migrants refugees muslims jews christians hindus blacks
    whites asians hispanics latinos mexicans arabs gays lesbians trans homeless addicts elderly seniors
    millennials boomers locals radiologists anesthesiologists anaesthetists pharmacists paramedics
    medics admins administrators management ortho gen-z ems er ed icu
    parents smokers drinkers alcoholics vaxxers anti-vaxxers antivaxxers anesthesia pharmacy radiology
    surgery peds psych bro pt. pts. moms dads students fellows hospitalists cardiology neurology neuro gi
    urology derm dermatology oncology nephrology pulm ent obgyn ob gyn hospitalist fellow student
    """
)

_CONTEMPT_CONTEXT = (
    "always",
    "never",
    "deserve",
    "deserves",
    "again",
    "every time",
    "every single time",
    "sick of",
    "tired of",
    "fed up",
    "ugh",
    "smh",
    "can't stand",
    "cannot stand",
    "won't",
    "can't even",
    "of course",
    "typical",
    "🙄",
    "can't help",
    "don't care",
)

_STRUCTURAL = (
    "sick of patients",
    "sick of these patients",
    "sick of those patients",
    "tired of patients",
    "tired of these patients",
    "fed up with patients",
    "can't stand patients",
    "cannot stand patients",
    "hate patients",
    "hate my patients",
    "hate these patients",
    "their kind",
)

_BEHAVE = ["are", "were", "is", "was", "'re", "r", "behave", "behaving", "act", "acting", "bunch"]
_COPULA = [
    "is",
    "are",
    "was",
    "were",
    "'s",
    "'re",
    "r",
    "be",
    "being",
    "so",
    "such",
    "seem",
    "seems",
    "acting",
]
_INTENSIFIERS = [
    "all",
    "so",
    "just",
    "always",
    "such",
    "basically",
    "literally",
    "really",
    "bloody",
    "fucking",
    "completely",
    "totally",
    "utterly",
    "absolutely",
    "a",
    "an",
    "bunch",
    "of",
    "like",
    "total",
    "the",
    "most",
]
_MOCK_MARKERS = (
    "lol", "lmao", "lmfao", "rofl", "😂", "🤣", "🙄", "smh", "shocker", "pathetic", "unbelievable",
)  # fmt: skip
"""Laughing at or eye-rolling about what is being described."""

_BELITTLING = (
    "smelled like", "smells like", "smelt like", "reeking", "reeked", "reeks", "stinks", "stank", "drunk",
    "wasted", "hammered", "faking", "faker", "whining", "whiny", "whined", "screaming", "demanding",
    "entitled", "googled", "clueless", "tried to fight", "crying over", "hangnail", "lb patient",
    "lbs patient", "thinks he's", "thinks she's", "never learn", "thinks pizza", "think pizza",
    "second dinner",
)  # fmt: skip
"""Descriptions that belittle a person when paired with a mocking marker."""

_MODIFIERS = ["old", "young", "little", "fat", "night", "day", "agency", "new", "er", "ed", "icu", "ortho"]
_PERSON_ADJECTIVES = ["lazy", "incompetent", "clueless", "stupid", "dumb", "pathetic", "brainless", "idiotic"]
_VOCATIVES = ["clown", "clowns", "genius", "einstein", "princess", "sweetheart"]

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
    "slur": 0.95,
    "insult": 0.8,
    "profanity": 0.65,
    "patient_label": 0.85,
    "dehumanizing": 0.85,
    "disparaging_adj": 0.75,
    "group": 0.7,
    "mockery": 0.7,
}
SUGGESTION = (
    "Remove the disparaging language; describe patients, groups and colleagues respectfully and factually."
)


@cache
def load_lexicon() -> dict[str, frozenset[str]]:
    """The curated lexicon (kind -> terms, lower case, slurs decoded) from the package data file."""
    text = resources.files("postguard.domain.advice.rules").joinpath("data", LEXICON_FILE).read_text("utf-8")
    lexicon: dict[str, set[str]] = defaultdict(set)
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        kind, _, term = line.partition("|")
        if term.startswith("rot13:"):
            term = codecs.decode(term[len("rot13:") :], "rot13")
        lexicon[kind.strip()].add(term.strip().lower())
    return {kind: frozenset(terms) for kind, terms in lexicon.items()}


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

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        people = {"LOWER": {"IN": sorted(PEOPLE)}}
        adjectives = {"LOWER": {"IN": self._adjectives}}
        filler = {"LOWER": {"IN": _INTENSIFIERS}, "OP": "*"}
        return {
            PREDICATE: [
                [people, {"LOWER": {"IN": _COPULA}}, filler, adjectives],
                [adjectives, {"LOWER": {"IN": _MODIFIERS}, "OP": "?"}, people],
                [
                    {"LOWER": {"IN": ["are", "is", "were", "was"]}},
                    {"LOWER": {"IN": ["the", "our", "these", "those", "all"]}, "OP": "?"},
                    {"LOWER": {"IN": _MODIFIERS}, "OP": "?"},
                    people,
                    filler,
                    adjectives,
                ],
                [
                    {"LOWER": {"IN": ["are", "is", "was", "were"]}},
                    {"LOWER": {"IN": ["so", "too", "just", "totally", "completely", "utterly"]}},
                    {"LOWER": {"IN": _PERSON_ADJECTIVES}},
                ],
            ],
            VOCATIVE: [[{"ORTH": ","}, {"LOWER": {"IN": _VOCATIVES}}, {"IS_PUNCT": True, "OP": "*"}]],
            PATIENT_PLACE: [
                [{"LOWER": {"IN": ["bed", "bay", "room", "cubicle", "triage", "curtain"]}}],
                [{"LOWER": {"IN": ["mrs.", "mr.", "ms."]}}],
            ],
            DEHUMANIZE: [
                [people, {"LOWER": {"IN": _BEHAVE}, "OP": "+"}, filler, {"LOWER": {"IN": self._dehumanizing}}]
            ],
            DEMONSTRATIVE_DEHUMANIZE: [
                [
                    {"LOWER": {"IN": ["these", "those", "such", "filthy", "dirty", "disgusting"]}},
                    {"LOWER": {"IN": self._dehumanizing}},
                ],
            ],
            PEOPLE_REF: [[people]],
            THESE_PEOPLE: [
                [{"LOWER": {"IN": ["these", "those", "you"]}}, {"LOWER": "people"}],
                [{"LOWER": "typical"}, people],
                [
                    {"LOWER": {"IN": ["patients", "people"]}},
                    {"LOWER": "like"},
                    {"LOWER": {"IN": ["this", "that", "him", "her", "them"]}},
                ],
            ],
        }

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
