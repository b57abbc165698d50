"""``account_disclaimer: true``: the accounts' profiles carry the not-medical-advice statement, so a post
without one of its own is not changed for it."""

from __future__ import annotations

import pytest
from postguard.domain.policy import PolicyEngine, PolicyError
from postguard.domain.policy.registry import Action, parse_policy
from postguard.domain.types import Category, Finding, Post, StageName, StageResult, Verdict

pytestmark = pytest.mark.unit

BASE = """\
policy_id: test
version: "1"
institutions: [inst-a]
content:
  PERSONAL_ADVICE: review
"""
TEXT = "Drink water on hot days."


def _decide(policy_text: str) -> Verdict:
    post = Post(post_id="p-1", institution_id="inst-a", platform="x", text=TEXT)
    finding = Finding(
        category=Category.CONTENT,
        label="MISSING_DISCLAIMER",
        start=0,
        end=len(TEXT),
        confidence=0.7,
        detector="rules:MISSING_DISCLAIMER",
        reason="health information without a disclaimer",
    )
    results = [
        StageResult("p-1", StageName.IDENTIFIER_DETECTION),
        StageResult("p-1", StageName.ADVICE_CLASSIFICATION, (finding,)),
    ]
    policy = parse_policy(policy_text, "inline.yaml")
    stages = (StageName.IDENTIFIER_DETECTION, StageName.ADVICE_CLASSIFICATION)
    return PolicyEngine().decide(post, results, policy, expected_stages=stages).verdict


def test_without_it_a_missing_disclaimer_gets_the_label_rule() -> None:
    text = BASE + "  MISSING_DISCLAIMER: redact\n"
    assert parse_policy(text, "inline.yaml").account_disclaimer is False
    assert _decide(text) is Verdict.ALLOW_WITH_CHANGES
    assert _decide(BASE) is Verdict.REVIEW  # unlisted: default_action


def test_an_account_disclaimer_ignores_missing_disclaimer_findings_only() -> None:
    text = BASE + "account_disclaimer: true\n"
    policy = parse_policy(text, "inline.yaml")
    assert policy.rule_for("CONTENT", "MISSING_DISCLAIMER").action is Action.IGNORE
    assert policy.rule_for("CONTENT", "PERSONAL_ADVICE").action is Action.REVIEW
    assert _decide(text) is Verdict.ALLOW
    assert _decide(text.replace("true", "false")) is Verdict.REVIEW


def test_an_account_disclaimer_with_a_disclaimer_rule_is_refused_with_its_line() -> None:
    text = BASE + "  MISSING_DISCLAIMER: redact\naccount_disclaimer: true\n"
    with pytest.raises(PolicyError, match=r"^inline.yaml:7: account_disclaimer: true ignores"):
        parse_policy(text, "inline.yaml")
    assert parse_policy(text.replace(": redact", ": ignore"), "inline.yaml").account_disclaimer


def test_account_disclaimer_must_be_a_boolean() -> None:
    with pytest.raises(PolicyError, match="must be true or false"):
        parse_policy(BASE + "account_disclaimer: sometimes\n", "inline.yaml")
