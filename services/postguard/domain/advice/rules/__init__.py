"""Rule-based content detectors, one module per label, sharing one spaCy matcher pass per post.

Which rules run, and in which order, is read from ``data/rules.yaml`` (a registry file) at import.
"""

from importlib import resources

from postguard.domain.advice.rules.base import ContentRule as ContentRule
from postguard.domain.advice.rules.base import CueMatcher as CueMatcher
from postguard.domain.advice.rules.base import DocCues as DocCues
from postguard.domain.advice.rules.care_confirmation import CareConfirmationRule as CareConfirmationRule
from postguard.domain.advice.rules.claims import ClaimsRule as ClaimsRule
from postguard.domain.advice.rules.conduct import ConductRule as ConductRule
from postguard.domain.advice.rules.data import PACKAGE
from postguard.domain.advice.rules.disclaimer import DisclaimerRule as DisclaimerRule
from postguard.domain.advice.rules.personal_advice import PersonalAdviceRule as PersonalAdviceRule
from postguard.domain.advice.rules.promotion import PromotionRule as PromotionRule
from postguard.domain.advice.rules.solicitation import SolicitationRule as SolicitationRule
from postguard.domain.rule_data import RuleDataError, parse_registry

REGISTRY_FILE = "rules.yaml"
RULE_CLASSES: dict[str, type[ContentRule]] = {
    "personal_advice": PersonalAdviceRule,
    "solicitation": SolicitationRule,
    "claims": ClaimsRule,
    "conduct": ConductRule,
    "promotion": PromotionRule,
    "care_confirmation": CareConfirmationRule,
    "disclaimer": DisclaimerRule,
}
"""Registry name -> rule class (every content rule the registry may list)."""


def parse_rule_registry(text: str, source: str) -> list[str]:
    """The enabled rule names of a registry text, in order; the disclaimer rule, if enabled, must be last
    (it reads the other rules' findings)."""
    names = parse_registry(text, source, RULE_CLASSES)
    if "disclaimer" in names and names[-1] != "disclaimer":
        raise RuleDataError(f"{source}: the disclaimer rule reads the other rules' findings: list it last")
    return names


def _load_registry() -> tuple[str, ...]:
    resource = resources.files(PACKAGE).joinpath(REGISTRY_FILE)
    source = f"{PACKAGE.replace('.', '/')}/{REGISTRY_FILE}"
    return tuple(parse_rule_registry(resource.read_text(encoding="utf-8"), source))


ENABLED_RULES: tuple[str, ...] = _load_registry()
"""The registry's enabled rule names, in run order."""


def build_rules() -> tuple[ContentRule, ...]:
    """A fresh instance of every enabled content rule, in registry order (the disclaimer rule last)."""
    return tuple(RULE_CLASSES[name]() for name in ENABLED_RULES)
