"""Policy engine: each action, escalations, consent, fail-closed stages, redaction, allow-lists."""

from __future__ import annotations

import re

import pytest
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.policy.engine import redact
from postguard.domain.types import Category, Decision, Finding, Post, StageName, StageResult, Verdict

pytestmark = pytest.mark.unit

ID, AD = StageName.IDENTIFIER_DETECTION, StageName.ADVICE_CLASSIFICATION
REGISTRY = PolicyRegistry.load()
DEFAULT = REGISTRY.policy_for("demo-hospital")
RIVERSIDE = REGISTRY.policy_for("riverside-clinic")


def ident(text: str, fragment: str, label: str, confidence: float = 0.9) -> Finding:
    start = text.index(fragment)
    return Finding(Category.IDENTIFIER, label, start, start + len(fragment), confidence, "test", "")


def content(label: str, confidence: float = 0.9) -> Finding:
    return Finding(Category.CONTENT, label, 0, 0, confidence, "test", "")


def decide(
    text: str,
    ids: list[tuple[str, str]] = (),
    labels: list[str] = (),
    *,
    policy=DEFAULT,
    consent: str = "",
    confidence: float = 0.9,
) -> Decision:
    post = Post("p1", policy.institutions[0], "x", text, consent_reference=consent)
    results = [
        StageResult("p1", ID, tuple(ident(text, frag, label, confidence) for frag, label in ids)),
        StageResult("p1", AD, tuple(content(label, confidence) for label in labels)),
    ]
    return PolicyEngine().decide(post, results, policy)


def test_clean_post_is_allowed_with_nothing_to_explain() -> None:
    d = decide("Great turnout at today's hand-hygiene workshop! Thanks to all our nurses.")
    assert d.verdict == Verdict.ALLOW
    assert d.findings == () and d.reasons == () and d.incomplete_stages == ()
    assert d.redacted_text == "Great turnout at today's hand-hygiene workshop! Thanks to all our nurses."
    assert (d.policy_id, d.policy_version) == ("default", DEFAULT.version)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d.decided_at)


@pytest.mark.parametrize(
    ("fragment", "label", "verdict"),
    [
        ("last Tuesday", "DATE", Verdict.ALLOW_WITH_CHANGES),  # redact
        ("Springfield", "LOCATION", Verdict.ALLOW_WITH_CHANGES),
        ("Harold", "PERSON", Verdict.REVIEW),  # review
        ("555-201-7734", "PHONE", Verdict.BLOCK),  # block
        ("078-05-1120", "SSN", Verdict.BLOCK),
        ("St Agnes", "FACILITY", Verdict.ALLOW),  # ignore (demo-hospital may name itself)
    ],
)
def test_each_identifier_action(fragment: str, label: str, verdict: Verdict) -> None:
    text = "Harold from Springfield came in last Tuesday to St Agnes; call 555-201-7734 or 078-05-1120."
    d = decide(text, [(fragment, label)])
    assert d.verdict == verdict
    if verdict is Verdict.ALLOW:
        assert d.findings == () and d.redacted_text == text
    else:
        assert [f.label for f in d.findings] == [label]
        assert f"[{label}]" in d.redacted_text and fragment not in d.redacted_text
        assert len(d.reasons) == 1 and label in d.reasons[0]
        assert d.findings[0].suggestion and d.findings[0].reason


@pytest.mark.parametrize(
    ("label", "verdict"),
    [
        ("PERSONAL_ADVICE", Verdict.REVIEW),
        ("PATIENT_SOLICITATION", Verdict.REVIEW),
        ("UNSUPPORTED_CLAIM", Verdict.REVIEW),
        ("UNPROFESSIONAL", Verdict.BLOCK),
        ("UNDISCLOSED_PROMOTION", Verdict.REVIEW),
        ("MISSING_DISCLAIMER", Verdict.ALLOW_WITH_CHANGES),
    ],
)
def test_each_content_action(label: str, verdict: Verdict) -> None:
    text = "Stretch every morning and drink water, it fixes everything."
    d = decide(text, labels=[label])
    assert d.verdict == verdict
    assert d.redacted_text == text  # content findings never rewrite the text
    assert d.findings[0].suggestion


def test_missing_disclaimer_suggests_adding_one() -> None:
    d = decide("Drink water.", labels=["MISSING_DISCLAIMER"])
    assert "not medical advice" in d.findings[0].suggestion


def test_low_confidence_findings_are_ignored() -> None:
    d = decide("Call 555-201-7734 now", [("555-201-7734", "PHONE")], confidence=0.3)
    assert d.verdict == Verdict.ALLOW and d.findings == ()
    assert decide("Please reply.", labels=["UNPROFESSIONAL"], confidence=0.55).verdict == Verdict.ALLOW


def test_unknown_label_is_held_by_default_action() -> None:
    post = Post("p1", "demo-hospital", "x", "hello there")
    odd = Finding(Category.IDENTIFIER, "BIOMETRIC", 0, 5, 0.9, "test", "")
    d = PolicyEngine().decide(post, [StageResult("p1", ID, (odd,)), StageResult("p1", AD)], DEFAULT)
    assert d.verdict == Verdict.REVIEW


def test_age_over_89_escalates_to_review_but_89_does_not() -> None:
    assert decide("Our 94-year-old patient", [("94-year-old", "AGE")]).verdict == Verdict.REVIEW
    d = decide("Our 89-year-old patient", [("89-year-old", "AGE")])
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES and d.redacted_text == "Our [AGE] patient"
    reasons = decide("She is 103 today", [("103", "AGE")]).reasons
    assert any("over 89" in r for r in reasons)


def test_two_identifier_kinds_are_a_reidentification_risk() -> None:
    text = "A 72 yo fell off a ladder last night."
    d = decide(text, [("72 yo", "AGE"), ("last night", "DATE")])
    assert d.verdict == Verdict.REVIEW
    assert any("re-identification risk" in r and "AGE, DATE" in r for r in d.reasons)
    assert d.redacted_text == "A [AGE] fell off a ladder [DATE]."
    # two mentions of the same kind are still one kind
    assert decide("Seen Monday and Tuesday", [("Monday", "DATE"), ("Tuesday", "DATE")]).verdict == (
        Verdict.ALLOW_WITH_CHANGES
    )


def test_ignored_facility_still_counts_toward_reidentification() -> None:
    d = decide(
        "Transplant at St. Agnes two years ago", [("St. Agnes", "FACILITY"), ("two years ago", "DATE")]
    )
    assert d.verdict == Verdict.REVIEW
    assert "St. Agnes" in d.redacted_text  # ignored labels are not redacted


def test_named_patient_with_any_other_identifier_is_blocked() -> None:
    text = "My patient John Smith, 92, from Springfield was admitted 3/4 with pneumonia."
    d = decide(text, [("John Smith", "PERSON"), ("92", "AGE"), ("Springfield", "LOCATION"), ("3/4", "DATE")])
    assert d.verdict == Verdict.BLOCK
    assert (
        d.redacted_text == "My patient [PERSON], [AGE], from [LOCATION] was admitted [DATE] with pneumonia."
    )
    assert any("named patient" in r for r in d.reasons)
    assert not any("re-identification risk" in r for r in d.reasons)  # the stricter reason covers it
    assert [f.label for f in d.findings] == ["PERSON", "AGE", "LOCATION", "DATE"]


def test_reasons_never_quote_post_text() -> None:
    text = "My patient Zebulon Quartermaine, 92, from Xylotown"
    d = decide(text, [("Zebulon Quartermaine", "PERSON"), ("92", "AGE"), ("Xylotown", "LOCATION")])
    assert not any("Zebulon" in r or "Xylotown" in r for r in d.reasons)
    assert not any("Zebulon" in f.reason + f.suggestion for f in d.findings)


def test_consent_relaxes_case_details_to_redact() -> None:
    text = "Case video: 58-year-old woman seen in Lakeview in July 2024 with a rare cardiac sarcoma."
    ids = [("58-year-old", "AGE"), ("Lakeview", "LOCATION"), ("July 2024", "DATE")]
    assert decide(text, ids).verdict == Verdict.REVIEW
    d = decide(text, ids, consent="consent-2024-0193")
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES
    assert any("consent" in r for r in d.reasons)


def test_consent_does_not_relax_names_or_record_numbers() -> None:
    text = "Thanks Mark, MRN 7743021, for letting us share"
    d = decide(text, [("Mark", "PERSON"), ("7743021", "MEDICAL_RECORD_NUMBER")], consent="c-1")
    assert d.verdict == Verdict.BLOCK


def test_consent_does_not_relax_age_over_89() -> None:
    assert decide("Our 94 year old", [("94 year old", "AGE")], consent="c-1").verdict == Verdict.REVIEW


def test_whitespace_consent_reference_is_no_consent() -> None:
    text = "58-year-old from Lakeview"
    assert (
        decide(text, [("58-year-old", "AGE"), ("Lakeview", "LOCATION")], consent="  ").verdict
        == Verdict.REVIEW
    )


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("https://www.cdc.gov/rsv", Verdict.ALLOW),
        ("https://health.state.gov/x", Verdict.ALLOW),
        ("https://www.gofundme.com/f/help-the-family", Verdict.REVIEW),
        ("https://cdc.gov.evil.example/x", Verdict.REVIEW),
    ],
)
def test_links_to_public_sources_are_allowed(url: str, verdict: Verdict) -> None:
    assert decide(f"Read more: {url}", [(url, "URL")]).verdict == verdict


def test_public_contacts_of_the_institution_are_not_findings() -> None:
    assert decide("CVs to careers@demo-hospital.org", [("careers@demo-hospital.org", "EMAIL")]).verdict == (
        Verdict.ALLOW
    )
    assert decide("Write to jane@gmail.com", [("jane@gmail.com", "EMAIL")]).verdict == Verdict.BLOCK


def test_riverside_forbids_naming_the_institution() -> None:
    text = "Proud of the whole team at Riverside Clinic!"
    ids = [("Riverside Clinic", "FACILITY")]
    assert decide(text, ids).verdict == Verdict.ALLOW
    d = decide(text, ids, policy=RIVERSIDE)
    assert d.verdict == Verdict.REVIEW
    assert d.redacted_text == "Proud of the whole team at [FACILITY]!"
    assert d.policy_id == "riverside-clinic"


def test_riverside_blocks_patient_names_alone() -> None:
    assert decide("Our patient Bella", [("Bella", "PERSON")], policy=RIVERSIDE).verdict == Verdict.BLOCK


@pytest.mark.parametrize("missing", [ID, AD])
def test_missing_stage_fails_closed(missing: StageName) -> None:
    post = Post("p1", "demo-hospital", "x", "Great workshop today!")
    present = [StageResult("p1", s) for s in (ID, AD) if s != missing]
    d = PolicyEngine().decide(post, present, DEFAULT)
    assert d.verdict == Verdict.REVIEW
    assert d.incomplete_stages == (str(missing),)
    assert d.reasons[0] == f"screening incomplete: {missing} did not report"


def test_failed_stage_fails_closed_and_its_findings_are_not_trusted() -> None:
    post = Post("p1", "demo-hospital", "x", "Great workshop today!")
    results = [
        StageResult("p1", ID, ok=False, error="identifier-detection failed: RuntimeError"),
        StageResult("p1", AD),
    ]
    d = PolicyEngine().decide(post, results, DEFAULT)
    assert d.verdict == Verdict.REVIEW and d.incomplete_stages == (str(ID),)


def test_incomplete_never_lowers_a_block() -> None:
    text = "SSN 078-05-1120"
    post = Post("p1", "demo-hospital", "x", text)
    d = PolicyEngine().decide(post, [StageResult("p1", ID, (ident(text, "078-05-1120", "SSN"),))], DEFAULT)
    assert d.verdict == Verdict.BLOCK and d.incomplete_stages == (str(AD),)
    assert d.reasons[0].startswith("screening incomplete")


def test_results_for_another_post_do_not_count() -> None:
    post = Post("p1", "demo-hospital", "x", "Hello")
    d = PolicyEngine().decide(post, [StageResult("p2", ID), StageResult("p2", AD)], DEFAULT)
    assert d.verdict == Verdict.REVIEW and set(d.incomplete_stages) == {str(ID), str(AD)}


def test_no_expected_stages_and_no_findings_allows() -> None:
    post = Post("p1", "demo-hospital", "x", "Hello")
    assert PolicyEngine().decide(post, [], DEFAULT, expected_stages=()).verdict == Verdict.ALLOW


def test_redaction_merges_overlapping_spans() -> None:
    text = "Seen on 3 March 2024 at Mercy"
    # "3 March" (DATE) overlaps "March 2024" (DATE) and "March" (PERSON, shorter): one placeholder
    spans = [(8, 15, "DATE"), (10, 20, "DATE"), (10, 15, "PERSON"), (24, 29, "FACILITY")]
    assert redact(text, spans) == "Seen on [DATE] at [FACILITY]"


def test_redaction_longest_overlapping_span_names_the_placeholder() -> None:
    text = "Dr John Smith Jr"
    assert redact(text, [(3, 7, "LOCATION"), (3, 16, "PERSON")]) == "Dr [PERSON]"


def test_redaction_keeps_adjacent_spans_apart_and_skips_bad_spans() -> None:
    assert redact("AB", [(0, 1, "X"), (1, 2, "Y")]) == "[X][Y]"
    assert redact("abc", [(2, 1, "X"), (-1, 2, "Y"), (0, 99, "Z")]) == "abc"


def test_engine_redacts_overlapping_findings_from_two_detectors() -> None:
    text = "pt Maria Gonzalez MRN 00482913 needs a bed"
    post = Post("p1", "demo-hospital", "x", text)
    a = ident(text, "Maria Gonzalez", "PERSON")
    b = ident(text, "Gonzalez MRN 00482913", "MEDICAL_RECORD_NUMBER")
    d = PolicyEngine().decide(post, [StageResult("p1", ID, (a, b)), StageResult("p1", AD)], DEFAULT)
    assert d.verdict == Verdict.BLOCK
    assert d.redacted_text == "pt [MEDICAL_RECORD_NUMBER] needs a bed"


def test_detector_reason_is_kept_and_policy_fix_added() -> None:
    text = "call 555-201-7734"
    f = Finding(Category.IDENTIFIER, "PHONE", 5, 17, 0.99, "rules", "looks like a US phone number")
    post = Post("p1", "demo-hospital", "x", text)
    d = PolicyEngine().decide(post, [StageResult("p1", ID, (f,)), StageResult("p1", AD)], DEFAULT)
    assert d.findings[0].reason == "looks like a US phone number"
    assert "official channels" in d.findings[0].suggestion
