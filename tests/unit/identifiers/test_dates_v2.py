"""Dates v2: holidays and named days (from the holidays library plus date.yaml), weekdays, parts of
day and relative dates tied to care, staff occasions that are not, and their resolution against the
post's created_at (``date_resolution.resolve_dates``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import pytest
from postguard.domain.identifiers.date_resolution import resolve_dates, resolve_span
from postguard.domain.identifiers.recognizers.date import NAMED_DAYS, canonical, holiday_calendar
from postguard.domain.types import Category, Finding

sys.path.insert(0, str(Path(__file__).parent))
from identifier_support import findings, labelled

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Mr Adeyemi came in on Boxing Day with a fractured wrist.", "on Boxing Day"),
        ("Delivered twins on New Year's Eve in the labour ward.", "on New Year's Eve"),
        ("Our patient was admitted over Thanksgiving weekend.", "over Thanksgiving"),
        ("We intubated her the night before Eid.", "the night before Eid"),
        ("He was brought to A&E on St. Stephen's Day.", "on St. Stephen's Day"),
        ("Seen in clinic on Holi with burns to both hands.", "on Holi"),
        ("The patient was transferred to ICU on Australia Day.", "on Australia Day"),
        ("Discharged on Labour Day after a week on the ward.", "on Labour Day"),
        ("Our resident was readmitted the week after Easter.", "the week after Easter"),
        ("A toddler was admitted to PICU on hanukkah.", "on hanukkah"),
        ("The patient fell at home on canada day and came to the ER.", "on canada day"),
        ("Her waters broke on Diwali and she delivered in the car.", "on Diwali"),
        ("Patient admitted two days after Christmas with pneumonia.", "two days after Christmas"),
        ("She presented to the ER this past Sunday.", "this past Sunday"),
        ("The patient arrived on friday night.", "on friday night"),
        ("Came in last wednesday with a cough, patient now stable.", "last wednesday"),
        ("We saw him in the ED a couple of days ago.", "a couple of days ago"),
        ("Admitted to the ward in the early hours.", "in the early hours"),
        ("Patient on the ward since the 3rd.", "since the 3rd"),
        ("A patient came to resus eleven days ago after a fall.", "eleven days ago"),
        ("The patient was intubated on 14/11 in ITU.", "14/11"),  # day first after a care verb
    ],
)
def test_named_days_weekdays_and_relative_dates_in_care_are_dates(text: str, span: str) -> None:
    assert ("DATE", span) in labelled(text)


@pytest.mark.parametrize(
    "text",
    [
        "The Christmas party for the ICU staff is on Friday.",
        "Diwali celebration in the hospital atrium at noon.",
        "Happy Eid to all our patients and their families.",
        "Merry Christmas from everyone on the children's ward!",
        "Eid Mubarak from the maternity team!",
        "Our clinics are closed on Boxing Day.",
        "Halloween safety tips for parents of young patients.",
        "We are here 24/7 for our patients.",
        "Our ICU team has been seen 24/7 by every patient's family.",  # a care verb, still no date
        "Shifts run 9 to 5 on the day unit.",
        "Join the 5k run for the hospice on Sunday.",
        "Week 3 of the campaign and the patients love it.",
        "Tuesday's webinar on sepsis care for nurses.",
        "Flu clinic open every Tuesday for patients over 65.",
        "The Children's Day Unit is moving to level 2.",
        "She was on the 5th floor of the ward.",
        "We had an epiphany about handover at the family day.",
        "Boxing Day sales are on, treat yourself!",  # no care at all
    ],
)
def test_occasions_schedules_and_other_numbers_are_not_patient_dates(text: str) -> None:
    assert not [f for f in findings(text) if f.label == "DATE"]


LIBRARY_NAMES = [
    "boxing day",
    "diwali",
    "eid al fitr",
    "holi",
    "canada day",
    "australia day",
    "anzac day",
    "thanksgiving day",
    "memorial day",
    "saint patricks day",
    "easter monday",
    "victoria day",
]
"""From the holidays library's calendars (several countries, optional categories, subdivisions)."""
YAML_NAMES = [
    "christmas eve",
    "new years eve",
    "halloween",
    "hanukkah",
    "eid",
    "thanksgiving",
    "bank holiday",
]
"""From date.yaml: named days the calendars lack, borrowed calendars and aliases."""


@pytest.mark.parametrize("name", LIBRARY_NAMES + YAML_NAMES)
def test_holiday_names_come_from_the_library_and_the_yaml_list(name: str) -> None:
    assert name in NAMED_DAYS


def test_names_are_folded_and_ordinary_phrases_left_out() -> None:
    assert "family day" not in NAMED_DAYS and "epiphany" not in NAMED_DAYS  # ordinary phrases
    assert canonical("St. Patrick’s Day") == canonical("Saint Patricks Day") == "saint patricks day"
    assert canonical("Labour Day") == "labor day"
    assert holiday_calendar("GB", 2026)["boxing day"] == (dt.date(2026, 12, 26),)
    assert holiday_calendar("XX", 2026) == {}


@pytest.mark.parametrize(
    ("span", "posted", "region", "expected"),
    [
        ("Boxing Day", "2026-12-30", "GB", ("2026-12-26", None)),
        ("on Boxing Day", "2026-12-30", "US", ("2026-12-26", None)),  # not a US holiday: another calendar
        ("Boxing Day", "2026-12-20", "GB", ("2025-12-26", None)),  # the one before the post
        ("next Christmas", "2026-12-20", "GB", ("2026-12-25", None)),
        ("Christmas Eve", "2026-12-30", "US", ("2026-12-24", None)),
        ("New Year's Eve", "2027-01-02", "AU", ("2026-12-31", None)),
        ("Christmas Eve 2024", "2026-06-01", "US", ("2024-12-24", None)),
        ("the day before Diwali", "2026-11-20", "IN", ("2026-11-07", None)),
        ("two days after Christmas", "2026-12-30", "IE", ("2026-12-27", None)),
        ("the week after Easter", "2026-05-01", "GB", ("2026-04-12", None)),
        ("on Thanksgiving", "2026-12-03", "US", ("2026-11-26", None)),
        ("on Thanksgiving", "2026-12-03", "CA", ("2026-10-12", None)),
        ("Good Friday", "2026-04-20", "GB", ("2026-04-03", None)),
        ("Easter Sunday", "2026-04-20", "US", ("2026-04-05", None)),
        ("on Hanukkah", "2026-12-20", "US", ("2026-12-05", None)),
        ("on Eid", "2026-04-01", "IN", ("2026-03-21", None)),  # the nearer of the two Eids
        ("on Eid", "2026-06-10", "GB", ("2026-05-28", None)),
        ("over the bank holiday", "2026-09-03", "GB", ("2026-08-31", None)),
        ("on St Patrick's Day", "2026-04-03", "IE", ("2026-03-17", None)),
        ("on Canada Day", "2026-12-03", "GB", ("2026-07-01", None)),
        ("last Tuesday", "2026-12-03", "US", ("2026-12-01", None)),  # posted on a Thursday
        ("last Thursday", "2026-12-03", "US", ("2026-11-26", None)),
        ("on Thursday", "2026-12-03", "US", ("2026-12-03", None)),
        ("on friday night", "2026-12-03", "GB", ("2026-11-27", None)),
        ("next Monday", "2026-12-03", "US", ("2026-12-07", None)),
        ("this Sunday", "2026-12-03", "US", ("2026-12-06", None)),
        ("this past Sunday", "2026-12-03", "US", ("2026-11-29", None)),
        ("yesterday", "2026-12-03", "US", ("2026-12-02", None)),
        ("This morning", "2026-12-03", "US", ("2026-12-03", None)),
        ("overnight", "2026-12-03", "US", ("2026-12-02", None)),
        ("tonight", "2026-12-03", "US", ("2026-12-03", None)),
        ("day before yesterday", "2026-03-01", "US", ("2026-02-27", None)),
        ("last week", "2026-12-03", "US", ("2026-11-23", "2026-11-29")),
        ("earlier this week", "2026-12-03", "US", ("2026-11-30", "2026-12-03")),
        ("last month", "2026-12-03", "US", ("2026-11-01", "2026-11-30")),
        ("over the weekend", "2026-12-03", "US", ("2026-11-28", "2026-11-29")),
        ("last weekend", "2026-12-06", "US", ("2026-11-28", "2026-11-29")),  # posted on a Sunday
        ("two days ago", "2026-12-03", "US", ("2026-12-01", None)),
        ("3 weeks ago", "2026-12-03", "US", ("2026-11-12", None)),
        ("a couple of months ago", "2026-12-03", "US", ("2026-10-03", None)),
        ("on the 14th", "2026-12-03", "US", ("2026-11-14", None)),
        ("since the 2nd", "2026-12-03", "US", ("2026-12-02", None)),
        ("3/4/2026", "2026-06-01", "GB", ("2026-04-03", None)),  # day first
        ("3/4/2026", "2026-06-01", "US", ("2026-03-04", None)),
        ("3/4/2026", "2026-06-01", "uk", ("2026-04-03", None)),  # any case; UK is GB
        ("3/4/2026", "2026-06-01", "", ("2026-03-04", None)),  # no region: the first calendar (US)
        ("25/12/2025", "2026-06-01", "US", ("2025-12-25", None)),  # only one reading
        ("2026-03-04", "2026-06-01", "GB", ("2026-03-04", None)),  # ISO is never day first
        ("12/28", "2027-01-05", "US", ("2026-12-28", None)),  # no year: not well after the post
        ("March 3rd, '24", "2026-06-01", "US", ("2024-03-03", None)),
        ("14 March", "2027-01-10", "IN", ("2026-03-14", None)),
        ("in March 2024", "2026-06-01", "US", ("2024-03-01", "2024-03-31")),
        ("since March", "2026-02-10", "US", ("2025-03-01", "2025-03-31")),
    ],
)
def test_spans_resolve_against_the_post_date(
    span: str, posted: str, region: str, expected: tuple[str, str | None]
) -> None:
    resolved = resolve_span(span, dt.date.fromisoformat(posted), region)
    assert resolved is not None, span
    assert (resolved[0].isoformat(), resolved[1] and resolved[1].isoformat()) == expected


@pytest.mark.parametrize("span", ["a few days ago", "the other day", "last shift", "3pm", "at 0300 hrs"])
def test_vague_dates_and_bare_times_stay_unresolved(span: str) -> None:
    assert resolve_span(span, dt.date(2026, 12, 3), "US") is None


def test_resolve_dates_adds_the_date_to_date_findings_of_a_post() -> None:
    text = "Mrs Osei, 84, was admitted on Boxing Day and seen again last Tuesday in the ED."
    found = findings(text)
    resolved = resolve_dates(found, text, "2026-12-30T08:15:00Z", "GB")
    dates = {text[f.start : f.end]: f.attribute("resolved_date") for f in resolved if f.label == "DATE"}
    assert dates == {"on Boxing Day": "2026-12-26", "last Tuesday": "2026-12-29"}
    others = [f for f in resolved if f.label != "DATE"]
    assert others == [f for f in found if f.label != "DATE"]  # other findings untouched
    assert len(resolved) == len(found)


def test_created_at_in_its_own_offset_and_ranges() -> None:
    text = "The patient came in yesterday and again over the weekend."
    start = text.index("yesterday")
    found = [
        Finding(Category.IDENTIFIER, "DATE", start, start + 9, 0.75, "t", "r"),
        Finding(Category.IDENTIFIER, "DATE", text.index("over"), len(text) - 1, 0.75, "t", "r"),
    ]
    # 23:30 on the 3rd in New York is the 4th in UTC: the post's own calendar day counts
    first, second = resolve_dates(found, text, "2026-12-03T23:30:00-05:00")
    assert first.attribute("resolved_date") == "2026-12-02"
    weekend = (second.attribute("resolved_date"), second.attribute("resolved_until"))
    assert weekend == ("2026-11-28", "2026-11-29")


@pytest.mark.parametrize("created_at", ["", "   ", "yesterday", "2026-13-45T00:00:00Z"])
def test_no_or_invalid_created_at_leaves_findings_unchanged(created_at: str) -> None:
    text = "Admitted yesterday to ICU."
    found = findings(text)
    assert found and resolve_dates(found, text, created_at) == found


def test_existing_attributes_are_kept_and_other_labels_and_attachments_are_skipped() -> None:
    text = "Seen on Boxing Day."
    date = Finding(Category.IDENTIFIER, "DATE", 5, 18, 0.75, "t", "r", attributes=(("region", "GB"),))
    age = Finding(Category.IDENTIFIER, "AGE", 0, 4, 0.75, "t", "r")
    on_image = dataclasses.replace(date, attachment_id="img-1", field="alt_text")
    out = resolve_dates([date, age, on_image], text, "2026-12-30T10:00:00+00:00", "GB")
    assert out[0].attributes == (("region", "GB"), ("resolved_date", "2026-12-26"))
    assert out[1] == age and out[2] == on_image


def test_several_named_days_in_one_post_each_with_its_own_prefix() -> None:
    text = "St. Andrew's Day she was admitted to the ward; discharged the day after Boxing Day. Patient fine."
    spans = {span for label, span in labelled(text) if label == "DATE"}
    assert spans == {"St. Andrew's Day", "the day after Boxing Day"}


@pytest.mark.parametrize(
    ("text", "dated"),
    [
        ("Today we celebrate our ward nurses with cake.", False),
        ("Interviews for ICU nurses are next Tuesday, apply now.", False),
        ("A&E is always busiest over Christmas: use 111 if you can.", False),
        ("On Boxing Day our volunteers brought gifts to the children's ward.", False),
        ("She was happy today to go home from the ward.", True),
        ("Admitted on Christmas Day, the patient got gifts from the nurses.", True),  # a care verb first
    ],
)
def test_occasion_words_in_the_sentence(text: str, dated: bool) -> None:
    assert any(f.label == "DATE" for f in findings(text)) is dated
