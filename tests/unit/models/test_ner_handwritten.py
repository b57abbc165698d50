"""The hand-written NER source: inline marks become exact spans; name swaps keep spans aligned."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from training.ner import handwritten
from training.ner.staff_templates import Filler


def test_marks_become_character_spans_with_roles() -> None:
    line = "x | sat with {{maria|PERSON:patient}} from {{Leeds|LOCATION}} and Dr {{Okoye|PERSON:staff}}"
    platform, text, entities = handwritten.parse_line(line, "t:1")
    assert platform == "x"
    assert text == "sat with maria from Leeds and Dr Okoye"
    assert [(text[e.start : e.end], e.label, e.role) for e in entities] == [
        ("maria", "PERSON", "patient"),
        ("Leeds", "LOCATION", None),
        ("Okoye", "PERSON", "staff"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "x | {{Sam|PERSON}} came back",  # a person needs a role
        "x | {{Sam|PERSON:nurse}} came back",  # unknown role
        "x | {{Leeds|TOWN}} again",  # unknown label
        "myspace | hello",  # unknown platform
        "x | a {{broken mark",
        "x | {{ Sam|PERSON:patient}} padded",
    ],
)
def test_malformed_lines_are_refused_with_the_place(line: str) -> None:
    with pytest.raises(ValueError, match="t:7"):
        handwritten.parse_line(line, "t:7")


def test_swapped_names_keep_spans_casing_and_repeats(tmp_path: Path) -> None:
    (tmp_path / "ner_train_z.txt").write_text(
        "# header\nx | {{maria|PERSON:patient}} hugged Mrs {{Kaur|PERSON:relative}}, "
        "then {{maria|PERSON:patient}} slept\n",
        encoding="utf-8",
    )
    (post,) = handwritten.read_posts(tmp_path / "ner_train_z.txt")
    filler = Filler(0, {}, random.Random(3))
    for _ in range(5):
        text, spans = handwritten.swap_names(post, filler)
        names = [text[s:e] for s, e, _ in spans]
        assert [lb for _, _, lb in spans] == ["PERSON"] * 3
        assert names[0] == names[2] and names[0].islower()  # the same name swaps alike, casing kept
        assert " " not in names[1]  # after a title: a family name alone
        assert text.endswith(" slept") and " hugged Mrs " in text
