"""Shared fixtures for the advice-classification unit tests: one classifier per session."""

from __future__ import annotations

import pytest
from postguard.domain.advice import AdviceClassifier


@pytest.fixture(scope="session")
def classifier() -> AdviceClassifier:
    return AdviceClassifier()
