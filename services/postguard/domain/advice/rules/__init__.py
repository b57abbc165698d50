"""Rule-based content detectors, one module per label, sharing one spaCy matcher pass per post."""

from postguard.domain.advice.rules.base import ContentRule, CueMatcher, DocCues
from postguard.domain.advice.rules.claims import ClaimsRule
from postguard.domain.advice.rules.conduct import ConductRule
from postguard.domain.advice.rules.disclaimer import DisclaimerRule
from postguard.domain.advice.rules.personal_advice import PersonalAdviceRule
from postguard.domain.advice.rules.promotion import PromotionRule
from postguard.domain.advice.rules.solicitation import SolicitationRule

__all__ = [
    "ClaimsRule",
    "ConductRule",
    "ContentRule",
    "CueMatcher",
    "DisclaimerRule",
    "DocCues",
    "PersonalAdviceRule",
    "PromotionRule",
    "SolicitationRule",
]
