"""Which sentences of a post the NER model runs on: the cheap test before the expensive model.

The NER (``models.SpacyNerModel``) costs about a millisecond per post, the largest single cost of the
pipeline with models. A sentence with no token that could be part of a PERSON, LOCATION, FACILITY or
ORG entity is not worth running it on. A *candidate* token is one that

- holds an upper-case letter, except a sentence's first word when it is a lower-case English word
  (SCOWL) that is neither a listed given name (first names, word names) nor a one-word gazetteer place
  ("The", "Today" start sentences; "Sarah", "Hope", "Leeds" stay candidates);
- starts with a mark (``ner_gate.yaml`` marks: handles, hashtags);
- is, lower-cased, a listed given name, a title or a cue word (``ner_gate.yaml`` lower_case_cues,
  lexicons' honorifics and clinician titles);
- is a lower-case alphabetic word outside SCOWL, MedQuAD and ``not_names``: the model, trained on
  lower-cased tweets and staff posts, finds lower-case names ("mogire in bed 10").

:func:`windows` gives the token ranges to run the model on: each sentence with a candidate, widened by
the model's reach on both sides (``margin``: how many tokens around a token its output depends on,
``models.context_reach``; ``MARGIN`` by default), overlapping ranges merged. A post with no candidate
gets no window and the model does not run on it. The gate reads only token texts, so the ranges index
the post's one token table.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

from postguard.domain.identifiers.lexicons import (
    CLINICIAN_TITLES,
    HONORIFICS,
    english_words,
    medical_words,
    place_gazetteer,
    rule_file,
)

_DATA = rule_file("ner_gate.yaml")
_NAMES = rule_file("first_names.yaml")
MARKS = _DATA.phrases("marks")
MARGIN = 3
"""Default tokens of context kept on each side of a gated sentence: the tok2vec window (1) times its
depth (2), plus the one token a transition-based NER's state looks back (``models.context_reach``
computes it from the loaded model's config)."""
SENTENCE_END = frozenset(".!?\u2026")
"""A token made only of these characters ends a sentence; the next word starts one."""


@cache
def cue_words() -> frozenset[str]:
    """Lower-case words that make a token a candidate wherever it stands, in any case: listed given
    names that are not English words, titles, ``lower_case_cues``."""
    titles = frozenset(t.lower().rstrip(".") for t in (*HONORIFICS, *CLINICIAN_TITLES))
    return _NAMES.words("first_names") | titles | _DATA.words("lower_case_cues")


@cache
def start_names() -> frozenset[str]:
    """Capitalised English words that stay candidates at a sentence's start: given names that are
    words ("Grace", "Will") and one-word gazetteer places ("Reading", "Bath")."""
    places = frozenset(p for p in place_gazetteer() if " " not in p)
    return frozenset(w.title() for w in _NAMES.words("word_names")) | places


@cache
def dictionary() -> frozenset[str]:
    """Lower-case English and medical words: a lower-case word outside them may be a name the model
    finds without a capital ("mogire in bed 10")."""
    return english_words() | medical_words() | _DATA.words("not_names")


def _ends_sentence(word: str) -> bool:
    return "\n" in word or (bool(word) and all(c in SENTENCE_END for c in word))


def candidate(word: str, sentence_start: bool) -> bool:
    """Could this token be part of an entity the NER reports?"""
    if word.startswith(MARKS):
        return True
    lower = word.lower()
    if lower in cue_words():
        return True
    if lower == word:
        return word.isalpha() and lower not in dictionary()
    if not sentence_start or not word.isalpha():
        return True
    return lower not in english_words() or word in start_names()


@lru_cache(maxsize=1 << 16)
def _facts(word: str) -> tuple[bool, bool, bool, bool]:
    """(ends a sentence, is white space, candidate at a sentence's start, candidate elsewhere), cached
    per token text: posts repeat their words."""
    if _ends_sentence(word):
        return True, False, False, False
    if word.isspace():
        return False, True, False, False
    return False, False, candidate(word, True), candidate(word, False)


def windows(words: Sequence[str], margin: int = MARGIN) -> list[tuple[int, int]]:
    """Token ranges ``[start, end)`` to run the NER on: the sentences holding a candidate, ``margin``
    tokens wider on each side, merged; empty when no token is a candidate."""
    ranges: list[tuple[int, int]] = []
    start, hit, new_sentence = 0, False, True
    for i, word in enumerate(words):
        ends, space, at_start, elsewhere = _facts(word)
        if ends:
            if hit:
                ranges.append((start, i + 1))
            start, hit, new_sentence = i + 1, False, True
        elif not space:
            hit = hit or (at_start if new_sentence else elsewhere)
            new_sentence = False
    if hit:
        ranges.append((start, len(words)))
    return _widen(ranges, len(words), margin)


def _widen(ranges: list[tuple[int, int]], length: int, margin: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        lo, hi = max(0, start - margin), min(length, end + margin)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
