"""The shipped default policy, fed the gold set's own annotations, reproduces every expected verdict.

This pins the policy to the reviewer judgement written down in data/gold (66 clean hard negatives
included): a change to default.yaml or the engine that flips any gold verdict fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.domain.types import Category, Finding, Post, StageName, StageResult, Verdict

pytestmark = pytest.mark.unit

GOLD = Path(__file__).resolve().parents[3] / "data" / "gold" / "posts.jsonl"
RECORDS = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("record", RECORDS, ids=[r["post_id"] for r in RECORDS])
def test_default_policy_on_gold_annotations(record: dict) -> None:
    post = Post(record["post_id"], record["institution_id"], record["platform"], record["text"])
    ids = tuple(
        Finding(Category.IDENTIFIER, s["label"], s["start"], s["end"], 0.9, "gold", "")
        for s in record["identifiers"]
    )
    content = tuple(Finding(Category.CONTENT, c, 0, 0, 0.9, "gold", "") for c in record["content_labels"])
    results = [
        StageResult(post.post_id, StageName.IDENTIFIER_DETECTION, ids),
        StageResult(post.post_id, StageName.ADVICE_CLASSIFICATION, content),
    ]
    registry = PolicyRegistry.load()
    decision = PolicyEngine().decide(post, results, registry.policy_for(post.institution_id))
    assert decision.verdict == Verdict(record["expected_verdict"]), decision.reasons
    for span in record["identifiers"]:
        if span["label"] != "FACILITY":  # the default policy lets demo-hospital name facilities
            assert f"[{span['label']}]" in decision.redacted_text
