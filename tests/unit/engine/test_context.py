"""The shared context component (ConText): negation, hypotheticals, reported speech, quotes, condemnation."""

from __future__ import annotations

import pytest
import spacy
from postguard.domain.engine.context import (
    CONDEMNED,
    HYPOTHETICAL,
    NEGATED,
    QUOTED,
    REPORTED,
    ContextRules,
    doc_context,
    shipped_rules,
)
from postguard.domain.rule_data import RuleDataError, parse_rule_data

pytestmark = pytest.mark.unit

NLP = spacy.blank("en")
NLP.add_pipe("sentencizer")


def categories_of(text: str, word: str, *, nth: int = 0) -> frozenset[str]:
    doc = NLP(text)
    index = [t.i for t in doc if t.lower_ == word][nth]
    return doc_context(doc).categories(index, index + 1)


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("Our porters are lazy and rude.", "lazy", set()),
        ("Our porters are not lazy, but they are slow.", "lazy", {NEGATED}),
        ("Our porters are not lazy, but they are slow.", "slow", set()),  # "but" ends the negation
        ("Not one of them was ever rude to the family on any of the long night shifts.", "shifts", set()),
        ("The claim that she was careless was ruled out.", "careless", {NEGATED}),
        ("Not only kind but brilliant.", "kind", set()),  # a pseudo-trigger negates nothing
        ("If a relative ever calls you useless, walk away.", "useless", {HYPOTHETICAL}),
        ("A visitor called our nurse a pig today.", "pig", {REPORTED}),
        ("Go home, he shouted at the receptionist.", "home", {REPORTED}),
        ('The sign said "no entry" in red.', "entry", {QUOTED, NEGATED}),
        ("Racist abuse of our staff will not be tolerated: we stand against it.", "staff", {CONDEMNED}),
        ("Being called a slur at work is unacceptable.", "slur", {CONDEMNED}),
        ("A patient called our nurse a pig. Unacceptable.", "pig", {REPORTED, CONDEMNED}),
    ],
)
def test_categories(text: str, word: str, expected: set[str]) -> None:
    assert categories_of(text, word) == frozenset(expected)


def test_only_a_short_verdict_sentence_reaches_the_sentence_before_it():
    long_verdict = "A patient called our nurse a pig. We think that this kind of thing is unacceptable here."
    assert CONDEMNED not in categories_of(long_verdict, "pig")


def test_a_verdict_sentence_reaches_only_the_sentence_before_it():
    text = "The pig roast was fun. Staff were great. Unacceptable."
    assert CONDEMNED not in categories_of(text, "pig")


def test_negation_reach_is_bounded():
    far = "Nobody " + "really " * 8 + "cares"
    near = "Nobody really cares"
    assert NEGATED in categories_of(near, "cares")
    assert NEGATED not in categories_of(far, "cares")


def test_the_trigger_inside_the_span_is_not_its_context():
    doc = NLP("This is not acceptable.")
    ctx = doc_context(doc)
    assert CONDEMNED not in ctx.categories(2, 4)  # "not acceptable" itself
    assert CONDEMNED in ctx.categories(0, 1)


def test_unclosed_quote_quotes_nothing():
    assert QUOTED not in categories_of('She wrote "back soon on the ward', "soon")


def test_sentence_categories_see_any_overlapping_modifier():
    doc = NLP("Lazy, said nobody about our midwives.")
    ctx = doc_context(doc)
    assert ctx.categories(0, 1) == frozenset()  # out of the negation's forward reach
    assert NEGATED in ctx.sentence_categories(0, 1)
    assert NEGATED not in doc_context(NLP("Lazy, said the manager. Nobody agreed.")).sentence_categories(0, 1)


def test_is_plain():
    doc = NLP("If you feel unwell call us. You look great.")
    ctx = doc_context(doc)
    unwell = next(t.i for t in doc if t.lower_ == "unwell")
    great = next(t.i for t in doc if t.lower_ == "great")
    assert not ctx.is_plain(unwell, unwell + 1)
    assert ctx.is_plain(great, great + 1)
    assert ctx.is_plain(unwell, unwell + 1, ignore=frozenset({HYPOTHETICAL}))


def test_every_shipped_trigger_list_is_loaded():
    rules = shipped_rules()
    categories = {t.category for triggers in rules.by_first.values() for t in triggers}
    assert categories == {NEGATED, HYPOTHETICAL, REPORTED, CONDEMNED}
    assert "but" in rules.terminators


def test_a_missing_reach_number_is_a_data_error():
    text = """
phrases:
  negated_forward: {description: d, source: s, example: not this, items: ["not"]}
"""
    with pytest.raises(RuleDataError, match=r"no (phrases|numbers) entry"):
        ContextRules(parse_rule_data(text, "ctx.yaml"))


def test_contractions_split_by_spacy_negate():
    assert NEGATED in categories_of("Please don't DM me your scans.", "scans")
    assert NEGATED in categories_of("It isn't a cure for anything.", "cure")


def test_colloquial_no_negates_nothing():
    assert NEGATED not in categories_of("No worries, DM me your scans.", "scans")
    assert NEGATED not in categories_of(
        "We had you out of that cast in no time, legend of a patient.", "legend"
    )


def test_sentences_come_from_the_doc_arrays():
    doc = NLP("Not here. Lazy, he said. Fine")
    ctx = doc_context(doc)
    assert ctx.sentences == [(s.start, s.end) for s in doc.sents]
    assert doc_context(NLP("")).modifiers == []
