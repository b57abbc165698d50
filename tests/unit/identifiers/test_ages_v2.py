"""Ages v2: ages in words, shorthand ("34F", "6yo"), infants in months and weeks, decades, names with
an age in apposition; every AGE finding carries its age in years ("years"), and every age over 89
escalates however it is written. Doses, times, counts and populations are not ages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from postguard.domain.identifiers.messages import AGE_OVER_89_REASON
from postguard.domain.identifiers.recognizers.age import AgeRecognizer, number_value, years_text
from postguard.domain.types import Category, Finding

sys.path.insert(0, str(Path(__file__).parent))
from identifier_support import detector, findings

pytestmark = pytest.mark.unit


def _ages(text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.attribute("years")) for f in findings(text) if f.label == "AGE"]


@pytest.mark.parametrize(
    ("text", "span", "years"),
    [
        ("Mrs. Hale, aged ninety-one, was admitted with a fall.", "aged ninety-one", "91"),
        ("An eighty seven year old man came into A&E.", "eighty seven year old", "87"),
        ("Our twenty-two-year-old patient is recovering well.", "twenty-two-year-old", "22"),
        ("She is seventy-four years of age and lives alone.", "seventy-four years of age", "74"),
        ("The patient turned ninety last week on the ward.", "turned ninety", "90"),
        ("A one hundred and two year old was admitted to the ward.", "one hundred and two year old", "102"),
        ("34F presenting with abdominal pain.", "34F", "34"),
        ("Saw a 29F in triage with a migraine.", "29F", "29"),
        ("72 M admitted overnight with chest pain.", "72 M", "72"),
        ("Patient is a 6yo boy with asthma.", "6yo", "6"),
        ("8 y/o with croup in the ED.", "8 y/o", "8"),
        ("Baby aged 6 months admitted to PICU with bronchiolitis.", "aged 6 months", "0.5"),
        ("Infant aged three weeks seen in clinic for jaundice.", "aged three weeks", "0.057"),
        ("An 18-month-old was seen in clinic for a rash.", "18-month-old", "1.5"),
        ("a six-month-old in the ED with fever", "six-month-old", "0.5"),
        ("The baby is 3 weeks old and in NICU.", "3 weeks old", "0.057"),
        ("She is in her 90s and still gardening.", "in her 90s", "90"),
        ("He is in his late nineties and on the ward.", "in his late nineties", "90"),
        ("A 101 year old came in after a fall.", "101 year old", "101"),
        ("Our centenarian patient went home.", "centenarian", "100"),
        ("A 45yo with chest pain in the ED.", "45yo", "45"),
        ("45/M with fever and cough in the ED.", "45/M", "45"),
        ("Pt F/72, known diabetic, admitted with DKA.", "F/72", "72"),
    ],
)
def test_ages_however_written_carry_their_years(text: str, span: str, years: str) -> None:
    assert (span, years) in _ages(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mrs. Hale, aged ninety-one, was admitted with a fall.",
        "A ninety-six-year-old gentleman on our ward.",
        "Patient turned ninety last week on the ward.",
        "He is in his late nineties and on the ward.",
        "A 101 year old came in after a fall.",
        "Cared for a nonagenarian in the ED today.",
    ],
)
def test_every_age_over_89_escalates(text: str) -> None:
    ages = [f for f in findings(text) if f.label == "AGE"]
    assert ages and all(f.confidence == 1.0 and f.reason == AGE_OVER_89_REASON for f in ages)
    assert all(float(f.attribute("years")) > 89 for f in ages)


@pytest.mark.parametrize(
    "text",
    [
        "Patient had a fever of 102 F overnight.",
        "Temp spiked to 101 F in the ward.",
        "Give 5 mg twice a day, 3 times a week.",
        "Grant of $34M for patients with cancer.",
        "A 6 hour shift in the ED.",
        "Finish 3 weeks of antibiotics.",
        "We turned one of the bays into a quiet room for patients.",
        "Patients aged 65 and over can get the booster.",
        "Our aged care facility has openings for nurses.",
        "The clinic saw 30 M and 25 F patients last year.",
        "Run the infusion at 20 ml/hr for the patient.",
        "Give the patient 60 mg/M2 of the drug.",
        "The ward ratio was 12/M staff per shift.",
    ],
)
def test_doses_times_counts_and_populations_are_not_ages(text: str) -> None:
    assert _ages(text) == []


def test_every_age_finding_has_years() -> None:
    text = "Mr. K, 67, came in. A 3-week-old and a 45 y/o too. Pt (72M) is on the mend."
    ages = [f for f in findings(text) if f.label == "AGE"]
    assert len(ages) == 4 and all(f.attribute("years") for f in ages)


def test_number_words_and_years_text() -> None:
    assert number_value("ninety-one") == 91
    assert number_value("eighty seven") == 87
    assert number_value("one hundred and four") == 104
    assert number_value("a hundred") == 100
    assert number_value("nineteen") == 19
    assert number_value("banana") is None
    assert years_text(91) == "91" and years_text(18 / 12) == "1.5" and years_text(7 / 365.25) == "0.019"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Our little fighter Liam, 6, goes home soon!", "6"),
        ("A sweet boy named Jaylen (7) made us cards.", "7"),
        ("Her daughter Anna, 12, sends her thanks.", "12"),
    ],
)
def test_an_age_in_apposition_after_a_name_found_earlier(text: str, span: str) -> None:
    assert (span, span) in _ages(text)


@pytest.mark.parametrize(
    ("role", "aged"), [("patient", True), ("relative", True), ("staff", False), ("public", False)]
)
def test_an_age_after_a_name_depends_on_whose_name_it_is(role: str, aged: bool) -> None:
    text = "Thank you Ngozi Eze, 52, from the ward."
    (analysis, _), *_ = detector().registry.analyze_with_tokens([text], tables=False)[0]
    start = text.index("Ngozi")
    name = Finding(
        Category.IDENTIFIER, "PERSON", start, start + 9, 0.85, "t", "r", attributes=(("role", role),)
    )
    analysis.findings[:] = [name]
    ages = [text[f.start : f.end] for f in AgeRecognizer().analyze(analysis)]
    assert ages == (["52"] if aged else [])
