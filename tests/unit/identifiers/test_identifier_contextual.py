"""Table-driven tests of context identifiers: names, dates, ages, places, facilities, quasi-identifiers."""

from __future__ import annotations

import pytest
from identifier_support import labelled

pytestmark = pytest.mark.unit

CASES: list[tuple[str, set[tuple[str, str]]]] = [
    # PERSON: only with a patient / family cue
    ("My patient Maria Lopez is recovering well.", {("PERSON", "Maria Lopez")}),
    ("Pt Smith refused the blood draw.", {("PERSON", "Smith")}),
    ("Mrs. Okafor asked for her glasses.", {("PERSON", "Okafor")}),
    ("Mr. Lopez in bed 4 is finally smiling.", {("PERSON", "Lopez"), ("FACILITY", "bed 4")}),
    ("Her daughter Anna sends her thanks.", {("PERSON", "Anna")}),
    ("A sweet boy named Jaylen made us cards.", {("PERSON", "Jaylen")}),
    ("Pt's wife Karen called twice.", {("PERSON", "Karen")}),
    ("Our little fighter Liam goes home soon!", {("PERSON", "Liam")}),
    # DATE: tied to care
    ("Admitted 3/4 with sepsis.", {("DATE", "3/4")}),
    ("Born at 3:14am on 2/2 in the NICU.", {("DATE", "3:14am"), ("DATE", "2/2")}),
    ("Yesterday in the ED we ran a code.", {("DATE", "Yesterday")}),
    ("She was discharged last Tuesday after surgery.", {("DATE", "last Tuesday")}),
    ("Our patient came in on March 3rd, 2024 with chest pain.", {("DATE", "March 3rd, 2024")}),
    ("The patient was admitted on 2024-03-04.", {("DATE", "2024-03-04")}),
    ("Intubated 12/25/2023 in the ICU.", {("DATE", "12/25/2023")}),
    ("Great teaching X-ray from clinic. Taken 03/14/2024.", {("DATE", "03/14/2024")}),  # a case post
    (
        "This morning in the ED a toddler swallowed a battery.",
        {("DATE", "This morning"), ("QUASI_IDENTIFIER", "swallowed")},  # unusual event + time + age group
    ),
    ("Delivered a baby on Christmas Eve on my night shift!", {("DATE", "on Christmas Eve")}),
    ("The patient arrived by ambulance two days ago.", {("DATE", "two days ago")}),
    # AGE
    ("A 92-year-old came in after a fall.", {("AGE", "92-year-old")}),
    ("Our patient, aged 45, recovered.", {("AGE", "aged 45")}),
    ("45yo with chest pain in the ED.", {("AGE", "45yo")}),
    ("Saw a 45 y/o with migraine.", {("AGE", "45 y/o")}),
    ("She is in her 90s and still gardening.", {("AGE", "in her 90s")}),
    ("A ninety-three-year-old veteran told me stories.", {("AGE", "ninety-three-year-old")}),
    ("67 F with dyspnea on exertion.", {("AGE", "67 F")}),
    ("Our centenarian patient went home.", {("AGE", "centenarian")}),
    ("Cared for Ms. Diaz. At 101 she still beats me at cards!", {("PERSON", "Diaz"), ("AGE", "101")}),
    ("She asked me to share her story: breast cancer survivor at 34.", {("AGE", "34")}),
    ("Mr. K, 67, came in with chest pain.", {("PERSON", "K"), ("AGE", "67")}),
    ("Pt (72M) is on the mend.", {("AGE", "72")}),
    (
        "Met a 98yo veteran at the clinic in Tampa this morning.",
        {("AGE", "98yo"), ("LOCATION", "Tampa"), ("DATE", "this morning")},
    ),
    # LOCATION
    (
        "He lives at 123 Main Street, Springfield, IL 62704.",
        {("LOCATION", "123 Main Street, Springfield, IL 62704")},
    ),
    ("A farmer from Springfield was airlifted.", {("LOCATION", "Springfield")}),
    ("The family lives in Smallville.", {("LOCATION", "Smallville")}),
    ("Brought in from Orange County by EMS.", {("LOCATION", "Orange County")}),
    ("Her zip code is 02139.", {("LOCATION", "02139")}),
    # FACILITY
    (
        "Transferred to St. Mary's Hospital overnight.",
        {("FACILITY", "St. Mary's Hospital"), ("DATE", "overnight")},
    ),
    ("Room 412 needs a sitter.", {("FACILITY", "Room 412")}),
    ("Busy night on the 4th floor ICU.", {("FACILITY", "4th floor ICU")}),
    ("Grateful for the team at Springfield General.", {("FACILITY", "Springfield General")}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_context_identifier_found_with_exact_span(text: str, expected: set[tuple[str, str]]) -> None:
    assert labelled(text) == expected


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        (
            "The unhoused diabetic who stepped on screws came into our ED yesterday, a 58-year-old man.",
            "unhoused",
        ),
        ("A 34-year-old woman from Boston with progeria was admitted last night.", "progeria"),
        ("Yesterday a shark attack victim, a teenager, was flown to our trauma bay 2.", "shark attack"),
        (
            "Fascinating X-ray: screws in the foot of an unsheltered diabetic man who stepped on them. "
            "Taken 03/14/2024.",
            "unsheltered",
        ),
    ],
)
def test_rare_condition_with_place_time_or_demographics_is_a_quasi_identifier(
    text: str, condition: str
) -> None:
    quasi = [(label, span) for label, span in labelled(text) if label == "QUASI_IDENTIFIER"]
    assert quasi == [("QUASI_IDENTIFIER", condition)]


@pytest.mark.parametrize(
    "text",
    [
        "Learn the signs of rabies: bats are the most common source in the US.",  # condition only
        "Progeria affects about 1 in 20 million children worldwide.",  # no place or time
        "A woman with necrotizing fasciitis needs fast surgery.",  # one dimension only
    ],
)
def test_rare_condition_alone_is_not_a_quasi_identifier(text: str) -> None:
    assert not [label for label, _ in labelled(text) if label == "QUASI_IDENTIFIER"]
