"""Beds, rooms, wards and units v2: FacilityRecognizer finds them with their unit ("NICU cot 2",
"bed 8 on CCU"), gives each a kind, and the default policy never lets one out unredacted."""

from __future__ import annotations

import pytest
from identifier_support import findings
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.types import Post, StageName, StageResult, Verdict

pytestmark = pytest.mark.unit


def facilities(text: str) -> list[tuple[str, str, float]]:
    return [
        (text[f.start : f.end], f.attribute("kind"), f.confidence)
        for f in findings(text)
        if f.label == "FACILITY"
    ]


@pytest.mark.parametrize(
    ("text", "span", "kind"),
    [
        ("Mrs Achterberg in bed 15 on CCU finally ate breakfast", "bed 15 on CCU", "bed"),
        ("tiny fighter in NICU cot 2 went home", "NICU cot 2", "bed"),
        ("our lad in PICU bed 11 is off the vent", "PICU bed 11", "bed"),
        ("admitted to cubicle 6 in A&E", "cubicle 6 in A&E", "bed"),
        ("trolley 14 has waited nine hours", "trolley 14", "bed"),
        ("moved him to side room 5 for barrier nursing", "side room 5", "room"),
        ("the gentleman in bay 3 sang all night", "bay 3", "room"),
        ("HDU bay C4 was chaos", "HDU bay C4", "room"),
        ("two hours in theatre 6 with her", "theatre 6", "room"),
        ("Room 318 needs a sitter tonight", "Room 318", "room"),
        ("back on ward 12B after surgery", "ward 12B", "ward"),
        ("she went up to Larch ward this evening", "Larch ward", "ward"),
        ("transferred onto Willow Ward overnight", "Willow Ward", "ward"),
        ("bed 4 on ward 21 is ready", "bed 4 on ward 21", "bed"),
        ("he is on 6 West now", "6 West", "unit"),
        ("busy on the 3rd floor telemetry unit", "3rd floor telemetry", "unit"),
    ],
)
def test_beds_rooms_wards_and_units_are_found_with_their_kind(text: str, span: str, kind: str) -> None:
    found = facilities(text)
    assert (span, kind) in [(s, k) for s, k, _ in found], found


@pytest.mark.parametrize(
    "text",
    [
        "Many thanks to Joanna Ward for organising the rota",
        "Our 30-bed unit is recruiting staff nurses",
        "We added 12 beds to the ward this winter",
        "Teaching today in seminar room 3",
        "Come to lecture theatre 2 for the talk",
    ],
)
def test_names_bed_counts_and_venues_are_not_care_spaces(text: str) -> None:
    assert [f for f in facilities(text) if f[2] >= 0.5] == []


def test_a_room_in_an_event_sentence_is_under_the_bar() -> None:
    [(span, kind, confidence)] = facilities("Join us in room 115 for the journal club on Thursday")
    assert (span, kind) == ("room 115", "room") and confidence < 0.5


def test_a_named_hospital_is_kind_named() -> None:
    found = facilities("I trained at Westbrook Royal Infirmary years ago")
    assert [(s, k) for s, k, _ in found] == [("Westbrook Royal Infirmary", "named")]


def decide(text: str, institution: str = "demo-hospital"):
    post = Post("p1", institution, "x", text)
    results = [
        StageResult("p1", StageName.IDENTIFIER_DETECTION, tuple(findings(text))),
        StageResult("p1", StageName.ADVICE_CLASSIFICATION),
    ]
    return PolicyEngine().decide(post, results, PolicyRegistry.load().policy_for(institution))


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Lovely chat with the lady in bed 19 on AMU", "bed 19"),
        ("Quiet shift on ward 9C", "ward 9C"),
        ("tiny one in SCBU cot 4 opened her eyes", "cot 4"),
        ("He finally left side room 2", "side room 2"),
    ],
)
def test_default_policy_never_lets_a_bed_or_room_out(text: str, gone: str) -> None:
    d = decide(text)
    assert d.verdict in (Verdict.ALLOW_WITH_CHANGES, Verdict.REVIEW, Verdict.BLOCK)
    assert gone not in d.redacted_text and "[FACILITY]" in d.redacted_text


def test_a_bed_with_a_name_escalates() -> None:
    d = decide("Mr. Abernathy in bed 12 on ICU squeezed my hand")
    assert d.verdict == Verdict.BLOCK, d.reasons
    assert "Abernathy" not in d.redacted_text and "bed 12" not in d.redacted_text


def test_naming_the_hospital_alone_is_still_allowed() -> None:
    d = decide("So proud of the nurses at Westbrook Royal Infirmary")
    assert d.verdict == Verdict.ALLOW
