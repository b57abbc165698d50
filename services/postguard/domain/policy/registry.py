"""Loading and validating policy YAML files; finding the policy for an institution.

A policy file is parsed into a YAML node tree first so every error can name the file and line
(``policies/x.yaml:12: unknown action 'blokc' for label DATE (expected one of ...)``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from postguard.domain.policy.consent import ConsentRules
from postguard.domain.types import Category, ContentLabel, Finding, IdentifierLabel, Verdict
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
    """How one label (or one kind of it) is treated: its action, the confidence below which it is
    ignored, texts, and whether it counts toward the re-identification escalations."""

    action: Action
    min_confidence: float
    reason: str = ""
    fix: str = ""
    counts: bool = True


KIND_ATTRIBUTE: Mapping[str, str] = {
    IdentifierLabel.PERSON: "role",
    IdentifierLabel.URL: "link_kind",
    IdentifierLabel.FACILITY: "kind",
}
"""The finding attribute a label's kind rules read (``person_roles`` for PERSON, ``identifier_kinds``)."""
KINDS: Mapping[str, tuple[str, ...]] = {
    IdentifierLabel.PERSON: ("patient", "relative", "staff", "public", "account", "unknown"),
    IdentifierLabel.URL: ("reference", "person", "shortened", "record", "other"),
    IdentifierLabel.FACILITY: ("bed", "room", "ward", "unit", "named"),
}
"""The values each kind attribute may take (what the recognizers emit)."""


@dataclass(frozen=True, slots=True)
class Escalation:
    """A rule on the combination of findings in one post."""

    action: Action
    at_least: int = 2


@dataclass(frozen=True, slots=True)
class RiskEscalation:
    """Hold a post whose re-identification risk (0-1, ``domain.reidentification``) reaches ``at_least``."""

    action: Action
    at_least: float = 0.6


@dataclass(frozen=True, slots=True)
class ReviewTiming:
    """When a held post must be decided (``review`` in a policy file).

    A post with ``scheduled_publish_at`` must be decided ``margin_minutes`` before it; one without must be
    decided ``default_hours`` after it was held. Past the deadline it is not published (fail closed).
    """

    margin_minutes: float = 30.0
    default_hours: float = 24.0


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
    image_metadata_action: Action = Action.REDACT
    """What an identifier in an attached image's own metadata (EXIF, XMP, IPTC, DICOM header, read from
    the bytes) draws: the redacted copy drops all metadata, so by default ALLOW_WITH_CHANGES, and such
    details do not count toward re-identification (the copy posted does not carry them)."""
    consent_relaxes: frozenset[str] = frozenset()
    consent_to: Action = Action.REDACT
    consent_allows: frozenset[str] = frozenset()
    """Labels a valid consent clears altogether (``consent.allows``): a consented full-face photo."""
    consent: ConsentRules = field(default_factory=ConsentRules)
    kind_rules: Mapping[tuple[str, str], Rule] = field(default_factory=dict)
    """Rules by (label, kind) from ``identifier_kinds`` and ``person_roles``; unlisted kinds: the label's."""
    distinct_identifiers: Escalation | None = Escalation(Action.REVIEW, 2)
    person_with_other_identifier: Escalation | None = Escalation(Action.BLOCK)
    reidentification_risk: RiskEscalation | None = None
    allowed_url_domains: tuple[str, ...] = ()
    public_contacts: frozenset[str] = frozenset()
    review: ReviewTiming = field(default_factory=lambda: ReviewTiming())
    account_disclaimer: bool = False
    """The accounts this policy covers say on their profile that their content is general information,
    not medical advice (the guidance's liability statement): MISSING_DISCLAIMER findings are ignored."""
    source: str = "<memory>"

    def rule_for(self, category: Category | str, label: str) -> Rule:
        """The rule for a label; labels the file does not mention get ``default_action``."""
        rule = self.rules.get((Category(category), label))
        if rule is None:
            rule = Rule(self.default_action, self.min_confidence)
        if label == ContentLabel.MISSING_DISCLAIMER and self.account_disclaimer:
            return replace(rule, action=Action.IGNORE)
        if label == IdentifierLabel.FACILITY and self.forbid_institution_names:
            rule = Rule(
                max(rule.action, self.institution_names_action, key=lambda a: a.severity),
                rule.min_confidence,
                rule.reason,
                rule.fix,
                rule.counts,
            )
        return rule

    def rule_for_finding(self, finding: Finding) -> Rule:
        """The rule for one finding: its kind's rule (``role``, ``link_kind``, ``kind`` attribute) when
        the policy has one, else its label's. A finding without the attribute gets the label's rule."""
        attribute = KIND_ATTRIBUTE.get(finding.label) if finding.category == Category.IDENTIFIER else None
        kind = finding.attribute(attribute) if attribute else ""
        rule = self.kind_rules.get((finding.label, kind)) if kind else None
        if rule is None:
            return self.rule_for(finding.category, finding.label)
        if finding.label == IdentifierLabel.FACILITY and kind == "named" and self.forbid_institution_names:
            stricter = max(rule.action, self.institution_names_action, key=lambda a: a.severity)
            rule = replace(rule, action=stricter)
        return rule

    def consent_refusal(self, reference: str, on: date) -> str | None:
        """Why a post's consent reference does not count under this policy (None when it counts)."""
        return self.consent.refusal(reference, on)


# -- parsing ------------------------------------------------------------------------------------------

_REQUIRED_KEYS = {"policy_id", "version", "institutions"}
_SETTING_KEYS = {
    "description",
    "default_action",
    "min_confidence",
    "forbid_institution_names",
    "image_metadata_action",
    "account_disclaimer",
}
_SECTION_KEYS = {
    "identifiers",
    "content",
    "age",
    "institution_names_action",
    "consent",
    "escalation",
    "review",
}
_KIND_KEYS = {"identifier_kinds", "person_roles"}
_LIST_KEYS = {"allowed_url_domains", "public_contacts"}
_TOP_KEYS = _REQUIRED_KEYS | _SETTING_KEYS | _SECTION_KEYS | _KIND_KEYS | _LIST_KEYS
_RULE_KEYS = {"action", "min_confidence", "reason", "fix", "counts"}
_CONSENT_KEYS = {"relaxes", "to", "allows", "reference_pattern", "references", "references_file"}


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
        out[(category, label)] = _rule(doc, rule_node, label, Rule(Action.REVIEW, default_min))
    return out


def _rule(doc: _Doc, node: yaml.Node, what: str, base: Rule, *, kind: bool = False) -> Rule:
    """One rule: ``redact`` or ``{action, min_confidence, reason, fix, counts}``; unset fields from
    ``base``. A kind rule whose action is ``ignore`` does not count toward escalation unless it says so."""
    named = what if kind else f"label {what}"
    if isinstance(node, yaml.ScalarNode):  # shorthand  DATE: redact
        action = doc.action(node, named)
        return replace(base, action=action, counts=base.counts and not (kind and action is Action.IGNORE))
    fields = doc.mapping(node, f"the rule for {what}", _RULE_KEYS)
    if "action" not in fields:
        raise doc.error(node, f"the rule for {what} has no action (expected one of {_ACTIONS})")
    action = doc.action(fields["action"], named)
    counts = base.counts and not (kind and action is Action.IGNORE)
    return Rule(
        action=action,
        min_confidence=(
            doc.number(fields["min_confidence"], f"min_confidence of {what}", 0, 1)
            if "min_confidence" in fields
            else base.min_confidence
        ),
        reason=doc.string(fields["reason"], f"reason of {what}") if "reason" in fields else base.reason,
        fix=doc.string(fields["fix"], f"fix of {what}") if "fix" in fields else base.fix,
        counts=doc.boolean(fields["counts"], f"counts of {what}") if "counts" in fields else counts,
    )


def _kind_rules(
    doc: _Doc, top: dict[str, yaml.Node], rules: Mapping[tuple[Category, str], Rule], policy_rule: Rule
) -> dict[tuple[str, str], Rule]:
    """``identifier_kinds: {FACILITY: {bed: redact}, URL: {...}}`` and ``person_roles: {staff: ignore}``."""
    sections: list[tuple[str, yaml.Node, str]] = []
    if "identifier_kinds" in top:
        node = top["identifier_kinds"]
        labels = sorted(set(KINDS) - {IdentifierLabel.PERSON})
        for label, kinds_node in doc.mapping(node, "identifier_kinds").items():
            key_node = next(k for k, v in node.value if v is kinds_node)
            if label == IdentifierLabel.PERSON:
                raise doc.error(key_node, "PERSON kinds are roles: put them in person_roles")
            if label not in labels:
                raise doc.error(
                    key_node,
                    f"identifier_kinds: label {label!r} has no kinds (expected one of {', '.join(labels)})",
                )
            sections.append((label, kinds_node, f"identifier_kinds.{label}"))
    if "person_roles" in top:
        sections.append((IdentifierLabel.PERSON, top["person_roles"], "person_roles"))
    out: dict[tuple[str, str], Rule] = {}
    for label, node, what in sections:
        base = rules.get((Category.IDENTIFIER, label), policy_rule)
        known = KINDS[label]
        for kind, rule_node in doc.mapping(node, what).items():
            if kind not in known:
                key_node = next(k for k, v in node.value if v is rule_node)
                raise doc.error(
                    key_node, f"unknown kind {kind!r} in {what} (expected one of {', '.join(known)})"
                )
            out[(label, kind)] = _rule(doc, rule_node, f"{what}.{kind}", base, kind=True)
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
    disclaimer_rule = rules.get((Category.CONTENT, ContentLabel.MISSING_DISCLAIMER.value))
    if kwargs.get("account_disclaimer") and disclaimer_rule and disclaimer_rule.action is not Action.IGNORE:
        raise doc.error(
            top["account_disclaimer"],
            "account_disclaimer: true ignores MISSING_DISCLAIMER, but content gives it an action: remove one",
        )
    default_action = kwargs.get("default_action", Action.REVIEW)
    kwargs["kind_rules"] = _kind_rules(doc, top, rules, Rule(default_action, min_conf))
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
    if "account_disclaimer" in top:
        kwargs["account_disclaimer"] = doc.boolean(top["account_disclaimer"], "account_disclaimer")
    if "image_metadata_action" in top:
        kwargs["image_metadata_action"] = doc.action(top["image_metadata_action"], "image_metadata_action")
    if "institution_names_action" in top:
        kwargs["institution_names_action"] = doc.action(
            top["institution_names_action"], "institution_names_action"
        )
    if "consent" in top:
        kwargs |= _consent(doc, top["consent"], labels)
    if "review" in top:
        review = doc.mapping(top["review"], "review", {"margin_minutes", "default_hours"})
        timing = ReviewTiming()
        if "margin_minutes" in review:
            margin = doc.number(review["margin_minutes"], "review.margin_minutes", 0, 7 * 24 * 60)
            timing = replace(timing, margin_minutes=float(margin))
        if "default_hours" in review:
            hours = doc.number(review["default_hours"], "review.default_hours", 0.01, 24 * 30)
            timing = replace(timing, default_hours=float(hours))
        kwargs["review"] = timing
    return kwargs | _escalations(doc, top) | _allow_lists(doc, top)


def _consent(doc: _Doc, node: yaml.Node, labels: list[str]) -> dict[str, Any]:
    """``consent: {relaxes, to, allows, reference_pattern, references, references_file}``."""
    consent = doc.mapping(node, "consent", _CONSENT_KEYS)
    check = _label_checker(doc, labels, "consent")
    kwargs: dict[str, Any] = {}
    if "relaxes" in consent:
        kwargs["consent_relaxes"] = frozenset(doc.strings(consent["relaxes"], "consent.relaxes", check))
    if "to" in consent:
        kwargs["consent_to"] = doc.action(consent["to"], "consent.to")
    if "allows" in consent:
        kwargs["consent_allows"] = frozenset(doc.strings(consent["allows"], "consent.allows", check))
    pattern = None
    if "reference_pattern" in consent:
        text = doc.string(consent["reference_pattern"], "consent.reference_pattern")
        try:
            pattern = re.compile(text)
        except re.error as exc:
            raise doc.error(consent["reference_pattern"], f"consent.reference_pattern: {exc}") from None
    references: dict[str, date | None] | None = None
    if "references" in consent:
        references = _consent_list(doc, consent["references"])
    if "references_file" in consent:
        listed = _consent_file(doc, consent["references_file"])
        references = listed if references is None else references | listed
    kwargs["consent"] = ConsentRules(pattern=pattern, references=references)
    return kwargs


def _consent_list(doc: _Doc, node: yaml.Node) -> dict[str, date | None]:
    """``references: [MC-2025-0012, {reference: MC-2024-0193, expires: 2026-06-30}]``."""
    if not isinstance(node, yaml.SequenceNode):
        raise doc.error(node, "consent.references must be a list")
    out: dict[str, date | None] = {}
    for item in node.value:
        if isinstance(item, yaml.ScalarNode):
            out[doc.string(item, "an item of consent.references").strip().upper()] = None
            continue
        fields = doc.mapping(item, "an item of consent.references", {"reference", "expires"})
        if "reference" not in fields:
            raise doc.error(item, "an item of consent.references has no reference")
        expires = None
        if "expires" in fields:
            expires = doc.scalar(fields["expires"], "consent expires")
            if not isinstance(expires, date):
                raise doc.error(
                    fields["expires"], f"consent expires must be a date YYYY-MM-DD, got {expires!r}"
                )
        out[doc.string(fields["reference"], "consent reference").strip().upper()] = expires
    return out


def _consent_file(doc: _Doc, node: yaml.Node) -> dict[str, date | None]:
    """A text file beside the policy: one ``reference[,YYYY-MM-DD]`` a line, ``#`` comments."""
    name = doc.string(node, "consent.references_file")
    path = Path(name) if Path(name).is_absolute() else Path(doc.source).parent / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise doc.error(node, f"consent.references_file cannot be read ({exc.strerror})") from None
    out: dict[str, date | None] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        reference, _, expires = (part.strip() for part in line.partition(","))
        try:
            out[reference.upper()] = date.fromisoformat(expires) if expires else None
        except ValueError:
            raise PolicyError(f"{path}:{number}: expiry must be a date YYYY-MM-DD") from None
    return out


def _escalations(doc: _Doc, top: dict[str, yaml.Node]) -> dict[str, Any]:
    if "escalation" not in top:
        return {}
    esc = doc.mapping(
        top["escalation"],
        "escalation",
        {"distinct_identifiers", "person_with_other_identifier", "reidentification_risk"},
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
    if "reidentification_risk" in esc:
        kwargs["reidentification_risk"] = _risk_escalation(doc, esc["reidentification_risk"])
    return kwargs


def _risk_escalation(doc: _Doc, node: yaml.Node) -> RiskEscalation | None:
    name = "reidentification_risk"
    if isinstance(node, yaml.ScalarNode) and doc.scalar(node, name) in (None, False):
        return None
    fields = doc.mapping(node, f"escalation {name}", {"action", "at_least"})
    if "action" not in fields or "at_least" not in fields:
        raise doc.error(node, f"escalation {name} needs action and at_least (a risk from 0 to 1)")
    at_least = doc.number(fields["at_least"], f"at_least of {name}", 0.01, 1.0)
    return RiskEscalation(doc.action(fields["action"], f"escalation {name}"), float(at_least))


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
