"""Identifier detection: finds patient identifiers (HIPAA Safe Harbor and more) in post text."""

from postguard.domain.identifiers.detector import IdentifierDetector, NamedEntityModel

__all__ = ["IdentifierDetector", "NamedEntityModel"]
