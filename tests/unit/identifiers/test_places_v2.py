"""Places v2: the GeoNames gazetteer with its generated stop-list, street addresses in free text, and the
context that makes a place a patient's (residence cues, care) rather than a conference or the
institution's own site."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pytest
from postguard.devtools import build_gazetteer
from postguard.domain.identifiers.lexicons import (
    DATA_PACKAGE,
    GAZETTEER_FILE,
    PLACE_STOP_NAMES,
    PLACE_STOP_WORDS,
    US_CITIES,
    place_gazetteer,
)
from postguard.domain.identifiers.registry import RecognizerRegistry

pytestmark = pytest.mark.unit


@cache
def registry() -> RecognizerRegistry:
    return RecognizerRegistry()


def places(text: str) -> list[str]:
    """The LOCATION spans the rules find in ``text``."""
    _, findings = registry().analyze_texts([text])[0]
    return [text[f.start : f.end] for f in findings if f.label == "LOCATION"]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Our patient, a retired baker from Wolverhampton, was admitted overnight.", "Wolverhampton"),
        ("Transferred a gentleman from Nagpur to the cardiac ward.", "Nagpur"),
        ("She moved to Geelong last spring and now sees us in clinic.", "Geelong"),
        ("pt resides in lucknow, came in with fever and rigors", "lucknow"),
        ("A toddler from the Hague was triaged in the small hours.", "the Hague"),
        ("He has lived in Wells all his life, discharged home today.", "Wells"),
        ("We admitted a cyclist from Bury after a collision.", "Bury"),
        ("Brought in a teenager from Stoke-on-Trent by ambulance.", "Stoke-on-Trent"),
        ("Admitted an elderly man from St. Albans with a chest infection.", "St. Albans"),
        ("Night shift: a farmer from Moose Jaw came in with frostbite.", "Moose Jaw"),
        ("Her nan lives in Kalgoorlie and flew over for the surgery.", "Kalgoorlie"),
        ("a lad from stockport brought in by his mates at 2am", "stockport"),
        ("Transferred from a Houston hospital to our ICU last night.", "Houston"),
        ("Treated a runner who collapsed at the Denver marathon with heat stroke.", "Denver"),
    ],
)
def test_a_gazetteer_place_with_a_residence_cue_or_care_context_is_found(text: str, place: str) -> None:
    assert place in places(text)


@pytest.mark.parametrize(
    "text",
    [
        "Excited to be speaking at the symposium in Glasgow next month.",
        "Our Birmingham site is recruiting healthcare assistants.",
        "Reading list for new starters: sepsis, AKI and DKA.",
        "Thanks Florence for the cake on nights!",
        "March is kidney awareness month.",
        "The Leeds marathon raised three thousand pounds for the children's charity.",
        "Great keynote by Toronto colleagues on ICU delirium at the congress.",
        "Nice to see the ward so calm today.",
        "A study from Boston showed fewer falls with hourly rounding.",
        "Boston Hospitals Join National Sepsis Campaign",
        "Victoria Beckham visited the children's charity event.",
        "Poster presentation in Denver went well, thanks to the unit for the data.",
        "Hope everyone on the ward had a restful weekend.",
        "Thanks to the Perth paramedics who ran our simulation day.",
        "Staff from our Hyderabad office volunteered at the blood drive.",
        "Inverness fun run for the neonatal unit this Sunday, sign up at reception.",
    ],
)
def test_events_the_institutions_own_site_and_ordinary_words_are_not_places(text: str) -> None:
    assert places(text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Pt discharged home to 7 Rowan Close after a long stay.", "7 Rowan Close"),
        ("She lives at 48c Kingfisher Way with two cats.", "48c Kingfisher Way"),
        ("Flat 12, 9 Station Road, was where the crew found him.", "Flat 12, 9 Station Road"),
        ("Ambulance sent to 2/15 Ocean Parade, Coogee overnight.", "2/15 Ocean Parade, Coogee"),
        ("Home visit at #14, 6th Main, Jayanagar this morning.", "#14, 6th Main, Jayanagar"),
        ("Seen at 310 W 5th Ave Apt 2B by the outreach nurse.", "310 W 5th Ave Apt 2B"),
        ("she lives at 3 willow crescent and was admitted with sepsis", "3 willow crescent"),
        ("Picked up from 66 Gandhi Nagar by the paramedics.", "66 Gandhi Nagar"),
    ],
)
def test_street_addresses_in_free_text(text: str, address: str) -> None:
    assert address in places(text)


def test_a_venue_address_in_an_event_sentence_is_not_a_patients() -> None:
    assert places("Join our webinar at 40 Queen Street next Tuesday.") == []
    assert places("Register now for the workshop, 12 Market Square, 9am.") == []


def test_the_stop_list_is_made_of_gazetteer_names_and_keeps_ordinary_words() -> None:
    lower = {name.lower() for name in place_gazetteer()}
    assert PLACE_STOP_NAMES and PLACE_STOP_WORDS
    assert lower >= PLACE_STOP_NAMES | PLACE_STOP_WORDS
    assert not PLACE_STOP_NAMES & PLACE_STOP_WORDS
    assert "march" in PLACE_STOP_NAMES  # a month that is a town
    assert {"reading", "mobile"} <= PLACE_STOP_WORDS  # dictionary words
    assert {"smith", "christmas", "can"} <= PLACE_STOP_NAMES  # a surname, a holiday, a stop word


def test_the_gazetteer_file_is_small_attributed_and_keeps_the_us_cities_lexicon() -> None:
    resource = resources.files(DATA_PACKAGE).joinpath(GAZETTEER_FILE)
    text = resource.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 1_000_000
    assert "GeoNames" in text[:600] and "CC BY 4.0" in text[:600]
    gazetteer = place_gazetteer()
    assert len(gazetteer) > 30_000
    assert all(("The" + c[3:] if c.startswith("the ") else c) in gazetteer for c in US_CITIES)
    assert "US" in gazetteer["Tucson"][0].split(",")
    assert "Canada" not in gazetteer and "Texas" not in gazetteer  # regions are no identifiers


def test_the_build_script_filters_names_and_finds_ordinary_words() -> None:
    assert build_gazetteer.plausible("Stoke-on-Trent") and build_gazetteer.plausible("Port of Spain")
    assert not build_gazetteer.plausible("ALV") and not build_gazetteer.plausible("Zürich")
    assert build_gazetteer.spellings("St Ives") == ("St Ives", "St. Ives")
    ordinary = frozenset({"deal", "hope"})
    assert build_gazetteer.stop_list(["Deal", "Hope Valley", "Leeds"], ordinary) == ["deal"]


def test_a_strong_residence_cue_gives_the_gazetteer_place_its_higher_confidence() -> None:
    text = "Our patient lives in Ipswich and was discharged home today."
    _, findings = registry().analyze_texts([text])[0]
    assert [(text[f.start : f.end], f.confidence) for f in findings if f.label == "LOCATION"] == [
        ("Ipswich", 0.8)
    ]
