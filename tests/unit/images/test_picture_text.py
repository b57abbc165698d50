"""Text read from pictures, read as labels: dates, names after beds and form fields, name lines, ages.

Pure text in, findings out (no OCR): the rules of domain/images/picture_text.py on their own, with the
rules-only identifier recognizers underneath.
"""

from __future__ import annotations

import pytest
from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.images.picture_text import as_picture_text, label_dates

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def read():
    detector = IdentifierDetector()

    def findings(text: str, clinical: bool = False) -> list[tuple[str, str]]:
        found = as_picture_text(detector.detect_texts([text])[0], text, clinical)
        return sorted((str(f.label), text[f.start : f.end]) for f in found if f.confidence >= 0.5)

    return findings


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("SMITH\n2023-11-30", ["2023-11-30"]),
        ("Acq 07/21/2022 10:14", ["07/21/2022"]),
        ("21.07.22", ["21.07.22"]),
        ("taken 9 Feb 2021", ["9 Feb 2021"]),
        ("Sept 3, 2019 follow-up", ["Sept 3, 2019"]),
        ("February 3, 2019", ["February 3, 2019"]),
        ("Flu campaign 2021-2023", []),
        ("Page 2/3", []),
        ("30/02/2024", []),  # no such day
        ("v2.10.4", []),
    ],
)
def test_complete_calendar_dates_only(text: str, dates: list[str]) -> None:
    assert [text[f.start : f.end] for f in label_dates(text, [])] == dates


def test_names_after_a_bed_on_a_board(read) -> None:
    found = read("Bay 2 - Mbeki\nBed 9: K. Larsen\nBed 10 - Vacant\nBed 11 - DNR")
    assert ("PERSON", "Mbeki") in found and ("PERSON", "K. Larsen") in found
    assert not any(span in ("Vacant", "DNR") for label, span in found if label == "PERSON")


def test_form_fields_name_their_person(read) -> None:
    assert ("PERSON", "Haddad, Rami") in read("Name: Haddad, Rami")
    assert ("PERSON", "Ines Duarte") in read("PATIENT  Ines Duarte")
    assert read("Name: Visitors Only") == []
    assert read("Name tags are at the front desk") == []


def test_label_ages(read) -> None:
    assert ("AGE", "071Y") in read("071Y")
    assert ("AGE", "54 yrs") in read("Age band 54 yrs")
    assert ("AGE", "F/38") in read("F/38")
    assert not any(label == "AGE" for label, _ in read("Room 4F"))


def test_name_lines_on_clinical_pictures(read) -> None:
    assert ("PERSON", "DUARTE, INES") in read("DUARTE, INES", clinical=False)  # comma form
    assert ("PERSON", "DUARTE INES") in read("DUARTE INES", clinical=True)
    assert read("DUARTE INES", clinical=False) == []  # capitals alone are a heading elsewhere
    assert read("PORTABLE CHEST", clinical=True) == []


def test_a_given_name_line_counts_only_beside_a_patient_detail(read) -> None:
    assert ("PERSON", "Amara Osei") in read("Amara Osei\nDOB: 1990-04-12")
    assert read("Amara Osei\nCharge Nurse") == []
