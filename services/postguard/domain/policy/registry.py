"""Loading and validating policy YAML files; finding the policy for an institution. STUB."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PolicyError(ValueError):
    """An invalid policy file: the message names the file, the line and the reason."""


class UnknownInstitutionError(LookupError):
    """No policy covers this institution: its posts are refused."""


@dataclass(frozen=True)
class Policy:
    policy_id: str
    version: str
    institutions: tuple[str, ...]


class PolicyRegistry:
    """All policies known to a process, keyed by institution."""

    def __init__(self, policies: list[Policy]) -> None:
        self._by_institution = {i: p for p in policies for i in p.institutions}

    @classmethod
    def load(cls, directory: Path | None = None) -> PolicyRegistry:
        """Load every ``*.yaml`` in ``directory`` (default: the shipped policies)."""
        return cls([Policy("default", "0", ("demo-hospital",))])

    def policy_for(self, institution_id: str) -> Policy:
        try:
            return self._by_institution[institution_id]
        except KeyError:
            raise UnknownInstitutionError(f"unknown institution {institution_id!r}") from None
