"""Policy: versioned per-institution YAML rules that turn findings into a verdict."""

from postguard.domain.policy.engine import PolicyEngine
from postguard.domain.policy.registry import (
    Policy,
    PolicyError,
    PolicyRegistry,
    UnknownInstitutionError,
)

__all__ = ["Policy", "PolicyEngine", "PolicyError", "PolicyRegistry", "UnknownInstitutionError"]
