"""Loading and validating policy YAML files; finding the policy for an institution.

A policy file is parsed into a YAML node tree first so every error can name the file and line
(``policies/x.yaml:12: unknown action 'blokc' for label DATE (expected one of ...)``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from postguard.domain.types import Category, ContentLabel, IdentifierLabel, Verdict
from postguard.domain.yaml_reader import YamlReader


class PolicyError(ValueError):
    """An invalid policy file: the message names the file, the line and the reason."""


class UnknownInstitutionError(LookupError):
    """No policy covers this institution: its posts are refused."""


class Action(enum.StrEnum):
    """What a policy does with a finding; ``verdict`` is the outcome it forces."""

    IGNORE = "ignore"
    REDACT = "redact"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def verdict(self) -> Verdict:
        return _ACTION_VERDICT[self]

    @property
    def severity(self) -> int:
        return list(Action).index(self)


_ACTION_VERDICT = {
    Action.IGNORE: Verdict.ALLOW,
    Action.REDACT: Verdict.ALLOW_WITH_CHANGES,
    Action.REVIEW: Verdict.REVIEW,
    Action.BLOCK: Verdict.BLOCK,
}
_ACTIONS = ", ".join(a.value for a in Action)


@dataclass(frozen=True, slots=True)
class Rule:
    """How one label is treated: its action, the confidence below which it is ignored, texts."""

    action: Action
    min_confidence: float
    reason: str = ""
    fix: str = ""


@dataclass(frozen=True, slots=True)
class Escalation:
    """A rule on the combination of findings in one post."""

    action: Action
    at_least: int = 2


@dataclass(frozen=True, slots=True)
class Policy:
    """One institution policy, validated. Label rules are keyed by (category, label)."""

    policy_id: str
    version: str
    institutions: tuple[str, ...]
    description: str = ""
    rules: Mapping[tuple[Category, str], Rule] = field(default_factory=dict)
    default_action: Action = Action.REVIEW
    min_confidence: float = 0.5
    age_over: int = 89
    age_over_action: Action = Action.REVIEW
    forbid_institution_names: bool = False
    institution_names_action: Action = Action.REVIEW
    consent_relaxes: frozenset[str] = frozenset()
    consent_to: Action = Action.REDACT
    distinct_identifiers: Escalation | None = Escalation(Action.REVIEW, 2)
    person_with_other_identifier: Escalation | None = Escalation(Action.BLOCK)
    allowed_url_domains: tuple[str, ...] = ()
    public_contacts: frozenset[str] = frozenset()
    source: str = "<memory>"

    def rule_for(self, category: Category | str, label: str) -> Rule:
        """The rule for a label; labels the file does not mention get ``default_action``."""
        rule = self.rules.get((Category(category), label))
        if rule is None:
            rule = Rule(self.default_action, self.min_confidence)
        if label == IdentifierLabel.FACILITY and self.forbid_institution_names:
            rule = Rule(
                max(rule.action, self.institution_names_action, key=lambda a: a.severity),
                rule.min_confidence,
                rule.reason,
                rule.fix,
            )
        return rule


# -- parsing ------------------------------------------------------------------------------------------

_REQUIRED_KEYS = {"policy_id", "version", "institutions"}
_SETTING_KEYS = {"description", "default_action", "min_confidence", "forbid_institution_names"}
_SECTION_KEYS = {"identifiers", "content", "age", "institution_names_action", "consent", "escalation"}
_LIST_KEYS = {"allowed_url_domains", "public_contacts"}
_TOP_KEYS = _REQUIRED_KEYS | _SETTING_KEYS | _SECTION_KEYS | _LIST_KEYS
_RULE_KEYS = {"action", "min_confidence", "reason", "fix"}


class _Doc(YamlReader):
    """The shared YAML reader plus policy actions; errors are ``PolicyError`` with ``source:line``."""

    def __init__(self, source: str) -> None:
        super().__init__(source, PolicyError)

    def action(self, node: yaml.Node, what: str) -> Action:
        value = self.scalar(node, what)
        try:
            return Action(value)
        except ValueError:
            raise self.error(
                node, f"unknown action {value!r} for {what} (expected one of {_ACTIONS})"
            ) from None


def _label_checker(doc: _Doc, labels: Iterable[str], what: str) -> Callable[[yaml.Node, str], None]:
    known = sorted(labels)

    def check(node: yaml.Node, value: str) -> None:
        if value not in known:
            raise doc.error(node, f"unknown {what} label {value!r} (expected one of {', '.join(known)})")

    return check


def _rules(
    doc: _Doc, node: yaml.Node, category: Category, labels: list[str], default_min: float
) -> dict[tuple[Category, str], Rule]:
    section = category.value.lower() + ("s" if category is Category.IDENTIFIER else "")
    check = _label_checker(doc, labels, category.value)
    out = {}
    for label, rule_node in doc.mapping(node, section).items():
        key_node = next(k for k, v in node.value if v is rule_node)
        check(key_node, label)
        if isinstance(rule_node, yaml.ScalarNode):  # shorthand  DATE: redact
            out[(category, label)] = Rule(doc.action(rule_node, f"label {label}"), default_min)
            continue
        fields = doc.mapping(rule_node, f"the rule for {label}", _RULE_KEYS)
        if "action" not in fields:
            raise doc.error(rule_node, f"the rule for {label} has no action (expected one of {_ACTIONS})")
        out[(category, label)] = Rule(
            action=doc.action(fields["action"], f"label {label}"),
            min_confidence=(
                doc.number(fields["min_confidence"], f"min_confidence of {label}", 0, 1)
                if "min_confidence" in fields
                else default_min
            ),
            reason=doc.string(fields["reason"], f"reason of {label}") if "reason" in fields else "",
            fix=doc.string(fields["fix"], f"fix of {label}") if "fix" in fields else "",
        )
    return out


def _escalation(doc: _Doc, node: yaml.Node, name: str, with_count: bool) -> Escalation | None:
    if isinstance(node, yaml.ScalarNode) and doc.scalar(node, name) in (None, False):
        return None
    fields = doc.mapping(node, f"escalation {name}", {"action", "at_least"} if with_count else {"action"})
    if "action" not in fields:
        raise doc.error(node, f"escalation {name} has no action (expected one of {_ACTIONS})")
    at_least = (
        int(doc.number(fields["at_least"], f"at_least of {name}", 2, 20)) if "at_least" in fields else 2
    )
    return Escalation(doc.action(fields["action"], f"escalation {name}"), at_least)


def parse_policy(text: str, source_name: str) -> Policy:
    """Parse and validate one policy document; raises ``PolicyError("<source>:<line>: <reason>")``."""
    doc = _Doc(source_name)
    root = doc.compose(text)
    if root is None:
        raise PolicyError(f"{source_name}:1: the file is empty")
    top = doc.mapping(root, "the policy", _TOP_KEYS)
    for required in sorted(_REQUIRED_KEYS):
        if required not in top:
            raise doc.error(root, f"missing required key {required!r}")
    min_conf = doc.number(top["min_confidence"], "min_confidence", 0, 1) if "min_confidence" in top else 0.5
    institutions = doc.strings(top["institutions"], "institutions")
    if not institutions:
        raise doc.error(top["institutions"], "institutions must name at least one institution")
    id_labels = [label.value for label in IdentifierLabel]
    content_labels = [label.value for label in ContentLabel]
    rules: dict[tuple[Category, str], Rule] = {}
    if "identifiers" in top:
        rules |= _rules(doc, top["identifiers"], Category.IDENTIFIER, id_labels, min_conf)
    if "content" in top:
        rules |= _rules(doc, top["content"], Category.CONTENT, content_labels, min_conf)

    kwargs = _options(doc, top, id_labels + content_labels)
    return Policy(
        policy_id=doc.string(top["policy_id"], "policy_id"),
        version=doc.string(top["version"], "version"),
        institutions=tuple(institutions),
        description=doc.string(top["description"], "description", allow_empty=True)
        if "description" in top
        else "",
        rules=rules,
        min_confidence=min_conf,
        source=source_name,
        **kwargs,
    )


def _options(doc: _Doc, top: dict[str, yaml.Node], labels: list[str]) -> dict[str, Any]:
    """The optional policy settings present in ``top``, as ``Policy`` keyword arguments."""
    kwargs: dict[str, Any] = {}
    if "default_action" in top:
        kwargs["default_action"] = doc.action(top["default_action"], "default_action")
    if "age" in top:
        age = doc.mapping(top["age"], "age", {"escalate_over", "action"})
        if "escalate_over" in age:
            kwargs["age_over"] = int(doc.number(age["escalate_over"], "age.escalate_over", 0, 150))
        if "action" in age:
            kwargs["age_over_action"] = doc.action(age["action"], "age.action")
    if "forbid_institution_names" in top:
        kwargs["forbid_institution_names"] = doc.boolean(
            top["forbid_institution_names"], "forbid_institution_names"
        )
    if "institution_names_action" in top:
        kwargs["institution_names_action"] = doc.action(
            top["institution_names_action"], "institution_names_action"
        )
    if "consent" in top:
        consent = doc.mapping(top["consent"], "consent", {"relaxes", "to"})
        check = _label_checker(doc, labels, "consent")
        if "relaxes" in consent:
            kwargs["consent_relaxes"] = frozenset(doc.strings(consent["relaxes"], "consent.relaxes", check))
        if "to" in consent:
            kwargs["consent_to"] = doc.action(consent["to"], "consent.to")
    return kwargs | _escalations(doc, top) | _allow_lists(doc, top)


def _escalations(doc: _Doc, top: dict[str, yaml.Node]) -> dict[str, Any]:
    if "escalation" not in top:
        return {}
    esc = doc.mapping(
        top["escalation"], "escalation", {"distinct_identifiers", "person_with_other_identifier"}
    )
    kwargs: dict[str, Any] = {}
    if "distinct_identifiers" in esc:
        kwargs["distinct_identifiers"] = _escalation(
            doc, esc["distinct_identifiers"], "distinct_identifiers", True
        )
    if "person_with_other_identifier" in esc:
        kwargs["person_with_other_identifier"] = _escalation(
            doc, esc["person_with_other_identifier"], "person_with_other_identifier", False
        )
    return kwargs


def _allow_lists(doc: _Doc, top: dict[str, yaml.Node]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if "allowed_url_domains" in top:
        domains = doc.strings(top["allowed_url_domains"], "allowed_url_domains")
        kwargs["allowed_url_domains"] = tuple(d.lower().lstrip(".") for d in domains)
    if "public_contacts" in top:
        kwargs["public_contacts"] = frozenset(
            c.lower() for c in doc.strings(top["public_contacts"], "public_contacts")
        )
    return kwargs


# -- registry -----------------------------------------------------------------------------------------


def _shipped_documents() -> dict[str, str]:
    folder = resources.files("postguard.domain.policy") / "defaults"
    return {
        f"defaults/{entry.name}": entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".yaml", ".yml"))
    }


class PolicyRegistry:
    """All policies known to a process, keyed by institution."""

    def __init__(self, policies: list[Policy]) -> None:
        self._by_institution: dict[str, Policy] = {}
        for policy in policies:
            for institution in policy.institutions:
                other = self._by_institution.get(institution)
                if other is not None:
                    raise PolicyError(
                        f"{policy.source}:1: institution {institution!r} is already covered by "
                        f"policy {other.policy_id!r} ({other.source})"
                    )
                self._by_institution[institution] = policy
        self.policies: tuple[Policy, ...] = tuple(policies)

    @classmethod
    def from_documents(cls, documents: Mapping[str, str]) -> PolicyRegistry:
        """Validate policy YAML texts keyed by source name (files, ConfigMap keys). All or nothing."""
        if not documents:
            raise PolicyError("<policies>:1: no policy documents given")
        return cls([parse_policy(text, name) for name, text in sorted(documents.items())])

    @classmethod
    def load(cls, directory: Path | str | None = None) -> PolicyRegistry:
        """Load every ``*.yaml`` / ``*.yml`` in ``directory`` (default: the shipped policies).

        A directory replaces the shipped policies entirely: an institution it does not cover is unknown.
        """
        if directory is None:
            return cls.from_documents(_shipped_documents())
        folder = Path(directory)
        if not folder.is_dir():
            raise PolicyError(f"{folder}:1: policy directory does not exist")
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise PolicyError(f"{folder}:1: no *.yaml policy files in the directory")
        return cls.from_documents({str(p): p.read_text(encoding="utf-8") for p in files})

    @property
    def institutions(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_institution))

    def knows(self, institution_id: str) -> bool:
        return institution_id in self._by_institution

    def policy_for(self, institution_id: str) -> Policy:
        """The policy for ``institution_id``; raises ``UnknownInstitutionError`` when none covers it."""
        try:
            return self._by_institution[institution_id]
        except KeyError:
            raise UnknownInstitutionError(f"unknown institution {institution_id[:64]!r}") from None
