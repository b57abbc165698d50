"""Advice and conduct classification: personal advice, solicitation, claims, tone, promotion, disclaimers."""

from postguard.domain.advice.classifier import AdviceClassifier, TextCategoryModel

__all__ = ["AdviceClassifier", "TextCategoryModel"]
