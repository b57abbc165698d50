"""Policy files: shipped defaults, directories, ConfigMap documents, and errors with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from postguard.domain.policy import Policy, PolicyError, PolicyRegistry, UnknownInstitutionError
from postguard.domain.policy.registry import Action, parse_policy

pytestmark = pytest.mark.unit

GOOD = """\
policy_id: test
version: "1"
institutions: [inst-a]
identifiers:
  DATE: redact
  PERSON: {action: block, min_confidence: 0.8, fix: "Ask the comms office."}
content:
  UNPROFESSIONAL: block
"""


def test_shipped_policies_cover_both_demo_institutions() -> None:
    registry = PolicyRegistry.load()
    assert registry.institutions == ("demo-hospital", "riverside-clinic")
    default = registry.policy_for("demo-hospital")
    assert isinstance(default, Policy) and default.policy_id == "default" and default.version
    assert registry.policy_for("riverside-clinic").forbid_institution_names is True


def test_unknown_institution_is_refused() -> None:
    with pytest.raises(UnknownInstitutionError, match="nowhere-general"):
        PolicyRegistry.load().policy_for("nowhere-general")


def test_parse_good_policy() -> None:
    policy = parse_policy(GOOD, "inline.yaml")
    assert policy.rule_for("IDENTIFIER", "DATE").action is Action.REDACT
    person = policy.rule_for("IDENTIFIER", "PERSON")
    assert (person.action, person.min_confidence, person.fix) == (Action.BLOCK, 0.8, "Ask the comms office.")
    assert policy.rule_for("IDENTIFIER", "SSN").action is Action.REVIEW  # unmentioned -> default_action
    assert policy.source == "inline.yaml"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            GOOD.replace("DATE: redact", "DATE: blokc"),
            5,
            "unknown action 'blokc' for label DATE (expected one of",
        ),
        (GOOD.replace("DATE: redact", "DAET: redact"), 5, "unknown IDENTIFIER label 'DAET'"),
        (GOOD.replace("min_confidence: 0.8", "min_confidence: 1.8"), 6, "min_confidence of PERSON must be"),
        (GOOD.replace('version: "1"', "version: 1.10"), 2, "version must be a non-empty string"),
        (GOOD.replace("institutions: [inst-a]", "institutions: []"), 3, "at least one institution"),
        (GOOD.replace("institutions: [inst-a]\n", ""), 1, "missing required key 'institutions'"),
        (GOOD + "escalaton: {}\n", 9, "unknown key 'escalaton'"),
        (GOOD.replace("{action: block,", "{acton: block,"), 6, "unknown key 'acton'"),
        (GOOD + "consent: {relaxes: [DATE, AEG]}\n", 9, "unknown consent label 'AEG'"),
        (GOOD + "forbid_institution_names: maybe\n", 9, "must be true or false"),
        (GOOD + "identifiers: {}\n", 9, "duplicate key 'identifiers'"),
        (GOOD.replace("  UNPROFESSIONAL: block", "  UNPROFESSIONAL: [block"), 9, "not valid YAML"),
        ("", 1, "the file is empty"),
        ("- just\n- a list\n", 1, "the policy must be a mapping"),
    ],
)
def test_invalid_policy_names_file_line_and_reason(text: str, line: int, fragment: str) -> None:
    with pytest.raises(PolicyError) as excinfo:
        parse_policy(text, "policies/x.yaml")
    message = str(excinfo.value)
    assert message.startswith(f"policies/x.yaml:{line}: "), message
    assert fragment in message


def test_load_directory_replaces_shipped_policies(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a policy", encoding="utf-8")
    registry = PolicyRegistry.load(tmp_path)
    assert registry.institutions == ("inst-a",)
    with pytest.raises(UnknownInstitutionError):
        registry.policy_for("demo-hospital")


def test_load_directory_reports_the_bad_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD.replace("DATE: redact", "DATE: blokc"), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"b\.yaml:5: unknown action 'blokc'"):
        PolicyRegistry.load(tmp_path)


def test_empty_or_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"no \*\.yaml"):
        PolicyRegistry.load(tmp_path)
    with pytest.raises(PolicyError, match="does not exist"):
        PolicyRegistry.load(tmp_path / "nope")


def test_two_policies_for_one_institution_are_refused() -> None:
    with pytest.raises(PolicyError, match="'inst-a' is already covered"):
        PolicyRegistry.from_documents(
            {"a.yaml": GOOD, "b.yaml": GOOD.replace("policy_id: test", "policy_id: t2")}
        )


def test_from_documents_validates_configmap_strings() -> None:
    registry = PolicyRegistry.from_documents({"policy.yaml": GOOD})
    assert registry.policy_for("inst-a").policy_id == "test"
    with pytest.raises(PolicyError, match=r"^policy\.yaml:2: "):
        PolicyRegistry.from_documents({"policy.yaml": GOOD.replace('version: "1"', "version: ")})
    with pytest.raises(PolicyError):
        PolicyRegistry.from_documents({})
