"""Re-identification risk: kinds of detail combine, the strongest of a kind counts, roles matter."""

from __future__ import annotations

import pytest
from postguard.domain.reidentification import reidentification_risk
from postguard.domain.types import Category, Finding

pytestmark = pytest.mark.unit


def detail(label: str, **attributes: str) -> Finding:
    return Finding(
        Category.IDENTIFIER, label, 0, 1, 0.9, "test", "", attributes=tuple(sorted(attributes.items()))
    )


def test_no_details_no_risk():
    assert reidentification_risk([]).score == 0.0


def test_a_direct_identifier_is_certain():
    risk = reidentification_risk([detail("PHONE")])
    assert risk.score == 1.0
    assert risk.details == ("direct: PHONE (1.00)",)


def test_kinds_combine_and_more_kinds_mean_more_risk():
    age = reidentification_risk([detail("AGE", years="40")]).score
    age_town = reidentification_risk([detail("AGE", years="40"), detail("LOCATION")]).score
    age_town_day = reidentification_risk(
        [detail("AGE", years="40"), detail("LOCATION"), detail("DATE")]
    ).score
    assert 0 < age < age_town < age_town_day < 1


def test_the_strongest_detail_of_a_kind_counts_once():
    one = reidentification_risk([detail("DATE")]).score
    three = reidentification_risk([detail("DATE"), detail("DATE"), detail("DATE", precision="month")]).score
    assert one == three


def test_finer_places_and_extreme_ages_weigh_more():
    town = reidentification_risk([detail("LOCATION")]).score
    postcode = reidentification_risk([detail("LOCATION", granularity="postcode")]).score
    assert postcode > town
    assert (
        reidentification_risk([detail("AGE", years="93")]).score
        > reidentification_risk([detail("AGE", years="52")]).score
    )
    bed = reidentification_risk([detail("FACILITY", kind="bed")]).score
    hospital = reidentification_risk([detail("FACILITY")]).score
    assert bed > hospital > 0


def test_names_of_staff_and_reference_links_do_not_count():
    risk = reidentification_risk(
        [
            detail("PERSON", role="staff"),
            detail("PERSON", role="public"),
            detail("URL", link_kind="reference"),
        ]
    )
    assert risk.score == 0.0
    assert reidentification_risk([detail("PERSON", role="patient")]).score == 1.0
    assert 0 < reidentification_risk([detail("URL", link_kind="shortened")]).score < 0.5
    assert reidentification_risk([detail("URL", link_kind="person")]).score == 1.0


def test_content_findings_are_not_details():
    advice = Finding(Category.CONTENT, "PERSONAL_ADVICE", 0, 1, 0.9, "test", "")
    assert reidentification_risk([advice]).score == 0.0
