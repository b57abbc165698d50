"""The content rules' data files (YAML), and two helpers the rule modules load them with.

Token patterns may name a word list instead of spelling it out: ``{LOWER: {IN: [$ailments]}}`` stands
for "any word of the list the rule calls ``ailments``" (a one-item ``IN``/``NOT_IN`` list whose item
starts with ``$``). The rule module says which list each name means (often a union of shared lists),
so one list is written once and reused by many patterns.
"""

from __future__ import annotations

from postguard.domain.rule_data import RuleData, load_package_rule_data
from postguard.domain.rule_data import expand_list_references as expand
from postguard.domain.rule_data import list_references as references

__all__ = ["PACKAGE", "expand", "load", "references"]

PACKAGE = "postguard.domain.advice.rules.data"


def load(filename: str) -> RuleData:
    """Load and validate one of this folder's rule-data files (once, at import of the rule module)."""
    return load_package_rule_data(PACKAGE, filename)
