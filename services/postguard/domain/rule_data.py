"""Rules as data: word lists, phrases, regexes, token patterns and numbers read from YAML files.

A privacy officer extends a list by editing a YAML file, not Python. Every entry carries a
``description``, a ``source`` note (where the list comes from) and an ``example`` (a short text the
entry is meant to catch). Files are validated when loaded and every error names the file and line
(``rules/cues.yaml:41: regex 'dose': missing ')' at position 7``). The format, one file::

    lists:                      # words matched as single lower-cased tokens (whitespace-separated)
      medications:
        description: Drug names and generic medication words.
        source: Team-written from common brand and generic names.
        example: take ibuprofen for it
        words: |
          acetaminophen paracetamol ibuprofen
    phrases:                    # multi-word strings, kept in file order
      dose_frequencies:
        description: ...
        source: ...
        example: twice a day
        case: insensitive       # or "sensitive" (default insensitive)
        items: [twice a day, once daily]
    regexes:
      ssn:
        description: ...
        source: ...
        example: SSN 123-45-6789
        pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b'
        flags: [IGNORECASE]     # names from Python's re module
    patterns:                   # spaCy Matcher token patterns, one list of token dicts each
      you_should:
        description: ...
        source: ...
        example: you should take
        patterns:
          - [{LOWER: you}, {LOWER: should}]
    numbers:
      base_confidence: {description: ..., source: ..., value: 0.8}
    templates:                  # a regex with {slot}s the code fills (e.g. with a word list's alternation)
      month_day:
        description: ...
        source: ...
        example: admitted March 3
        pattern: '\\b(?:{month})\\s+\\d{1,2}\\b'
        slots: [month]

Checks at load: known sections and keys, the three notes on every entry, no empty list, regexes
compile, a regex's ``example`` must contain a match, a word list's example must contain one of its
words, token patterns pass spaCy's pattern schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from postguard.domain.yaml_reader import YamlReader

NOTES = ("description", "source", "example")
_SECTIONS = {"lists", "phrases", "regexes", "patterns", "numbers", "templates"}
_ENTRY_KEYS = {
    "lists": {"words"},
    "phrases": {"items", "case"},
    "regexes": {"pattern", "flags"},
    "patterns": {"patterns"},
    "numbers": {"value"},
    "templates": {"pattern", "flags", "slots"},
}
_FLAGS = {name: getattr(re, name) for name in ("IGNORECASE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII")}
_WORD_EDGE = re.compile(r"[\w'’&/\-.]+")


class RuleDataError(ValueError):
    """An invalid rule-data file: the message names the file, the line and the reason."""


@dataclass
class RuleData:
    """The entries of one rule-data file, by section and name."""

    source: str
    words_by_name: dict[str, frozenset[str]] = field(default_factory=dict)
    phrases_by_name: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phrase_case: dict[str, bool] = field(default_factory=dict)
    regexes_by_name: dict[str, re.Pattern[str]] = field(default_factory=dict)
    patterns_by_name: dict[str, list[list[dict[str, Any]]]] = field(default_factory=dict)
    numbers_by_name: dict[str, float] = field(default_factory=dict)
    templates_by_name: dict[str, RegexTemplate] = field(default_factory=dict)
    notes: dict[str, dict[str, str]] = field(default_factory=dict)

    def words(self, name: str) -> frozenset[str]:
        """The word list ``name`` (lower-case single tokens)."""
        return self._get(self.words_by_name, "lists", name)

    def phrases(self, name: str) -> tuple[str, ...]:
        """The phrase list ``name``, in file order."""
        return self._get(self.phrases_by_name, "phrases", name)

    def regex(self, name: str) -> re.Pattern[str]:
        """The compiled regex ``name``."""
        return self._get(self.regexes_by_name, "regexes", name)

    def patterns(self, name: str) -> list[list[dict[str, Any]]]:
        """The token patterns ``name`` (a fresh copy: spaCy may keep references)."""
        return [
            [dict(token) for token in pattern]
            for pattern in self._get(self.patterns_by_name, "patterns", name)
        ]

    def number(self, name: str) -> float:
        """The number ``name``."""
        return self._get(self.numbers_by_name, "numbers", name)

    def template(self, name: str, *, check_example: bool = True, **parts: str) -> re.Pattern[str]:
        """The regex template ``name`` with each ``{slot}`` replaced by ``parts[slot]`` (regex text)."""
        return self._get(self.templates_by_name, "templates", name).fill(parts, check_example=check_example)

    def _get(self, table: dict[str, Any], section: str, name: str) -> Any:
        try:
            return table[name]
        except KeyError:
            raise RuleDataError(f"{self.source}: no {section} entry {name!r}") from None


@dataclass(frozen=True)
class RegexTemplate:
    """A regex with ``{slot}`` placeholders, compiled once the code supplies each slot's regex text."""

    name: str
    pattern: str
    flags: int
    slots: tuple[str, ...]
    example: str
    where: str
    """``file:line`` of the entry, for errors found when it is filled."""

    def fill(self, parts: dict[str, str], *, check_example: bool = True) -> re.Pattern[str]:
        """The compiled regex; its example must match unless ``check_example`` is False (a template
        shared by several callers, each checking its own example)."""
        if set(parts) != set(self.slots):
            raise RuleDataError(
                f"{self.where}: template {self.name!r} takes slots {sorted(self.slots)}, got {sorted(parts)}"
            )
        text = self.pattern
        for slot, value in parts.items():
            text = text.replace("{" + slot + "}", value)
        try:
            compiled = re.compile(text, self.flags)
        except re.error as exc:
            raise RuleDataError(f"{self.where}: template {self.name!r}: {exc}") from None
        if check_example and not compiled.search(self.example):
            raise RuleDataError(f"{self.where}: template {self.name!r} does not match its own example")
        return compiled


def parse_rule_data(text: str, source: str) -> RuleData:
    """Parse and validate one rule-data document; raises ``RuleDataError("<source>:<line>: ...")``."""
    reader = YamlReader(source, RuleDataError)
    root = reader.compose(text)
    if root is None:
        raise RuleDataError(f"{source}:1: the file is empty")
    data = RuleData(source)
    names: set[str] = set()
    for section, section_node in reader.mapping(root, "the rule-data file", _SECTIONS).items():
        entries = reader.mapping(section_node, f"section {section!r}")
        for key_node, _ in section_node.value:
            if key_node.value in names:
                raise reader.error(key_node, f"entry name {key_node.value!r} is used twice in this file")
            names.add(key_node.value)
        for name, node in entries.items():
            fields = reader.mapping(node, f"{section} entry {name!r}", set(NOTES) | _ENTRY_KEYS[section])
            data.notes[name] = _notes(reader, node, fields, name)
            _PARSERS[section](reader, data, name, node, fields)
    return data


def _notes(reader: YamlReader, node: yaml.Node, fields: dict[str, yaml.Node], name: str) -> dict[str, str]:
    missing = [key for key in NOTES if key not in fields and key != "example"]
    if missing:
        raise reader.error(
            node, f"entry {name!r} is missing {', '.join(missing)} (every entry needs {NOTES})"
        )
    notes = {key: reader.string(fields[key], f"{key} of {name!r}") for key in NOTES if key in fields}
    return notes


def _require(
    reader: YamlReader, node: yaml.Node, fields: dict[str, yaml.Node], key: str, name: str
) -> yaml.Node:
    if key not in fields:
        raise reader.error(node, f"entry {name!r} needs {key!r}")
    return fields[key]


def _example(reader: YamlReader, node: yaml.Node, fields: dict[str, yaml.Node], name: str) -> str:
    if "example" not in fields:
        raise reader.error(node, f"entry {name!r} is missing example (every entry needs {NOTES})")
    return reader.string(fields["example"], f"example of {name!r}")


def _parse_words(reader: YamlReader, data: RuleData, name: str, node: yaml.Node, fields: dict) -> None:
    value = _require(reader, node, fields, "words", name)
    words = reader.string(value, f"words of {name!r}").split()
    lowered = {w for w in words if w != w.lower()}
    if lowered:
        raise reader.error(value, f"words of {name!r} must be lower case: {sorted(lowered)[:5]}")
    example = _example(reader, node, fields, name).lower()
    tokens = set(example.split()) | set(_WORD_EDGE.findall(example))
    if not tokens & set(words):
        raise reader.error(fields["example"], f"the example of {name!r} contains none of its words")
    data.words_by_name[name] = frozenset(words)


def _parse_phrases(reader: YamlReader, data: RuleData, name: str, node: yaml.Node, fields: dict) -> None:
    value = _require(reader, node, fields, "items", name)
    items = reader.strings(value, f"items of {name!r}")
    if not items:
        raise reader.error(value, f"items of {name!r} is empty")
    case = reader.string(fields["case"], f"case of {name!r}") if "case" in fields else "insensitive"
    if case not in ("sensitive", "insensitive"):
        raise reader.error(
            fields["case"], f"case of {name!r} must be 'sensitive' or 'insensitive', got {case!r}"
        )
    sensitive = case == "sensitive"
    example = _example(reader, node, fields, name)
    haystack = example if sensitive else example.lower()
    if not any((item if sensitive else item.lower()) in haystack for item in items):
        raise reader.error(fields["example"], f"the example of {name!r} contains none of its items")
    data.phrases_by_name[name] = tuple(items)
    data.phrase_case[name] = sensitive


def _regex_flags(reader: YamlReader, fields: dict, name: str) -> int:
    """The entry's ``flags`` (names from Python's ``re``) or-ed together; an unknown name is an error."""
    flags = 0
    for flag in reader.strings(fields["flags"], f"flags of {name!r}") if "flags" in fields else ():
        if flag not in _FLAGS:
            raise reader.error(
                fields["flags"], f"unknown regex flag {flag!r} (expected one of {sorted(_FLAGS)})"
            )
        flags |= _FLAGS[flag]
    return flags


def _parse_regex(reader: YamlReader, data: RuleData, name: str, node: yaml.Node, fields: dict) -> None:
    value = _require(reader, node, fields, "pattern", name)
    pattern = reader.string(value, f"pattern of {name!r}")
    flags = _regex_flags(reader, fields, name)
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        raise reader.error(value, f"regex {name!r}: {exc}") from None
    if not compiled.search(_example(reader, node, fields, name)):
        raise reader.error(fields["example"], f"regex {name!r} does not match its own example")
    data.regexes_by_name[name] = compiled


def _parse_patterns(reader: YamlReader, data: RuleData, name: str, node: yaml.Node, fields: dict) -> None:
    from spacy.schemas import validate_token_pattern

    value = _require(reader, node, fields, "patterns", name)
    if not isinstance(value, yaml.SequenceNode) or not value.value:
        raise reader.error(value, f"patterns of {name!r} must be a non-empty list of token patterns")
    patterns = []
    for item in value.value:
        pattern = reader.plain(item)
        problems = (
            validate_token_pattern(pattern) if isinstance(pattern, list) and pattern else ["not a list"]
        )
        if problems:
            raise reader.error(item, f"token pattern of {name!r} is invalid: {'; '.join(map(str, problems))}")
        patterns.append(pattern)
    _example(reader, node, fields, name)
    data.patterns_by_name[name] = patterns


def _parse_number(reader: YamlReader, data: RuleData, name: str, node: yaml.Node, fields: dict) -> None:
    value = _require(reader, node, fields, "value", name)
    data.numbers_by_name[name] = reader.number(value, f"value of {name!r}", -1e9, 1e9)


def _parse_template(reader: YamlReader, data: RuleData, name: str, node: yaml.Node, fields: dict) -> None:
    value = _require(reader, node, fields, "pattern", name)
    pattern = reader.string(value, f"pattern of {name!r}")
    slots = reader.strings(_require(reader, node, fields, "slots", name), f"slots of {name!r}")
    for slot in slots:
        if "{" + slot + "}" not in pattern:
            raise reader.error(value, f"template {name!r} has no {{{slot}}} in its pattern")
    flags = _regex_flags(reader, fields, name)
    example = _example(reader, node, fields, name)
    where = f"{reader.source}:{node.start_mark.line + 1}"
    data.templates_by_name[name] = RegexTemplate(name, pattern, flags, tuple(slots), example, where)


_PARSERS = {
    "lists": _parse_words,
    "phrases": _parse_phrases,
    "regexes": _parse_regex,
    "patterns": _parse_patterns,
    "numbers": _parse_number,
    "templates": _parse_template,
}


def load_rule_data(path: Path | str) -> RuleData:
    """Load and validate one rule-data YAML file."""
    path = Path(path)
    return parse_rule_data(path.read_text(encoding="utf-8"), str(path))


def load_package_rule_data(package: str, filename: str) -> RuleData:
    """Load a rule-data file shipped inside ``package`` (e.g. ``postguard.domain.advice.rules.data``)."""
    resource = resources.files(package).joinpath(filename)
    return parse_rule_data(resource.read_text(encoding="utf-8"), f"{package.replace('.', '/')}/{filename}")


def entry_names(data: RuleData) -> Iterable[str]:
    """Every entry name in ``data`` (for checks that each entry is used)."""
    return data.notes.keys()


def parse_registry(text: str, source: str, known: Iterable[str]) -> list[str]:
    """The enabled names, in order, of a registry file (which recognizers or rules run)::

        recognizers:            # the one top-level key (any name), a list of entries
          - name: email
            enabled: true       # default true
            description: ...    # optional

    Unknown names (not in ``known``) and duplicates are errors with file:line.
    """
    reader = YamlReader(source, RuleDataError)
    root = reader.compose(text)
    if root is None:
        raise RuleDataError(f"{source}:1: the file is empty")
    top = reader.mapping(root, "the registry")
    if len(top) != 1:
        raise reader.error(root, "a registry file has exactly one top-level list")
    ((section, items),) = top.items()
    if not isinstance(items, yaml.SequenceNode):
        raise reader.error(items, f"{section} must be a list")
    known_names, seen, enabled = set(known), set(), []
    for item in items.value:
        fields = reader.mapping(item, f"an entry of {section}", {"name", "enabled", "description"})
        if "name" not in fields:
            raise reader.error(item, f"an entry of {section} needs a name")
        name = reader.string(fields["name"], "name")
        if name not in known_names:
            raise reader.error(
                fields["name"], f"unknown name {name!r} (expected one of {sorted(known_names)})"
            )
        if name in seen:
            raise reader.error(fields["name"], f"{name!r} is listed twice")
        seen.add(name)
        if reader.boolean(fields["enabled"], f"enabled of {name!r}") if "enabled" in fields else True:
            enabled.append(name)
    return enabled


LIST_REFERENCE = "$"
"""A one-item ``IN``/``NOT_IN`` list whose item is ``$name`` stands for the word list ``name``."""
_SET_OPERATORS = ("IN", "NOT_IN")


def list_references(patterns: Sequence[Sequence[dict[str, Any]]]) -> set[str]:
    """The list names (without ``$``) that token ``patterns`` refer to."""
    return {
        name
        for pattern in patterns
        for token in pattern
        for value in token.values()
        if (name := _list_reference(value)) is not None
    }


def expand_list_references(
    patterns: Sequence[Sequence[dict[str, Any]]], lists: Mapping[str, Sequence[str]]
) -> list[list[dict[str, Any]]]:
    """Token ``patterns`` with every ``{IN: [$name]}`` / ``{NOT_IN: [$name]}`` replaced by
    ``lists[name]``: one list is written once and reused by many patterns. An unknown name raises."""
    out = []
    for pattern in patterns:
        tokens = []
        for token in pattern:
            expanded = {}
            for attr, value in token.items():
                name = _list_reference(value)
                if name is not None:
                    if name not in lists:
                        raise KeyError(f"token pattern refers to an unknown list ${name}")
                    ((operator, _),) = value.items()
                    value = {operator: list(lists[name])}
                expanded[attr] = value
            tokens.append(expanded)
        out.append(tokens)
    return out


def _list_reference(value: Any) -> str | None:
    """``name`` when ``value`` is ``{IN: [$name]}`` or ``{NOT_IN: [$name]}``, else None."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((operator, items),) = value.items()
    if operator not in _SET_OPERATORS or not isinstance(items, list) or len(items) != 1:
        return None
    item = items[0]
    if isinstance(item, str) and item.startswith(LIST_REFERENCE) and len(item) > 1:
        return item[len(LIST_REFERENCE) :]
    return None
