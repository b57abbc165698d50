"""Policy v2: rules by a finding's kind (FACILITY kind, URL link_kind), PERSON roles, ages from the
``years`` attribute, and consent references checked against the policy's format, list and expiry."""

from __future__ import annotations

from pathlib import Path

import pytest
from postguard.domain.policy import PolicyEngine, PolicyError, PolicyRegistry
from postguard.domain.policy.registry import Action, parse_policy
from postguard.domain.types import Category, Decision, Finding, Post, StageName, StageResult, Verdict

pytestmark = pytest.mark.unit

ID, AD = StageName.IDENTIFIER_DETECTION, StageName.ADVICE_CLASSIFICATION
REGISTRY = PolicyRegistry.load()
DEFAULT = REGISTRY.policy_for("demo-hospital")
RIVERSIDE = REGISTRY.policy_for("riverside-clinic")

BASE = """\
policy_id: kinds
version: "1"
institutions: [inst-k]
identifiers:
  PERSON: review
  FACILITY: ignore
  URL: review
  DATE: redact
"""


def found(text: str, fragment: str, label: str, confidence: float = 0.9, **attributes: str) -> Finding:
    start = text.index(fragment)
    return Finding(
        Category.IDENTIFIER,
        label,
        start,
        start + len(fragment),
        confidence,
        "test",
        "",
        attributes=tuple(sorted(attributes.items())),
    )


def decide(text: str, findings: list[Finding], policy=DEFAULT, **post_fields: str) -> Decision:
    post = Post("p1", policy.institutions[0], "x", text, **post_fields)
    results = [StageResult("p1", ID, tuple(findings)), StageResult("p1", AD)]
    return PolicyEngine().decide(post, results, policy)


# -- FACILITY by kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bed", "room", "ward", "unit"])
def test_default_policy_redacts_every_bed_room_ward_unit(kind: str) -> None:
    text = "Settled Mrs Adeyemi's son into cubicle 9 after the night round."
    d = decide(text, [found(text, "cubicle 9", "FACILITY", kind=kind)])
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES
    assert "cubicle 9" not in d.redacted_text and "[FACILITY]" in d.redacted_text


def test_a_bed_counts_toward_reidentification_a_named_hospital_still_ignored() -> None:
    text = "Quiet shift in HDU bay 3 at Kingsmead General, discharged two this afternoon"
    bed = found(text, "HDU bay 3", "FACILITY", kind="room")
    named = found(text, "Kingsmead General", "FACILITY", kind="named")
    date = found(text, "this afternoon", "DATE")
    d = decide(text, [bed, named, date])
    assert d.verdict == Verdict.REVIEW  # FACILITY + DATE: two kinds of patient detail
    assert "Kingsmead General" in d.redacted_text and "HDU bay 3" not in d.redacted_text
    only_named = decide(text, [named])
    assert only_named.verdict == Verdict.ALLOW and only_named.redacted_text == text


def test_a_facility_without_kind_keeps_the_label_rule() -> None:
    text = "Proud of everyone at Harbourview Infirmary"
    d = decide(text, [found(text, "Harbourview Infirmary", "FACILITY")])
    assert d.verdict == Verdict.ALLOW and d.redacted_text == text


def test_riverside_holds_beds_and_names_alike() -> None:
    text = "Thank you Riverside Clinic staff; bed 14 has a new monitor"
    named = found(text, "Riverside Clinic", "FACILITY", kind="named")
    bed = found(text, "bed 14", "FACILITY", kind="bed")
    assert decide(text, [named], policy=RIVERSIDE).verdict == Verdict.REVIEW
    d = decide(text, [bed], policy=RIVERSIDE)
    assert d.verdict == Verdict.REVIEW and "bed 14" not in d.redacted_text


# -- URL by link_kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "confidence", "verdict"),
    [
        ("reference", 0.2, Verdict.ALLOW),
        ("reference", 0.9, Verdict.ALLOW),  # ignored by kind even when confident
        ("person", 0.9, Verdict.REVIEW),
        ("record", 0.9, Verdict.REVIEW),
        ("shortened", 0.45, Verdict.ALLOW),  # under the default policy's bar: the policy decides
    ],
)
def test_default_policy_acts_on_links_by_kind(kind: str, confidence: float, verdict: Verdict) -> None:
    text = "More here: https://link.example/abc"
    d = decide(text, [found(text, "https://link.example/abc", "URL", confidence, link_kind=kind)])
    assert d.verdict == verdict


def test_a_reference_link_does_not_count_toward_reidentification() -> None:
    text = "New trial results https://doi.example/10.5555/x published this morning"
    url = found(text, "https://doi.example/10.5555/x", "URL", 0.9, link_kind="reference")
    date = found(text, "this morning", "DATE")
    assert decide(text, [url, date]).verdict == Verdict.ALLOW_WITH_CHANGES


def test_stricter_policy_holds_shortened_links() -> None:
    text = "Sign up: https://sho.rt/Qx7"
    d = decide(text, [found(text, "https://sho.rt/Qx7", "URL", 0.45, link_kind="shortened")], RIVERSIDE)
    assert d.verdict == Verdict.REVIEW


# -- PERSON roles -------------------------------------------------------------------------------------


ROLES = parse_policy(BASE + "person_roles: {staff: ignore, public: ignore, account: ignore}\n", "r.yaml")


@pytest.mark.parametrize("role", ["staff", "public", "account"])
def test_ignored_roles_are_neither_redacted_nor_counted(role: str) -> None:
    text = "Huge thanks to Priyanka Deshmukh for teaching the sepsis course yesterday"
    person = found(text, "Priyanka Deshmukh", "PERSON", role=role)
    date = found(text, "yesterday", "DATE")
    d = decide(text, [person, date], ROLES)
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES  # the date alone: no escalation, no named patient
    assert "Priyanka Deshmukh" in d.redacted_text
    assert not any("re-identification" in r for r in d.reasons)


@pytest.mark.parametrize("role", ["patient", "relative", "unknown", ""])
def test_patient_side_and_unroled_names_keep_the_person_rule(role: str) -> None:
    text = "Tomasz went home to Leeds yesterday"
    attrs = {"role": role} if role else {}
    person = found(text, "Tomasz", "PERSON", **attrs)
    date = found(text, "yesterday", "DATE")
    d = decide(text, [person, date], ROLES)
    assert d.verdict == Verdict.BLOCK  # a named patient plus another detail
    assert "Tomasz" not in d.redacted_text


def test_an_institution_can_hold_colleague_names() -> None:
    strict = parse_policy(BASE + "person_roles: {staff: review, public: ignore}\n", "s.yaml")
    text = "Congratulations to Oluwaseun Bello on her promotion"
    d = decide(text, [found(text, "Oluwaseun Bello", "PERSON", role="staff")], strict)
    assert d.verdict == Verdict.REVIEW


def test_shipped_policies_ignore_public_and_account_names() -> None:
    text = "As Florence Nightingale wrote, follow @wardnurse_k"
    public = found(text, "Florence Nightingale", "PERSON", role="public")
    account = found(text, "@wardnurse_k", "PERSON", role="account")
    for policy in (DEFAULT, RIVERSIDE):
        assert decide(text, [public, account], policy).verdict == Verdict.ALLOW


# -- ages ---------------------------------------------------------------------------------------------


def test_age_escalation_reads_the_years_attribute() -> None:
    text = "Celebrated with our ninety-four year old on the ward"
    d = decide(text, [found(text, "ninety-four year old", "AGE", years="94")])
    assert d.verdict == Verdict.REVIEW and any("over 89" in r for r in d.reasons)
    text = "A 95 day old baby"  # the years attribute wins over the number in the text
    d = decide(text, [found(text, "95 day old", "AGE", years="0.26")])
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES


def test_age_without_years_falls_back_to_the_text() -> None:
    text = "our 97-year-old patient"
    assert decide(text, [found(text, "97-year-old", "AGE")]).verdict == Verdict.REVIEW
    assert decide(text, [found(text, "97-year-old", "AGE", years="unknown")]).verdict == Verdict.REVIEW


# -- consent ------------------------------------------------------------------------------------------


CASE = "Case story: 61-year-old from Ashby seen in March with a rare tumour."


def case_findings() -> list[Finding]:
    return [found(CASE, "61-year-old", "AGE"), found(CASE, "Ashby", "LOCATION"), found(CASE, "March", "DATE")]


@pytest.mark.parametrize("reference", ["MC-2025-00417", "CR/2024/0017#2", "consent-2023-881", "20250417"])
def test_default_policy_accepts_well_formed_references(reference: str) -> None:
    d = decide(CASE, case_findings(), consent_reference=reference)
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES
    assert not any(r.startswith("consent:") for r in d.reasons)


@pytest.mark.parametrize(
    "reference", ["none", "n/a", "-", "N/A", "tbd", "xxxx", "qwertyuiop", "0", "12", "abc123x"]
)
def test_default_policy_refuses_placeholders_and_random_strings(reference: str) -> None:
    d = decide(CASE, case_findings(), consent_reference=reference)
    assert d.verdict == Verdict.REVIEW  # nothing relaxed: the case details escalate
    refusal = [r for r in d.reasons if r.startswith("consent:")]
    assert len(refusal) == 1 and "not applied" in refusal[0] and "format" in refusal[0]
    assert reference not in refusal[0].split(" - ", 1)[1] or reference == "-"


def test_without_a_pattern_a_reference_needs_a_number() -> None:
    policy = parse_policy(BASE + "consent: {relaxes: [DATE]}\n", "c.yaml")
    text = "Seen on 3 May"
    date = [found(text, "3 May", "DATE")]
    assert decide(text, date, policy, consent_reference="none").reasons[-1].startswith("consent:")
    assert "placeholder" in decide(text, date, policy, consent_reference="n/a").reasons[-1]
    ok = decide(text, date, policy, consent_reference="f7")
    assert not any(r.startswith("consent:") for r in ok.reasons)


LISTED = (
    BASE
    + """\
consent:
  relaxes: [DATE, AGE]
  reference_pattern: 'MC-\\d{4}-\\d{3,5}'
  references:
    - MC-2025-0101
    - {reference: MC-2024-0777, expires: 2025-06-30}
"""
)


def test_listed_references_with_expiry() -> None:
    policy = parse_policy(LISTED, "l.yaml")
    text = "A 58 year old seen on 2 June"
    ids = [found(text, "58 year old", "AGE"), found(text, "2 June", "DATE")]
    ok = decide(text, ids, policy, consent_reference="MC-2025-0101")
    assert ok.verdict == Verdict.ALLOW_WITH_CHANGES
    unknown = decide(text, ids, policy, consent_reference="MC-2025-0102")
    assert unknown.verdict == Verdict.REVIEW and "not in the policy's list" in unknown.reasons[-1]
    fresh = decide(text, ids, policy, consent_reference="mc-2024-0777", created_at="2025-06-30T23:00:00Z")
    assert fresh.verdict == Verdict.REVIEW  # lower case fails the pattern (it is matched as written)
    valid = decide(text, ids, policy, consent_reference="MC-2024-0777", created_at="2025-06-30T23:00:00Z")
    assert valid.verdict == Verdict.ALLOW_WITH_CHANGES
    expired = decide(text, ids, policy, consent_reference="MC-2024-0777", created_at="2025-07-01T08:00:00Z")
    assert expired.verdict == Verdict.REVIEW
    assert "expired on 2025-06-30" in expired.reasons[-1]


def test_expiry_without_created_at_uses_the_decision_date() -> None:
    policy = parse_policy(LISTED, "l.yaml")
    text = "seen on 2 June"
    d = decide(text, [found(text, "2 June", "DATE")], policy, consent_reference="MC-2024-0777")
    assert "expired" in d.reasons[-1]  # 2025-06-30 is in the past of this test's clock


def test_references_file_beside_the_policy(tmp_path: Path) -> None:
    (tmp_path / "consents.txt").write_text(
        "# signed media consents\nMC-2025-0300, 2030-01-31\nMC-2025-0301\n", encoding="utf-8"
    )
    (tmp_path / "p.yaml").write_text(
        BASE + "consent: {relaxes: [DATE], references_file: consents.txt}\n", encoding="utf-8"
    )
    policy = PolicyRegistry.load(tmp_path).policy_for("inst-k")
    text = "seen on 2 June"
    ids = [found(text, "2 June", "DATE")]
    for reference in ("MC-2025-0300", "MC-2025-0301"):
        reasons = decide(text, ids, policy, consent_reference=reference).reasons
        assert not any(r.startswith("consent:") for r in reasons)
    assert decide(text, ids, policy, consent_reference="MC-2025-0399").reasons[-1].startswith("consent:")


def test_consent_never_relaxes_names_or_record_numbers_unless_listed() -> None:
    text = "Thanks Ingrid, MRN 5521930, for sharing your story"
    ids = [found(text, "Ingrid", "PERSON"), found(text, "5521930", "MEDICAL_RECORD_NUMBER")]
    assert decide(text, ids, consent_reference="MC-2025-00417").verdict == Verdict.BLOCK
    relaxing = parse_policy(BASE + "consent: {relaxes: [PERSON, DATE]}\n", "p.yaml")
    person_only = [found(text, "Ingrid", "PERSON")]
    assert decide(text, person_only, relaxing, consent_reference="MC-2025-00417").verdict == (
        Verdict.ALLOW_WITH_CHANGES
    )


# -- parsing ------------------------------------------------------------------------------------------


def test_parse_kind_rules() -> None:
    policy = parse_policy(
        BASE
        + "identifier_kinds:\n  FACILITY: {bed: redact, named: {action: review, min_confidence: 0.7}}\n"
        + "  URL: {reference: ignore, other: {action: ignore, counts: true}}\n",
        "k.yaml",
    )
    bed = policy.kind_rules[("FACILITY", "bed")]
    assert (bed.action, bed.min_confidence, bed.counts) == (Action.REDACT, 0.5, True)
    assert policy.kind_rules[("FACILITY", "named")].min_confidence == 0.7
    assert policy.kind_rules[("URL", "reference")].counts is False
    assert policy.kind_rules[("URL", "other")].counts is True


@pytest.mark.parametrize(
    ("extra", "line", "fragment"),
    [
        ("identifier_kinds:\n  FACILITY: {cot: redact}\n", 10, "unknown kind 'cot' in identifier_kinds"),
        ("identifier_kinds:\n  DATE: {bed: redact}\n", 10, "label 'DATE' has no kinds"),
        ("identifier_kinds:\n  PERSON: {staff: ignore}\n", 10, "put them in person_roles"),
        ("identifier_kinds:\n  URL:\n    person: revue\n", 11, "'revue' for identifier_kinds.URL.person"),
        ("person_roles:\n  colleague: ignore\n", 10, "unknown kind 'colleague' in person_roles"),
        ("person_roles: {staff: {action: ignore, counts: maybe}}\n", 9, "counts of person_roles.staff must"),
        ("person_roles: [staff]\n", 9, "person_roles must be a mapping"),
        ("consent: {reference_pattern: 'MC-(\\d+'}\n", 9, "consent.reference_pattern: missing )"),
        ("consent:\n  references:\n    - {reference: A-1, expires: soon}\n", 11, "must be a date YYYY-MM-DD"),
        ("consent:\n  references:\n    - {expires: 2026-01-01}\n", 11, "has no reference"),
        ("consent: {references_file: missing.txt}\n", 9, "consent.references_file cannot be read"),
        ("consent: {refrences: []}\n", 9, "unknown key 'refrences' in consent"),
    ],
)
def test_invalid_kinds_roles_and_consent_name_file_and_line(extra: str, line: int, fragment: str) -> None:
    with pytest.raises(PolicyError) as excinfo:
        parse_policy(BASE + extra, "policies/k.yaml")
    message = str(excinfo.value)
    assert message.startswith(f"policies/k.yaml:{line}: "), message
    assert fragment in message


def test_references_file_errors_name_that_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "consents.txt").write_text("MC-1, 2030-01-31\n\nMC-2, next week\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(BASE + "consent: {references_file: consents.txt}\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"consents\.txt:3: expiry must be a date"):
        PolicyRegistry.load(tmp_path)


def test_own_domains_may_name_a_page_on_a_social_network() -> None:
    policy = parse_policy(
        BASE + "allowed_url_domains: [example-health.org, instagram.com/examplehealth]\n", "d.yaml"
    )
    text = (
        "See instagram.com/examplehealth/ and instagram.com/examplehealthfan and www.example-health.org/jobs"
    )
    ids = [
        found(text, "instagram.com/examplehealth/", "URL", link_kind="person"),
        found(text, "www.example-health.org/jobs", "URL", link_kind="other"),
    ]
    assert decide(text, ids, policy).verdict == Verdict.ALLOW
    fan = [found(text, "instagram.com/examplehealthfan", "URL", link_kind="person")]
    assert decide(text, fan, policy).verdict == Verdict.REVIEW


def test_reasons_and_fixes_speak_of_the_kind() -> None:
    text = "Our girl in cot 7 has a page instagram.com/little.lottie.fights"
    cot = found(text, "cot 7", "FACILITY", kind="bed")
    link = found(text, "instagram.com/little.lottie.fights", "URL", link_kind="person")
    d = decide(text, [cot, link])
    assert any(r.startswith("FACILITY: post gives a bed, cot or cubicle") for r in d.reasons), d.reasons
    assert any(r.startswith("URL: post links to a person's page") for r in d.reasons), d.reasons
    by_label = {f.label: f for f in d.findings}
    assert by_label["FACILITY"].suggestion == "Remove the bed number and its unit."
    assert "lottie" not in " ".join(d.reasons)


def test_a_link_carrying_a_patient_name_from_the_post_points_at_that_person() -> None:
    text = (
        "Little Ava Kowalczyk went home today! Her story: https://news.example.co.uk/2025/ava-kowalczyk-home"
    )
    link = "https://news.example.co.uk/2025/ava-kowalczyk-home"
    person = found(text, "Ava Kowalczyk", "PERSON", role="patient")
    for kind, confidence in (("reference", 0.2), ("other", 0.6)):
        d = decide(text, [person, found(text, link, "URL", confidence, link_kind=kind)])
        assert d.verdict == Verdict.BLOCK  # a named patient plus her link
        assert "kowalczyk" not in d.redacted_text.lower()
        assert [f.attribute("link_kind") for f in d.findings if f.label == "URL"] == ["person"]


def test_a_staff_name_in_a_news_link_keeps_the_link_a_reference() -> None:
    policy = parse_policy(BASE + "person_roles: {staff: ignore}\n", "r.yaml")
    text = "Congratulations Dr Priya Nair, interviewed at https://news.example.org/priya-nair-award"
    person = found(text, "Priya Nair", "PERSON", role="staff")
    link = found(text, "https://news.example.org/priya-nair-award", "URL", 0.2, link_kind="reference")
    assert decide(text, [person, link], policy).verdict == Verdict.ALLOW


def test_a_label_rule_may_leave_the_escalation_count() -> None:
    policy = parse_policy(
        BASE.replace("  FACILITY: ignore\n", "  FACILITY: {action: ignore, counts: false}\n"), "c.yaml"
    )
    text = "Lovely send-off at Harbourview Infirmary this afternoon"
    ids = [found(text, "Harbourview Infirmary", "FACILITY"), found(text, "this afternoon", "DATE")]
    assert decide(text, ids, policy).verdict == Verdict.ALLOW_WITH_CHANGES
    assert decide(text, ids, parse_policy(BASE, "b.yaml")).verdict == Verdict.REVIEW
