"""Identifier detection: finds patient identifiers (HIPAA Safe Harbor and more) in post text."""

from postguard.domain.identifiers.detector import IdentifierDetector, NamedEntityModel
from postguard.domain.identifiers.recognizer import Recognizer
from postguard.domain.identifiers.registry import RecognizerRegistry

__all__ = ["IdentifierDetector", "NamedEntityModel", "Recognizer", "RecognizerRegistry"]
