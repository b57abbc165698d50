"""Rule-data files: entries load with their notes, and every mistake is reported with file:line."""

from __future__ import annotations

import re

import pytest
from postguard.domain.rule_data import RuleDataError, parse_registry, parse_rule_data

pytestmark = pytest.mark.unit

GOOD = """\
lists:
  drugs:
    description: Drug names.
    source: Team-written.
    example: take ibuprofen now
    words: |
      ibuprofen aspirin
phrases:
  often:
    description: Dose frequencies.
    source: Team-written.
    example: Twice a day
    items: [twice a day, once daily]
regexes:
  ssn:
    description: US social security numbers.
    source: SSA format.
    example: SSN 123-45-6789
    pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b'
    flags: [IGNORECASE]
patterns:
  you_should:
    description: Second-person advice.
    source: Team-written.
    example: you should rest
    patterns:
      - [{LOWER: you}, {LOWER: should}]
numbers:
  base:
    description: Base confidence.
    source: Tuned on the dev split.
    value: 0.8
"""


def test_a_valid_file_loads_every_section() -> None:
    data = parse_rule_data(GOOD, "rules/x.yaml")
    assert data.words("drugs") == frozenset({"ibuprofen", "aspirin"})
    assert data.phrases("often") == ("twice a day", "once daily")
    assert data.regex("ssn").flags & re.IGNORECASE
    assert data.regex("ssn").search("id 123-45-6789")
    assert data.patterns("you_should") == [[{"LOWER": "you"}, {"LOWER": "should"}]]
    assert data.number("base") == 0.8
    assert data.notes["drugs"]["source"] == "Team-written."


def test_patterns_are_copies_the_caller_may_change() -> None:
    data = parse_rule_data(GOOD, "rules/x.yaml")
    data.patterns("you_should")[0][0]["LOWER"] = "they"
    assert data.patterns("you_should")[0][0] == {"LOWER": "you"}


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("    source: Team-written.\n    example: take", "    example: take", 3, "missing source"),
        ("example: take ibuprofen now", "example: take it now", 5, "none of its words"),
        ("ibuprofen aspirin", "Ibuprofen aspirin", 6, "lower case"),
        ("pattern: '", "pattern: '(", 19, "regex 'ssn': missing )"),
        ("example: SSN 123-45-6789", "example: SSN 123456789", 18, "does not match its own example"),
        ("flags: [IGNORECASE]", "flags: [IGNORE]", 20, "unknown regex flag"),
        ("{LOWER: should}", "{LOWERR: should}", 27, "token pattern of 'you_should' is invalid"),
        ("numbers:", "numberz:", 28, "unknown key 'numberz'"),
        ("  often:", "  drugs:", 9, "used twice"),
        ("value: 0.8", "value: high", 32, "must be a number"),
        ("example: Twice a day", "example: thrice", 12, "none of its items"),
    ],
)
def test_each_mistake_names_file_line_and_reason(old: str, new: str, line: int, message: str) -> None:
    assert old in GOOD
    with pytest.raises(RuleDataError) as err:
        parse_rule_data(GOOD.replace(old, new, 1), "rules/x.yaml")
    assert str(err.value).startswith(f"rules/x.yaml:{line}: "), str(err.value)
    assert message in str(err.value)


def test_bad_yaml_and_empty_files_are_refused_with_a_line() -> None:
    with pytest.raises(RuleDataError, match=r"^r.yaml:\d+: not valid YAML"):
        parse_rule_data("lists: [unclosed", "r.yaml")
    with pytest.raises(RuleDataError, match=r"^r\.yaml:1: the file is empty"):
        parse_rule_data("", "r.yaml")


def test_asking_for_a_missing_entry_names_it() -> None:
    with pytest.raises(RuleDataError, match="no lists entry 'nope'"):
        parse_rule_data(GOOD, "rules/x.yaml").words("nope")


def test_registry_keeps_order_skips_disabled_and_refuses_unknown_names() -> None:
    text = "recognizers:\n  - name: phone\n  - name: email\n    enabled: false\n  - name: ssn\n"
    assert parse_registry(text, "reg.yaml", {"phone", "email", "ssn"}) == ["phone", "ssn"]
    with pytest.raises(RuleDataError, match=r"^reg\.yaml:6: unknown name 'fax'"):
        parse_registry(text + "  - name: fax\n", "reg.yaml", {"phone", "email", "ssn"})
    with pytest.raises(RuleDataError, match=r"^reg\.yaml:6: 'phone' is listed twice"):
        parse_registry(text + "  - name: phone\n", "reg.yaml", {"phone", "email", "ssn"})
