"""The decision carries the post's re-identification risk; the policy's threshold holds a risky post."""

from __future__ import annotations

import pytest
from postguard.domain.policy import PolicyEngine, PolicyError, PolicyRegistry
from postguard.domain.policy.registry import parse_policy
from postguard.domain.types import Category, Decision, Finding, Post, StageName, StageResult, Verdict

pytestmark = pytest.mark.unit

POLICY = """\
policy_id: risk
version: "1"
institutions: [inst-r]
identifiers: {DATE: redact, AGE: redact, LOCATION: redact, PERSON: review}
escalation:
  distinct_identifiers: false
  reidentification_risk: {at_least: 0.5, action: review}
"""


def found(text: str, fragment: str, label: str, **attributes: str) -> Finding:
    start = text.index(fragment)
    attrs = tuple(sorted(attributes.items()))
    return Finding(Category.IDENTIFIER, label, start, start + len(fragment), 0.9, "t", "", attributes=attrs)


def decide(text: str, findings: list[Finding], policy) -> Decision:
    post = Post("p1", policy.institutions[0], "x", text)
    results = [
        StageResult("p1", StageName.IDENTIFIER_DETECTION, tuple(findings)),
        StageResult("p1", StageName.ADVICE_CLASSIFICATION),
    ]
    return PolicyEngine().decide(post, results, policy)


def test_a_single_detail_is_redacted_and_its_risk_reported():
    policy = parse_policy(POLICY, "risk.yaml")
    text = "Discharged a lovely gent aged 71 today."
    d = decide(text, [found(text, "aged 71", "AGE", years="71")], policy)
    assert d.verdict == Verdict.ALLOW_WITH_CHANGES
    assert 0 < d.reidentification_risk < 0.5
    assert d.risk_details == ("demographics: age (0.15)",)


def test_details_that_together_reach_the_threshold_hold_the_post():
    policy = parse_policy(POLICY, "risk.yaml")
    text = "Our 71 year old from Dunmore went home on 3 March."
    d = decide(
        text,
        [found(text, "71 year old", "AGE", years="71"), found(text, "Dunmore", "LOCATION"),
         found(text, "3 March", "DATE")],
        policy,
    )  # fmt: skip
    assert d.verdict == Verdict.REVIEW
    assert d.reidentification_risk >= 0.5
    assert any(r.startswith("re-identification risk") for r in d.reasons)
    assert all("Dunmore" not in r for r in (*d.reasons, *d.risk_details))  # never the post's words


def test_ignored_kinds_do_not_raise_the_risk():
    policy = PolicyRegistry.load().policy_for("demo-hospital")
    text = "Thanks to Dr Okonjo for the teaching session."
    d = decide(text, [found(text, "Dr Okonjo", "PERSON", role="staff")], policy)
    assert d.reidentification_risk == 0.0 and d.verdict == Verdict.ALLOW


def test_a_risk_threshold_outside_zero_to_one_is_a_file_line_error():
    bad = POLICY.replace("at_least: 0.5", "at_least: 5")
    with pytest.raises(PolicyError, match=r"risk\.yaml:7: .*between 0\.01 and 1"):
        parse_policy(bad, "risk.yaml")
