"""UNPROFESSIONAL: slurs, insults, profanity, threats and disparaging language about patients, groups or
colleagues; and the lower-severity POLITICS_OR_RANT (partisan politics, personal rants about the job).

Disparagement is a *target* (a group named by nationality, religion or another protected characteristic,
a profession, a patient, a body description) plus a *derogatory predicate* or generalisation in the same
sentence. Reported speech or a quoted term in a post that condemns it is not the author's own language."""

from __future__ import annotations

import bisect
import codecs
import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from spacy.attrs import ORTH

from postguard.domain.advice.rules import cues as c
from postguard.domain.advice.rules.base import (
    MAX_CACHED_WORDS,
    RULE_DETECTOR_PREFIX,
    ContentRule,
    DocCues,
    TokenPattern,
)
from postguard.domain.advice.rules.data import expand, load
from postguard.domain.engine.context import CONDEMNED, HYPOTHETICAL, NEGATED, QUOTED, REPORTED
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
IDENTITY = "UP:IDENTITY"
BODY = "UP:BODY"
PATIENT = "UP:PATIENT"
PROFESSION = "UP:PROFESSION"
THREAT = "UP:THREAT"
DEROGATORY = "UP:DEROGATORY"
POSITIVE = "UP:POSITIVE"
EXASPERATION = "UP:EXASPERATION"
BENIGN = "UP:BENIGN"
CURSE = "UP:CURSE"
RANT = "UP:RANT"
WORKPLACE = "UP:WORKPLACE"
CULTURE_WAR = "PR:CULTURE_WAR"
POLITICAL = "PR:POLITICAL"
HOSTILE = "PR:HOSTILE"
SUPPORT = "PR:SUPPORT"
HEALTH_MEASURE = "PR:HEALTH_MEASURE"
MISCONDUCT = "UP:MISCONDUCT"
SEXUAL = "UP:SEXUAL"
SCARE_QUOTE = "UP:SCARE_QUOTE"
GENERALISED = "UP:GENERALISED"
BLAME = "UP:BLAME"
VISITORS = "UP:VISITORS"
PARTISAN = "PR:PARTISAN_VOTE"
VENT = "PR:VENT"
GRIEVANCE = "PR:GRIEVANCE"
SARCASM = "PR:SARCASM"
OFFICE = "PR:OFFICE"
BOSS = "PR:BOSS"
AUTHORITY_CONTEMPT = "PR:AUTHORITY_CONTEMPT"

STANDALONE_KINDS = ("slur", "insult", "profanity", "patient_label")
LEXICON_KINDS = (*STANDALONE_KINDS, "dehumanizing", "disparaging_adj")
"""The phrase entries of the lexicon file, one per kind (slurs ROT13-encoded)."""

DATA = load("conduct.yaml")

PEOPLE: frozenset[str] = DATA.words("people")
_VERDICT_TOKENS = int(DATA.number("verdict_sentence_tokens"))
_NEGATION_REACH = int(DATA.number("negation_reach_tokens"))
"""A sentence this short after a group mention can carry its exasperation ('Typical.')."""
_CONTEMPT_CONTEXT = DATA.phrases("contempt_context")
_STRUCTURAL = DATA.phrases("group_contempt")
_MOCK_MARKERS = DATA.phrases("mock_markers")
"""Laughing at or eye-rolling about what is being described."""
_BELITTLING = DATA.phrases("belittling")
"""Descriptions that belittle a person when paired with a mocking marker."""
_PHRASE_CUES = {
    DEROGATORY: "derogatory",
    POSITIVE: "positive",
    EXASPERATION: "exasperation",
    BENIGN: "benign_senses",
    CURSE: "curses",
    RANT: "rant_phrases",
    CULTURE_WAR: "culture_war",
    HOSTILE: "political_hostility",
    SUPPORT: "political_support",
    HEALTH_MEASURE: "health_measures",
    MISCONDUCT: "misconduct",
    SEXUAL: "sexual_cues",
    POLITICAL: "political_phrases",
    SARCASM: "sarcasm",
    THREAT: "threat_phrases",
    GENERALISED: "generalised_target",
    BLAME: "blame",
    OFFICE: "political_offices",
    AUTHORITY_CONTEMPT: "authority_contempt",
}
"""Cue key -> its phrases entry in conduct.yaml."""
_WORD_CUES = {
    PROFESSION: "professions",
    WORKPLACE: "workplace",
    POLITICAL: "political_entities",
    VISITORS: "visitor_words",
    BOSS: "bosses",
}
"""Cue key -> its word list in conduct.yaml (each word a one-token phrase)."""

_WORDING_LISTS = (
    "behave",
    "copula",
    "intensifiers",
    "modifiers",
    "person_adjectives",
    "vocatives",
    "vote_verbs",
)
_TARGET_LISTS = (
    "identity_adjectives",
    "identity_plurals",
    "group_nouns",
    "body_words",
    "violence_verbs",
    "threat_objects",
    "threat_determiners",
    "workplace",
    "party_words",
    "grievance_words",
)
_PATTERN_LISTS = {name: sorted(DATA.words(name)) for name in (*_WORDING_LISTS, *_TARGET_LISTS)}
_PATTERN_LISTS["people"] = sorted(PEOPLE | DATA.words("professions"))
_PATTERN_LISTS["group_nouns"] = sorted(DATA.words("group_nouns") | DATA.words("professions"))
"""The word lists this rule's token patterns refer to as ``$name`` (plus two from the lexicon)."""
_PATTERN_KEYS = {
    PREDICATE: "predicate",
    VOCATIVE: "vocative",
    PATIENT_PLACE: "patient_place",
    DEHUMANIZE: "dehumanize",
    DEMONSTRATIVE_DEHUMANIZE: "demonstrative_dehumanize",
    PEOPLE_REF: "people_ref",
    THESE_PEOPLE: "these_people",
    IDENTITY: "identity_target",
    BODY: "body_target",
    PATIENT: "patient_ref",
    THREAT: "threat",
    RANT: "workplace_rant",
    SCARE_QUOTE: "scare_quote",
    PARTISAN: "partisan_vote",
    VENT: "vent",
    GRIEVANCE: "grievance",
}
"""Cue key -> its token-pattern entry in conduct.yaml."""
_EXTRA_PATTERN_KEYS = {
    BODY: ("body_ones",),
    EXASPERATION: ("every_single_time", "rhetorical_always"),
    POLITICAL: ("party_subject",),
    BOSS: ("management_ref",),
}
"""Cue keys with a second token-pattern entry besides their phrases or first entry."""

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
REASONS |= {
    "identity": "Disparages or stereotypes people for their nationality, religion or other trait.",
    "body": "Mocks a person's weight or body.",
    "profession": "Shows contempt for a profession or for colleagues.",
    "threat": "Threatens violence against a person.",
    "condition": "Laughs at a patient's symptoms or condition.",
    "misconduct": "Describes conduct a regulator would act on (impairment, false records, patient harm).",
    "sexual": "Sexualises a patient or a person in care.",
    "blame": "Blames people for their illness or wishes them their suffering.",
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
    "identity": DATA.number("identity_confidence"),
    "body": DATA.number("body_confidence"),
    "profession": DATA.number("disparaging_adj_confidence"),
    "threat": DATA.number("threat_confidence"),
    "condition": DATA.number("condition_mockery_confidence"),
    "misconduct": DATA.number("misconduct_confidence"),
    "sexual": DATA.number("sexual_confidence"),
    "blame": DATA.number("group_confidence"),
}
"""Finding confidence per kind of hit (numbers in conduct.yaml)."""
SUGGESTION = (
    "Remove the disparaging language; describe patients, groups and colleagues respectfully and factually."
)
POLITICS_REASONS = {
    "politics": "Takes a partisan political stance (a party, a politician or a culture-war slogan).",
    "rant": "Reads as a personal rant about the job or the workplace.",
}
POLITICS_CONFIDENCE = {
    "politics": DATA.number("politics_confidence"),
    "rant": DATA.number("rant_confidence"),
}
POLITICS_SUGGESTION = (
    "Keep institutional and professional accounts to health information; post personal views elsewhere."
)
_SINGLE_QUOTES = frozenset({"'", "\u2018", "\u2019"})
Hit = tuple[tuple[int, int], str]


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
    """Lexicon terms (single words, with obfuscation) and multi-word phrases; structural patterns
    ("<people> are <disparaging adjective>", "these people … always …"); targets plus derogatory
    predicates; threats. Also emits POLITICS_OR_RANT (see :meth:`politics_or_rant`)."""

    label = ContentLabel.UNPROFESSIONAL
    locator_keys = (
        PREDICATE,
        DEHUMANIZE,
        GROUP_CONTEMPT,
        THESE_PEOPLE,
        IDENTITY,
        BODY,
        THREAT,
        DEROGATORY,
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
        self._kinds: dict[int, str | None] = {}
        """``_word_kind`` per distinct word seen (by ``ORTH`` id, a hash of the text; bounded)."""
        self._adjectives = sorted(lexicon.get("disparaging_adj", ()))
        self._dehumanizing = sorted(lexicon.get("dehumanizing", ()))

    def pattern_lists(self) -> dict[str, list[str]]:
        """The word lists conduct.yaml's token patterns refer to as ``$name``, lexicon terms included."""
        return {**_PATTERN_LISTS, "adjectives": self._adjectives, "dehumanizing": self._dehumanizing}

    def token_patterns(self) -> dict[str, list[TokenPattern]]:
        lists = self.pattern_lists()
        patterns = {key: expand(DATA.patterns(entry), lists) for key, entry in _PATTERN_KEYS.items()}
        for key, entries in _EXTRA_PATTERN_KEYS.items():
            for entry in entries:
                patterns[key] = [*patterns.get(key, []), *expand(DATA.patterns(entry), lists)]
        return patterns

    def phrases(self) -> dict[str, Iterable[str]]:
        cues: dict[str, Iterable[str]] = {key: DATA.phrases(entry) for key, entry in _PHRASE_CUES.items()}
        for key, entry in _WORD_CUES.items():
            cues[key] = (*cues.get(key, ()), *sorted(DATA.words(entry)))
        cues[DEROGATORY] = (*cues[DEROGATORY], *self._adjectives)
        return {
            **self._phrases,
            **cues,
            GROUP_CONTEMPT: _STRUCTURAL,
            CONTEMPT_CONTEXT: _CONTEMPT_CONTEXT,
            MOCK_MARKER: _MOCK_MARKERS,
            BELITTLE: _BELITTLING,
        }

    def evaluate(self, cues: DocCues) -> list[Finding]:
        hits = self._lexicon_hits(cues) + self._structural_hits(cues) + self._target_hits(cues)
        hits = _not_condemned(cues, hits)
        findings = [
            self.finding(cues, span, CONFIDENCE[kind], REASONS[kind], SUGGESTION)
            for span, kind in _dedupe(hits, CONFIDENCE)
        ]
        return findings + self.politics_or_rant(cues)

    def _lexicon_hits(self, cues: DocCues) -> list[Hit]:
        """Single-word lexicon terms (obfuscation undone) and multi-word lexicon phrases."""
        hits: list[Hit] = []
        if len(self._kinds) > MAX_CACHED_WORDS:
            self._kinds = {}
        known, strings = self._kinds, cues.doc.vocab.strings
        for i, orth in enumerate(cues.doc.to_array(ORTH).tolist()):
            kind = known[orth] if orth in known else known.setdefault(orth, self._word_kind(strings[orth]))
            if kind is not None:
                hits.append(((i, i + 1), kind))
        for kind in STANDALONE_KINDS:
            for span in cues.spans(PHRASE + kind):
                if not self._friendly_use(cues, span):
                    hits.append((span, kind))
        return hits

    def _structural_hits(self, cues: DocCues) -> list[Hit]:
        """'<people> are <adjective>', mocking vocatives, mockery, dehumanising and 'these people' hits."""
        hits: list[Hit] = [
            (s, "disparaging_adj")
            for s in cues.spans(PREDICATE)
            if (
                cues.doc[s[0]].lower_ not in ("are", "is", "was", "were")
                or cues.has(PEOPLE_REF, cues.sentence_of(s[0]))
            )
            and not _benign(cues, cues.sentence_of(s[0]), s)
        ]
        hits += [(s, "insult") for s in cues.spans(VOCATIVE) if s[1] >= len(cues.doc) - 2]
        hits += [(s, "mockery") for s in self._mockery(cues)]
        hits += [(s, "dehumanizing") for s in cues.spans(DEHUMANIZE)]
        hits += [
            (s, "dehumanizing")
            for s in cues.spans(DEMONSTRATIVE_DEHUMANIZE)
            if _reference_outside(_people_or_places(cues, cues.sentence_of(s[0])), s)
            and not cues.has(POSITIVE, cues.sentence_of(s[0]))
        ]
        hits += [(s, "group") for s in cues.spans(GROUP_CONTEMPT)]
        for span in cues.spans(THESE_PEOPLE):
            if cues.has(CONTEMPT_CONTEXT, cues.sentence_of(span[0])):
                hits.append((span, "group"))
        return hits

    @staticmethod
    def _target_hits(cues: DocCues) -> list[Hit]:
        """A target and, after it in the sentence, a derogatory predicate: an identity group (also with an
        eye-roll or exasperation that no praise offsets), a profession, a body description; a patient's
        condition mocked or disparaged; a patient (two derogatory cues, or one in a post that laughs); a
        patient or colleague sexualised; threats; own misconduct."""
        hits: list[Hit] = [(s, "threat") for s in cues.spans(THREAT)]
        hits += [(s, "blame") for s in _own_voice(cues, BLAME)]
        hits += [(s, "misconduct") for s in cues.spans(MISCONDUCT)]
        mocking = cues.has(MOCK_MARKER)
        for i in range(len(cues.sentences)):
            derogatory = _derogatory_starts(cues, i)
            last = derogatory[-1] if derogatory else -1
            praised = cues.has(POSITIVE, i)
            contempt = _exasperated(cues, i) and not praised
            hits += [(s, "identity") for s in cues.spans(IDENTITY, i) if last > s[0] or contempt]
            hits += [(s, "group") for s in cues.spans(GENERALISED, i) if derogatory]
            hits += [(s, "body") for s in cues.spans(BODY, i) if last > s[0] or (mocking and not praised)]
            if not praised:
                hits += [(s, "profession") for s in cues.spans(PROFESSION, i) if last > s[0]]
                hits += [(s, "group") for s in cues.spans(VISITORS, i) if last > s[0]]
            patients = cues.spans(PATIENT, i) or cues.spans(PATIENT_PLACE, i)
            ill = cues.has_any((c.SYMPTOM, c.CONDITION), i)
            if (cues.has(MOCK_MARKER, i) and (ill or cues.has(SCARE_QUOTE, i))) or (ill and derogatory):
                hits += [(s, "condition") for s in patients]
            if cues.has(SEXUAL, i) and cues.has_any((PATIENT, PATIENT_PLACE, PROFESSION), i):
                hits += [(s, "sexual") for s in cues.spans(SEXUAL, i)]
            if len(derogatory) >= (1 if mocking else 2):
                hits += [(s, "mockery") for s in cues.spans(PATIENT, i)]
        return hits

    def politics_or_rant(self, cues: DocCues) -> list[Finding]:
        """POLITICS_OR_RANT findings: a culture-war slogan; a party or politician with a hostile stance, or
        with a supportive one unless the sentence is about a health measure (advocacy, not partisanship);
        a government office or a boss with contempt in the sentence; venting at the job or employer, and
        curses aimed at no person."""
        hits: list[Hit] = [(s, "politics") for s in (*cues.spans(CULTURE_WAR), *cues.spans(PARTISAN))]
        hits += [(s, "rant") for s in (*cues.spans(RANT), *_own_voice(cues, VENT))]
        if cues.has(GRIEVANCE) and cues.has(SARCASM):
            hits += [(s, "rant") for s in cues.spans(SARCASM)]
        for i in range(len(cues.sentences)):
            supportive = cues.has(SUPPORT, i) and not cues.has(HEALTH_MEASURE, i)
            if cues.has(HOSTILE, i) or supportive:
                hits += [(s, "politics") for s in cues.spans(POLITICAL, i)]
            if _contempt_for_authority(cues, i):
                hits += [(s, "politics") for s in (*cues.spans(POLITICAL, i), *cues.spans(OFFICE, i))]
                hits += [(s, "rant") for s in cues.spans(BOSS, i)]
            at_people = cues.has_any((IDENTITY, PATIENT), i) and not cues.has(WORKPLACE, i)
            if not at_people:
                hits += [(s, "rant") for s in cues.spans(CURSE, i)]
        label = ContentLabel.POLITICS_OR_RANT.value
        return [
            dataclasses.replace(
                self.finding(
                    cues, span, POLITICS_CONFIDENCE[kind], POLITICS_REASONS[kind], POLITICS_SUGGESTION
                ),
                label=label,
                detector=f"{RULE_DETECTOR_PREFIX}{label}",
            )
            for span, kind in _dedupe(hits, POLITICS_CONFIDENCE)
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


def _not_condemned(cues: DocCues, hits: list[Hit]) -> list[Hit]:
    """``hits`` less someone else's words the post rejects, from the shared context component: the post
    condemns (``condemned`` anywhere in it: "unacceptable", "struck off") or the hit itself is negated
    ("stop calling patients ..."), and the hit is reported speech ("called a nurse a ...", anywhere in its
    sentence) or stands inside quotation marks; in a post that condemns, a quotation anywhere in the
    hit's sentence also makes the sentence a report ('a relative called our nurse a "..."')."""
    if not hits:  # most posts: no context analysis needed
        return hits
    context = cues.context
    condemned = any(m.category == CONDEMNED for m in context.modifiers)
    strings = cues.doc.vocab.strings
    quotes = [i for i, orth in enumerate(cues.doc.to_array(ORTH).tolist()) if strings[orth] in _SINGLE_QUOTES]
    kept = []
    for span, kind in hits:
        own = context.categories(*span)
        quoted = QUOTED in own or _single_quoted(cues, quotes, span)
        reported = quoted or REPORTED in context.sentence_categories(*span)
        if (condemned and (reported or _quote_in_sentence(cues, span))) or (NEGATED in own and reported):
            continue
        kept.append((span, kind))
    return kept


def _single_quoted(cues: DocCues, quotes: list[int], span: tuple[int, int]) -> bool:
    """Whether ``span`` stands after an odd number of single quotation marks (token indexes ``quotes``,
    sorted) in its sentence: the shared component's ``quoted`` covers double marks only."""
    start = cues.sentences[cues.sentence_of(span[0])].start
    return (bisect.bisect_left(quotes, span[0]) - bisect.bisect_left(quotes, start)) % 2 == 1


def _quote_in_sentence(cues: DocCues, span: tuple[int, int]) -> bool:
    """Whether ``span`` 's sentence holds a double-quoted span: the sentence reports someone's words
    ('a relative called our nurse a "..." today')."""
    sentence = cues.sentences[cues.sentence_of(span[0])]
    return any(sentence.start <= lo and hi <= sentence.end for lo, hi in cues.context.quoted)


def _contempt_for_authority(cues: DocCues, sentence: int) -> bool:
    """Hostility or contempt for those in charge in ``sentence``, or in a short verdict sentence right
    after it ('... and calls it reform. Absolute clown.', '... a pay rise. Shameful.')."""
    keys = (HOSTILE, AUTHORITY_CONTEMPT)
    return cues.has_any(keys, sentence) or _verdict_after(cues, sentence, keys)


def _exasperated(cues: DocCues, sentence: int) -> bool:
    """Exasperation or a mock marker in ``sentence``, or exasperation in a short verdict sentence right
    after it ('... and then complain. Typical.', 'Every. Single. Time.', 'Not on my shift.')."""
    return cues.has_any((EXASPERATION, MOCK_MARKER), sentence) or _verdict_after(
        cues, sentence, (EXASPERATION,)
    )


def _verdict_after(cues: DocCues, sentence: int, keys: tuple[str, ...]) -> bool:
    """Whether the sentence right after ``sentence`` is a short verdict (at most ``_VERDICT_TOKENS``
    tokens) holding one of ``keys``."""
    after = sentence + 1
    return (
        after < len(cues.sentences)
        and len(cues.sentences[after]) <= _VERDICT_TOKENS
        and cues.has_any(keys, after)
    )


def _own_voice(cues: DocCues, key: str) -> list[tuple[int, int]]:
    """Spans of ``key`` that are neither negated nor hypothetical ('if you feel burnt out, ...')."""
    return [s for s in cues.spans(key) if not ({NEGATED, HYPOTHETICAL} & cues.context.categories(*s))]


def _negated_near(cues: DocCues, span: tuple[int, int]) -> bool:
    """Whether a negation of the shared context component reaches ``span`` from at most
    ``negation_reach_tokens`` before it (a negation inside the span is the predicate's own word)."""
    return any(
        m.category == NEGATED
        and m.scope[0] <= span[0] < m.scope[1]
        and 0 <= span[0] - m.trigger[1] <= _NEGATION_REACH
        for m in cues.context.modifiers
    )


def _benign(cues: DocCues, sentence: int, span: tuple[int, int]) -> bool:
    """Whether a benign sense ('entitled to', 'thick skin') starts inside ``span``."""
    return bool(cues.starting_in(BENIGN, sentence, span[0], span[1] - 1))


def _derogatory_starts(cues: DocCues, sentence: int) -> list[int]:
    """Sorted starts of the derogatory predicates and curses in ``sentence`` that are neither a benign
    sense nor negated."""
    spans = (*cues.spans(DEROGATORY, sentence), *cues.spans(CURSE, sentence))
    return sorted(s[0] for s in spans if not _benign(cues, sentence, s) and not _negated_near(cues, s))


def _people_or_places(cues: DocCues, sentence: int) -> list[tuple[int, int]]:
    """Words for people and patient places ('bay 4', 'Mrs.') in ``sentence``, ordered by start."""
    return sorted((*cues.spans(PEOPLE_REF, sentence), *cues.spans(PATIENT_PLACE, sentence)))


def _reference_outside(refs: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Does one of ``refs`` (ordered by start) start outside ``span``? The first and last starts decide."""
    return bool(refs) and (refs[0][0] < span[0] or refs[-1][0] >= span[1])


def _dedupe(hits: list[Hit], confidence: dict[str, float]) -> list[Hit]:
    """Keep the strongest (then longest) hit among overlapping ones, so one phrase gives one finding."""
    ordered = sorted(hits, key=lambda h: (-confidence[h[1]], -(h[0][1] - h[0][0]), h[0][0]))
    taken = DisjointSpans()  # bisection: a post of a thousand insults stays linear
    kept = [(span, kind) for span, kind in ordered if taken.add_if_free(*span)]
    return sorted(kept, key=lambda h: h[0])
