"""docs/configuration.md documents every environment variable a service reads (and no stale ones)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from postguard.advice_classification.settings import AdviceClassificationSettings
from postguard.allinone.settings import AllInOneSettings
from postguard.console.settings import ConsoleSettings
from postguard.core.settings import CommonSettings
from postguard.identifier_detection.settings import IdentifierDetectionSettings
from postguard.image_screening.settings import ImageScreeningSettings
from postguard.ingest.settings import IngestSettings
from postguard.policy_decision.configmap_watcher import ConfigMapWatchSettings
from postguard.policy_decision.settings import PolicyDecisionSettings
from postguard.review_console.settings import ReviewConsoleSettings

pytestmark = pytest.mark.unit

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
SETTINGS = [
    CommonSettings,
    IngestSettings,
    IdentifierDetectionSettings,
    AdviceClassificationSettings,
    PolicyDecisionSettings,
    ConfigMapWatchSettings,
    ImageScreeningSettings,
    AllInOneSettings,
    ConsoleSettings,
    ReviewConsoleSettings,
]


def test_every_setting_is_documented_and_every_documented_one_exists() -> None:
    read = {
        f"{cls.model_config['env_prefix']}{name.upper()}" for cls in SETTINGS for name in cls.model_fields
    }
    documented = set(re.findall(r"^\| `(POSTGUARD_[A-Z0-9_]+)` \|", DOC.read_text(), flags=re.MULTILINE))
    assert read - documented == set(), "settings missing from docs/configuration.md"
    assert documented - read == set(), "docs/configuration.md lists settings no service reads"
