"""Settings and app factories of the three stream services (built without a broker)."""

from __future__ import annotations

import pytest
from postguard.advice_classification.app import create_app as create_advice_app
from postguard.advice_classification.settings import AdviceClassificationSettings
from postguard.core import topics
from postguard.core.faust_app import broker_url
from postguard.core.settings import CommonSettings
from postguard.identifier_detection.app import create_app as create_identifier_app
from postguard.identifier_detection.settings import IdentifierDetectionSettings
from postguard.policy_decision.app import create_app as create_policy_app
from postguard.policy_decision.app import deadlines_topic_name
from postguard.policy_decision.settings import PolicyDecisionSettings
from pydantic import ValidationError

pytestmark = pytest.mark.unit


def test_defaults_match_the_shared_port_plan() -> None:
    ports = [
        (s.grpc_port, s.metrics_port)
        for s in (IdentifierDetectionSettings(), AdviceClassificationSettings(), PolicyDecisionSettings())
    ]
    assert ports == [(50052, 9102), (50053, 9103), (50054, 9104)]


def test_each_service_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS", "7.5")
    monkeypatch.setenv("POSTGUARD_IDENTIFIER_DETECTION_BATCH_SIZE", "4")
    monkeypatch.setenv("POSTGUARD_ADVICE_CLASSIFICATION_GRPC_PORT", "6000")
    assert PolicyDecisionSettings().deadline_seconds == 7.5
    assert IdentifierDetectionSettings().batch_size == 4
    assert AdviceClassificationSettings().grpc_port == 6000
    assert AdviceClassificationSettings().batch_size == 32  # not leaked across services


def test_bad_settings_fail_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS", "1")
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_SWEEP_INTERVAL_SECONDS", "2")
    with pytest.raises(ValidationError, match="sweep_interval_seconds"):
        PolicyDecisionSettings()
    monkeypatch.setenv("POSTGUARD_POLICY_DECISION_DEADLINE_SECONDS", "0")
    with pytest.raises(ValidationError):
        PolicyDecisionSettings()


def test_broker_url() -> None:
    assert broker_url("127.0.0.1:9092") == "kafka://127.0.0.1:9092"
    assert broker_url("a:1, b:2") == "kafka://a:1;kafka://b:2"
    with pytest.raises(ValueError):
        broker_url(" , ")


def _common() -> CommonSettings:
    return CommonSettings(kafka_bootstrap_servers="127.0.0.1:1", topic_partitions=5, use_models=False)


@pytest.mark.parametrize(
    ("factory", "settings"),
    [
        (create_identifier_app, IdentifierDetectionSettings),
        (create_advice_app, AdviceClassificationSettings),
    ],
)
def test_detection_apps_consume_posts_as_raw_bytes(factory, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    conf = settings(data_dir=tmp_path)
    app = factory(conf, _common())
    assert app.conf.id == conf.consumer_group
    assert str(app.conf.broker[0]) == "kafka://127.0.0.1:1"
    assert app.conf.topic_partitions == 5
    assert app.conf.processing_guarantee.value == "at_least_once"
    assert app.conf.producer_acks == -1
    assert not app.conf.web_enabled
    [agent] = app.agents.values()
    assert set(agent.channel.topics) == {topics.POSTS}
    assert agent.channel.value_serializer == "raw"


def test_policy_decision_joins_three_topics_into_a_copartitioned_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from postguard.domain.policy import PolicyRegistry
    from postguard.policy_decision import agents
    from postguard.policy_decision.joiner import DecisionJoiner

    conf = PolicyDecisionSettings(data_dir=tmp_path)
    built = create_policy_app(conf, _common())
    joiner = DecisionJoiner(
        PolicyRegistry.load(None),
        built.table,
        deadlines_topic=deadlines_topic_name(conf),
        deadline_seconds=conf.deadline_seconds,
        retention_seconds=conf.retention_seconds,
    )
    agent = agents.register(built, joiner, conf.sweep_interval_seconds)
    assert set(agent.channel.topics) == {topics.POSTS, topics.FINDINGS, "postguard-policy-decision-deadlines"}
    assert built.table.partitions == 5
    assert built.table.changelog_topic.get_topic_name() == "postguard-policy-decision-joins-changelog"
    assert len(built.app._app_tasks) >= 2  # deadline sweep + consumer lag timers
