"""Sentence splitting and context windows that tie a mention to care."""

from __future__ import annotations

import pytest
from postguard.domain.identifiers.analysis import sentence_starts

pytestmark = pytest.mark.unit


def test_sentences_split_on_end_punctuation_and_line_breaks_but_not_abbreviations() -> None:
    text = (
        "Thanks to Dr. Patel! World Heart Day is Sept. 29. My patient was seen e.g. today.\n"
        "New line. J. Smith came."
    )
    assert [text[i : i + 10] for i in sentence_starts(text)] == [
        "Thanks to ",
        "World Hear",
        "My patient",
        "New line. ",
        "J. Smith c",
    ]


def test_empty_text_is_one_sentence() -> None:
    assert sentence_starts("") == [0]
