"""Details that identify anyone without a care context: whole street addresses (any language, on one
line or several), birth and other personal dates, record fields, and towns after a residence cue."""

from __future__ import annotations

from functools import cache

import pytest
from postguard.domain.identifiers.registry import RecognizerRegistry
from postguard.domain.types import Finding

pytestmark = pytest.mark.unit


@cache
def registry() -> RecognizerRegistry:
    return RecognizerRegistry()


def findings(text: str, label: str) -> list[Finding]:
    """The rules' findings of ``label`` in ``text``."""
    _, found = registry().analyze_texts([text])[0]
    return [f for f in found if f.label == label]


def spans(text: str, label: str) -> list[str]:
    return [text[f.start : f.end] for f in findings(text, label)]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        # no care words anywhere: the address alone identifies whoever lives there
        (
            "Could you post the parcel to 391 Larkspur Drive, Apt 12, Fairhope, AL 36532 please",
            "391 Larkspur Drive, Apt 12, Fairhope, AL 36532",
        ),
        (
            "Parcel for Odile: Brennerstrasse 17, 6020 Innsbruck, Austria",
            "Brennerstrasse 17, 6020 Innsbruck, Austria",
        ),
        ("Forward my post to Kungsgatan 8, Goteborg", "Kungsgatan 8, Goteborg"),
        ("The keys are at Rua das Laranjeiras 240 with the porter.", "Rua das Laranjeiras 240"),
        ("Our family home was Calle Alcala 77 for years.", "Calle Alcala 77"),
        ("my address is Tammelantie 4, Lahti", "Tammelantie 4, Lahti"),
        (
            "He always waits on the corner of Orchard Lane and Mill Street, by the bins.",
            "Orchard Lane and Mill Street",
        ),
        ("Send the letter to USNS Mercy FPO AP 96672 by Friday.", "USNS Mercy FPO AP 96672"),
        ("they live at 62 Oxley Rise now", "62 Oxley Rise"),
        ("Please note I now live at 5 Holm 33 since the move", "5 Holm 33"),
    ],
)
def test_a_street_address_is_found_whole_without_care_context(text: str, address: str) -> None:
    assert address in spans(text, "LOCATION")


def test_a_multi_line_address_is_one_span_from_street_to_country() -> None:
    text = "Rosalind Quayle\n\n14 Heron Wharf\n Suite 6\n Galway\n Ireland H91 E2K7\nThanks!"
    assert spans(text, "LOCATION") == ["14 Heron Wharf\n Suite 6\n Galway\n Ireland H91 E2K7"]
    text = "> Imre Sallai\n> 2250 Kossuth utca 19\n> Apt. 4\n> SZEGED\n> Hungary 6720"
    assert spans(text, "LOCATION") == ["2250 Kossuth utca 19\n> Apt. 4\n> SZEGED\n> Hungary 6720"]


def test_a_street_line_without_a_street_type_counts_when_unit_and_postcode_lines_follow() -> None:
    text = "Bram Oosterhuis\nZuidwal 71\nUnit 3\nLeiden\n2312 AB"
    assert any(s.startswith("Zuidwal 71\nUnit 3\nLeiden") for s in spans(text, "LOCATION"))
    assert spans("Shopping list\n2 loaves\n6 eggs\nmilk", "LOCATION") == []


def test_street_addresses_carry_street_granularity() -> None:
    (f,) = findings("Please send it to 77 Beacon Hill Road, Ripon", "LOCATION")
    assert f.attribute("granularity") == "street"


def test_a_town_before_a_postcode_counts_without_care() -> None:
    found = spans("Return the form to the office in Springfield 62704.", "LOCATION")
    assert "Springfield" in found or "Springfield 62704" in found
    assert "Harrogate" in spans("Return the form to the office in Harrogate HG1 2RQ.", "LOCATION")


@pytest.mark.parametrize(
    "text",
    [
        "Join our webinar at 40 Queen Street next Tuesday.",
        "The conference venue is Messeplatz 1, Basel: register by Friday.",
        "He was moved to 4 West after the scan.",  # a ward, not an address
        "She lives on 5 acres with three dogs and a goat.",
        "During 2019 the board invested in new scanners.",
        "Please delegate 3 tasks to the new starter.",
        "Our family moved to 3 different towns before I was ten.",
    ],
)
def test_venues_wards_and_numbers_in_ordinary_sentences_are_not_addresses(text: str) -> None:
    assert spans(text, "LOCATION") == []


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("I live in Dunfermline and cycle in most days.", "Dunfermline"),
        ("We now live in Ballarat with the grandchildren.", "Ballarat"),
        ("Maybe because my home town is Kirkcaldy, I support Raith.", "Kirkcaldy"),
    ],
)
def test_a_town_after_a_residence_cue_counts_without_care(text: str, place: str) -> None:
    assert place in spans(text, "LOCATION")


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Her birthday is on 19 August, she will be thrilled.", "19 August"),
        ("d.o.b. 7/9/1966", "7/9/1966"),
        ("Birthdate: 02/28/1983", "02/28/1983"),
        ("Date of birth 3 January 1957 as written on the form.", "3 January 1957"),
        ("His appointment is on 11/04/2025 at ten.", "11/04/2025"),
        ("I was born on 21 October 1979 in a snowstorm.", "21 October 1979"),
    ],
)
def test_birth_and_personal_dates_count_without_care(text: str, date: str) -> None:
    assert date in spans(text, "DATE")


def test_a_date_field_of_a_personal_record_counts() -> None:
    text = "Date: 2022-07-14 09:30\nName: Fenella Roarke\nMobile: 0412 555 019"
    assert "2022-07-14" in spans(text, "DATE")
    # the same field in a post with no personal field is an event's date
    assert spans("Date: 2022-07-14 09:30\nVenue: main hall\nTopic: sepsis update", "DATE") == []


@pytest.mark.parametrize(
    "text",
    [
        "She qualified as a midwife on 15 July 2001 and has trained hundreds of students since.",
        "I start my new role as practice educator on 1 September 2026!",
        "Flu vaccination clinic: Thursday 22 October 2026, 9am-4pm, church hall.",
        "The annual general meeting will be held on 25/11/2026 at the town hall.",
    ],
)
def test_career_and_event_dates_are_not_personal_dates(text: str) -> None:
    assert spans(text, "DATE") == []


@pytest.mark.parametrize(
    "text",
    [
        "The company moved to Swindon in 2019 and doubled its staff.",
        "Our clinic has relocated to Harrogate for the summer.",
        "Road closures: the junction of Castle Street and Bridge Road is shut on Sunday.",
        "New smoking shelters are at the corner of Gate A and the multistorey car park.",
    ],
)
def test_an_organisations_move_and_a_road_junction_in_news_are_not_a_persons_place(text: str) -> None:
    assert spans(text, "LOCATION") == []


def test_a_postcode_after_a_postcode_cue_may_have_any_countrys_shape() -> None:
    assert spans("ZIP: 4821", "LOCATION") == ["4821"]
    assert [f.attribute("granularity") for f in findings("ZIP: 4821", "LOCATION")] == ["postcode"]
    assert spans("my postal code is 114 32", "LOCATION") == ["114 32"]


@pytest.mark.parametrize(
    ("text", "road"),
    [
        ("Two of the lads from the pile-up on the A38 are still with us on HDU.", "A38"),
        ("Thinking of everyone caught up in the collision near Highway 401 this morning.", "Highway 401"),
        ("Long night: the RTC off the M62 kept resus busy until 4am.", "M62"),
        ("Three victims of the shooting at Maple and 7th came through our doors tonight.", "Maple and 7th"),
        ("Trauma bay was full after the wreck on I-95, all stable now.", "I-95"),
        ("The hit-and-run along Route 30 brought us a 12 year old, she is fighting.", "Route 30"),
    ],
)
def test_the_road_where_an_incident_happened_is_a_place(text: str, road: str) -> None:
    assert road in spans(text, "LOCATION")


@pytest.mark.parametrize(
    "text",
    [
        "Crash course in ECG reading at 2pm in the seminar room, all welcome.",
        "Our accident prevention campaign for toddlers starts next week.",
        "The A38 is closed for roadworks, allow extra time to get to clinic.",
        "Shooting stars: our volunteers of the year, photos from the awards night.",
        "Collision of two ideas: quality improvement meets patient experience.",
    ],
)
def test_incident_words_or_roads_alone_are_not_an_incident_scene(text: str) -> None:
    assert spans(text, "LOCATION") == []
