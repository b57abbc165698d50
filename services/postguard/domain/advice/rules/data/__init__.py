"""The content rules' data files (YAML), and two helpers the rule modules load them with.

Token patterns may name a word list instead of spelling it out: ``{LOWER: {IN: [$ailments]}}`` stands
for "any word of the list the rule calls ``ailments``" (a one-item ``IN``/``NOT_IN`` list whose item
starts with ``$``). The rule module says which list each name means (often a union of shared lists),
so one list is written once and reused by many patterns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from postguard.domain.rule_data import RuleData, load_package_rule_data

PACKAGE = "postguard.domain.advice.rules.data"
REFERENCE = "$"
_SET_OPERATORS = ("IN", "NOT_IN")


def load(filename: str) -> RuleData:
    """Load and validate one of this folder's rule-data files (once, at import of the rule module)."""
    return load_package_rule_data(PACKAGE, filename)


def references(patterns: Sequence[Sequence[dict[str, Any]]]) -> set[str]:
    """The list names (without ``$``) that ``patterns`` refer to."""
    found = set()
    for pattern in patterns:
        for token in pattern:
            for value in token.values():
                name = _reference(value)
                if name is not None:
                    found.add(name)
    return found


def expand(
    patterns: Sequence[Sequence[dict[str, Any]]], lists: Mapping[str, Sequence[str]]
) -> list[list[dict[str, Any]]]:
    """``patterns`` with every ``[$name]`` replaced by ``list(lists[name])``; an unknown name raises."""
    out = []
    for pattern in patterns:
        tokens = []
        for token in pattern:
            expanded = {}
            for attr, value in token.items():
                name = _reference(value)
                if name is not None:
                    if name not in lists:
                        raise KeyError(f"token pattern refers to an unknown list ${name}")
                    ((operator, _),) = value.items()
                    value = {operator: list(lists[name])}
                expanded[attr] = value
            tokens.append(expanded)
        out.append(tokens)
    return out


def _reference(value: Any) -> str | None:
    """``name`` when ``value`` is ``{IN: [$name]}`` or ``{NOT_IN: [$name]}``, else None."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((operator, items),) = value.items()
    if operator not in _SET_OPERATORS or not isinstance(items, list) or len(items) != 1:
        return None
    item = items[0]
    if isinstance(item, str) and item.startswith(REFERENCE) and len(item) > 1:
        return item[len(REFERENCE) :]
    return None
