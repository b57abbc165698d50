"""Links v2: every URL gets a link_kind (reference, person, shortened, record, other) from the domain
lists in data/links.yaml and the path, and the default policy holds only the person and record ones."""

from __future__ import annotations

import pytest
from identifier_support import findings, post
from postguard.domain.identifiers.recognizers.links import DomainSet
from postguard.domain.identifiers.recognizers.url import link_kind
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.types import StageName, StageResult, Verdict

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        # references: DOIs, journals, literature databases, public bodies, professional bodies, news
        ("https://doi.org/10.1016/S0140-6736(24)00001-2", "reference"),
        ("https://pubmed.ncbi.nlm.nih.gov/31234567/", "reference"),
        ("jamanetwork.com/journals/jama/fullarticle/2811111", "reference"),
        ("www.medrxiv.org/content/10.1101/2025.01.01.123", "reference"),
        ("https://www.gov.uk/government/publications/winter-vaccines", "reference"),
        ("https://sheffield.nhs.uk/services/maternity", "reference"),
        ("https://www.canada.ca/en/public-health.html", "reference"),
        ("https://www.hse.ie/eng/health/az/", "reference"),
        ("https://www.mohfw.gov.in/pdf/guidelines.pdf", "reference"),
        ("health.gov.au/topics/immunisation", "reference"),
        ("https://www.rcog.org.uk/guidance/", "reference"),
        ("https://www.cbc.ca/news/health/flu-season-1.7000000", "reference"),
        ("https://www.thehindu.com/sci-tech/health/article6800000.ece", "reference"),
        ("https://en.wikipedia.org/wiki/Kawasaki_disease", "reference"),
        ("https://www.nature.com/articles/s41591-025-00001-x?id=55", "reference"),
        # people: profiles, fundraisers, obituaries, personal pages, person paths
        ("https://x.com/ward_nurse_tj", "person"),
        ("twitter.com/KellyRN_1990/status/1700000000000000000", "person"),
        ("https://www.instagram.com/baby.theo.journey/", "person"),
        ("https://m.facebook.com/kwame.asante.50", "person"),
        ("https://www.linkedin.com/in/olga-petrov-rn/", "person"),
        ("https://www.tiktok.com/@icu.nurse.dee", "person"),
        ("https://gofundme.com/f/bring-marek-home", "person"),
        ("https://www.justgiving.com/crowdfunding/support-for-the-nowak-family", "person"),
        ("https://www.ketto.org/fundraiser/help-ishaan-fight", "person"),
        ("givealittle.co.nz/cause/helping-hemi", "person"),
        ("https://www.legacy.com/us/obituaries/name/ruth-kowalski-obituary", "person"),
        ("https://www.barnesfuneralservices.com/notices/arthur-lane", "person"),
        ("https://rip.ie/death-notice/mary-o-brien-123", "person"),
        ("https://priyas-recovery.wordpress.com/2025/03/day-12", "person"),
        ("https://univ.example.edu/~hchen/", "person"),
        ("https://clinic.example.org/people/dr-amara-obi", "person"),
        ("https://wa.me/447700900456", "person"),
        ("paypal.me/HelpTheMorrisons", "person"),
        ("https://venmo.com/u/Dana-Reyes-4", "person"),
        # a reference body's own account is a reference, not a person
        ("https://x.com/NEJM", "reference"),
        ("https://twitter.com/CDCgov/status/1800000000000000001", "reference"),
        ("instagram.com/bbcnews", "reference"),
        ("https://x.com/US_FDA", "reference"),
        ("https://www.facebook.com/TheBMJ", "reference"),
        ("https://x.com/bmjnurse_ellie", "person"),
        # shortened: unknown destination
        ("https://bit.ly/4kQ9zRt", "shortened"),
        ("https://t.co/Zk3PqL0w", "shortened"),
        ("tinyurl.com/flu-clinic-times", "shortened"),
        ("https://lnkd.in/gx7YbTq", "shortened"),
        ("ow.ly/Ab12Cd", "shortened"),
        ("buff.ly/3QwErTy", "shortened"),
        # files and records
        ("https://drive.google.com/file/d/1AbCdEfGh/view", "record"),
        ("https://www.dropbox.com/s/abc123/scan.pdf", "record"),
        ("https://portal.example-health.org/patients/88123/summary", "record"),
        ("https://app.example.org/view?uid=4471", "record"),
        ("https://mychart.example.org/MyChart/", "record"),
        # everything else
        ("https://www.eventbrite.co.uk/e/nurses-day-tickets-1234", "other"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "other"),
        ("https://x.com/hashtag/NursesWeek", "other"),
        ("https://www.instagram.com/p/C9xYz12AbC/", "other"),
        ("https://www.linkedin.com/company/example-health/", "other"),
        ("https://cdc.gov.lookalike.example/reset", "other"),
        ("https://www.wordpress.com/plans", "other"),
    ],
)
def test_link_kind(url: str, kind: str) -> None:
    assert link_kind(url) == kind


def test_domain_sets_match_whole_labels() -> None:
    domains = DomainSet(["nhs.uk", "gov", "x.com"])
    assert domains.match("www.leeds.nhs.uk") == "nhs.uk"
    assert "state.gov" in domains and "cdc.gov" in domains
    assert "box.com" not in domains and "gov.example.org" not in domains and "nhs.uk.example" not in domains


def test_recognizer_puts_the_kind_on_the_finding() -> None:
    text = "Study: https://doi.org/10.1186/s12913-025-00001-1 and her page https://x.com/maya_runs_again"
    urls = [f for f in findings(text) if f.label == "URL"]
    assert [(text[f.start : f.end], f.attribute("link_kind")) for f in urls] == [
        ("https://doi.org/10.1186/s12913-025-00001-1", "reference"),
        ("https://x.com/maya_runs_again", "person"),
    ]
    reference, person = urls
    assert reference.confidence < 0.4 < 0.5 < person.confidence


def test_numbers_inside_a_reference_link_stay_part_of_it() -> None:
    text = "Read it at https://doi.org/10.1056/NEJMoa2412345 before journal club"
    assert {f.label for f in findings(text)} == {"URL"}


def test_country_domains_are_links() -> None:
    text = "Guidance at hse.ie and the appeal at givealittle.co.nz/cause/kia-kaha-tama"
    spans = {text[f.start : f.end]: f.attribute("link_kind") for f in findings(text) if f.label == "URL"}
    assert spans == {"hse.ie": "reference", "givealittle.co.nz/cause/kia-kaha-tama": "person"}


def screen(text: str, institution: str = "demo-hospital") -> Verdict:
    registry = PolicyRegistry.load()
    p = post(text)
    p = type(p)(p.post_id, institution, p.platform, p.text)
    results = [
        StageResult(p.post_id, StageName.IDENTIFIER_DETECTION, tuple(findings(text))),
        StageResult(p.post_id, StageName.ADVICE_CLASSIFICATION),
    ]
    return PolicyEngine().decide(p, results, registry.policy_for(institution)).verdict


@pytest.mark.parametrize(
    "text",
    [
        "New NICE guidance on sepsis recognition: https://www.nice.org.uk/guidance/ng51",
        "Our team's audit is published today https://bmjopenquality.bmj.com/content/14/1/e003000",
        "Great explainer from the BBC on winter pressures https://www.bbc.co.uk/news/health-68000000",
        "RSV season is here: https://www.cdc.gov/rsv/index.html and https://www.who.int/news-room",
        "Register for the webinar: https://bit.ly/3Wn8Qpz",
    ],
)
def test_clean_posts_with_reference_or_short_links_are_not_held(text: str) -> None:
    assert screen(text) in (Verdict.ALLOW, Verdict.ALLOW_WITH_CHANGES)


@pytest.mark.parametrize(
    "text",
    [
        "Please support the family: https://www.gofundme.com/f/help-jonah-heal",
        "Follow her recovery at instagram.com/little.wren.fights",
        "The service details are on https://www.legacy.com/ca/obituaries/name/gordon-mackay",
    ],
)
def test_person_links_are_held(text: str) -> None:
    assert screen(text) == Verdict.REVIEW


def test_a_stricter_policy_holds_shortened_links() -> None:
    assert screen("Details: https://bit.ly/3Wn8Qpz", "riverside-clinic") == Verdict.REVIEW
