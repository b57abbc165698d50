"""The policy-decision process: settings -> logging -> policies, audit -> metrics, gRPC, faust worker."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from postguard.core.audit import open_audit_store
from postguard.core.logging import configure_logging
from postguard.core.settings import CommonSettings
from postguard.core.stream_service import run_stream_service
from postguard.domain.policy import PolicyEngine, PolicyRegistry
from postguard.policy_decision import agents
from postguard.policy_decision.app import create_app, deadlines_topic_name
from postguard.policy_decision.configmap_watcher import start_configmap_watcher
from postguard.policy_decision.grpc_api import SERVICE_NAMES, PolicyDecisionServicer, add_servicers
from postguard.policy_decision.joiner import DecisionJoiner
from postguard.policy_decision.settings import PolicyDecisionSettings

SERVICE = "policy-decision"
log = logging.getLogger(__name__)


def run(argv: list[str] | None = None) -> int:
    """Start policy-decision; returns when the worker stops (SIGTERM / SIGINT)."""
    argparse.ArgumentParser(
        prog="python -m postguard.policy_decision",
        description="policy-decision: joins posts with findings and decides. Configured by environment "
        "variables POSTGUARD_* and POSTGUARD_POLICY_DECISION_*.",
    ).parse_args(argv)
    common = CommonSettings()
    settings = PolicyDecisionSettings()
    configure_logging(common.log_level, service=SERVICE)
    policies = PolicyRegistry.load(common.policy_dir)
    engine = PolicyEngine()
    built = create_app(settings, common)
    audit_url = settings.audit_url or str(Path(built.app.conf.datadir) / "audit.sqlite3")
    audit = None if audit_url == "off" else open_audit_store(audit_url)
    joiner = DecisionJoiner(
        policies,
        built.table,
        deadlines_topic=deadlines_topic_name(settings),
        deadline_seconds=settings.deadline_seconds,
        image_deadline_seconds=settings.image_deadline_seconds,
        retention_seconds=settings.retention_seconds,
        engine=engine,
        audit=audit,
        redrive_seconds=settings.redrive_seconds,
        max_redrives=settings.max_redrives,
    )
    agents.register(built, joiner, settings.sweep_interval_seconds, settings.stall_seconds)
    servicer = PolicyDecisionServicer(policies, engine)

    def on_reload(registry: PolicyRegistry) -> None:
        # Attribute swaps are atomic: the agent and the gRPC threads pick up the new set on their next post.
        joiner.policies = registry
        servicer.policies = registry
        log.info("policies reloaded", extra={"institutions": len(registry.institutions)})

    watcher = start_configmap_watcher(on_reload)
    try:
        return run_stream_service(
            service=SERVICE,
            app=built.app,
            settings=settings,
            common=common,
            add_servicers=add_servicers(servicer),
            service_names=SERVICE_NAMES,
            extra_topics=(deadlines_topic_name(settings),),
        )
    finally:
        if watcher is not None:
            watcher.stop()
        if audit is not None:
            audit.close()
