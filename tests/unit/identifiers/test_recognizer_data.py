"""The identifier recognizers' rule-data files: each loads, each entry is read by the code, each cue list
finds its own example, the registry decides which recognizers run, and the loader's templates check."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from postguard.domain.identifiers import lexicons
from postguard.domain.identifiers.lexicons import DATA_PACKAGE, expand_patterns, rule_file
from postguard.domain.identifiers.recognizers import ENABLED, RECOGNIZERS, default_recognizers
from postguard.domain.identifiers.recognizers.numbered import ContextualNumberRecognizer
from postguard.domain.rule_data import RuleDataError, entry_names, parse_registry, parse_rule_data

pytestmark = pytest.mark.unit

DATA_DIR = Path(str(resources.files(DATA_PACKAGE)))
IDENTIFIERS = Path(lexicons.__file__).parent
REGISTRY = "recognizers.yaml"
RULE_FILES = sorted(p.name for p in DATA_DIR.glob("*.yaml") if p.name != REGISTRY)
READERS = {
    "lexicons.yaml": [IDENTIFIERS / "lexicons.py"],
    "attachments.yaml": [IDENTIFIERS / "attachments.py"],
    "ner_adapter.yaml": [IDENTIFIERS.parent / "models.py"],
    "ner_gate.yaml": [IDENTIFIERS / "ner_gate.py"],
    "roles.yaml": [IDENTIFIERS / "roles.py"],
    "first_names.yaml": [IDENTIFIERS / "recognizers" / "person.py"],
    "reidentification.yaml": [IDENTIFIERS.parent / "reidentification.py"],
}
"""The module(s) that read each file; a recognizer's file is read by the recognizer module of that name."""


def _readers(filename: str) -> list[Path]:
    return READERS.get(filename, [IDENTIFIERS / "recognizers" / filename.replace(".yaml", ".py")])


def test_every_rule_file_loads_with_notes_on_every_entry() -> None:
    assert len(RULE_FILES) >= 18
    for filename in RULE_FILES:
        data = rule_file(filename)
        for name in entry_names(data):
            notes = data.notes[name]
            assert notes["description"].strip() and notes["source"].strip(), name
            assert notes.get("example") or name in data.numbers_by_name, name  # a number has no example


@pytest.mark.parametrize("filename", RULE_FILES)
def test_every_entry_is_read_by_the_code(filename: str) -> None:
    """An entry's name appears quoted in its module (or as the upper-case matcher key it is read for), is
    a pattern kind listed in the file's ``kinds``, or is an attachment tag list named ``<family>_<LABEL>``:
    no entry is dead data."""
    data = rule_file(filename)
    source = "".join(path.read_text(encoding="utf-8") for path in _readers(filename))
    kinds = set(data.phrases_by_name.get("kinds", ()))
    unused = [
        name
        for name in entry_names(data)
        if f'"{name}"' not in source
        and f'"{name.upper()}"' not in source  # person.yaml's cue patterns, read as key.lower()
        and name not in kinds
        and not (filename == "attachments.yaml" and re.fullmatch(r"(dicom|exif)_(?:[A-Z_]+|free_text)", name))
    ]
    assert unused == []


def test_pattern_kinds_name_existing_patterns() -> None:
    for filename in ("age.yaml", "date.yaml"):
        data = rule_file(filename)
        patterns = data.regexes_by_name.keys() | data.templates_by_name.keys()
        assert set(data.phrases("kinds")) <= patterns, filename


@pytest.mark.parametrize(
    "name", sorted(n for n, c in RECOGNIZERS.items() if issubclass(c, ContextualNumberRecognizer))
)
def test_each_cue_list_finds_the_value_in_its_own_example(name: str) -> None:
    recognizer = RECOGNIZERS[name]()
    module = type(recognizer).__module__.rsplit(".", 1)[-1]
    example = rule_file(f"{module}.yaml").notes["context"]["example"]
    match = recognizer._regex.search(example)
    assert match and recognizer.validate(match.group("value")), example


def test_lexicons_keep_their_names_types_and_order() -> None:
    assert isinstance(lexicons.CARE_TERMS, tuple) and lexicons.CARE_TERMS[0] == "patient"
    assert isinstance(lexicons.NOT_NAMES, frozenset) and "january" in lexicons.NOT_NAMES
    assert lexicons.MONTHS["jan"] == lexicons.MONTHS["january"] == 1
    assert lexicons.MONTHS["sept"] == lexicons.MONTHS["sep"] == 9 and lexicons.MONTHS["dec"] == 12
    assert list(lexicons.MONTHS)[:3] == ["january", "jan", "february"]
    assert "Tucson" in lexicons.US_CITIES and "ED" in lexicons.CARE_ACRONYMS


def test_the_registry_decides_which_recognizers_run_and_in_what_order() -> None:
    text = (DATA_DIR / REGISTRY).read_text(encoding="utf-8")
    names = re.findall(r"- name: (\w+)", text)
    assert list(ENABLED) == names and sorted(names) == sorted(RECOGNIZERS)
    assert [r.name for r in default_recognizers()] == names
    assert names.index("PersonRecognizer") < names.index("LocationRecognizer") < names.index("DateRecognizer")
    assert names[-1] == "QuasiIdentifierRecognizer"
    off = text.replace("  - name: UrlRecognizer\n", "  - name: UrlRecognizer\n    enabled: false\n")
    assert "UrlRecognizer" not in parse_registry(off, REGISTRY, RECOGNIZERS)
    with pytest.raises(RuleDataError, match=r"recognizers.yaml:\d+: unknown name 'NoSuchRecognizer'"):
        parse_registry(text + "  - name: NoSuchRecognizer\n", REGISTRY, RECOGNIZERS)


TEMPLATE = """\
templates:
  month_day:
    description: A month then a day.
    source: Team-written.
    example: seen March 3
    pattern: '\\b(?:{month})\\s+\\d{1,2}\\b'
    flags: [IGNORECASE]
    slots: [month]
"""


def test_a_template_is_filled_compiled_and_checked_against_its_example() -> None:
    data = parse_rule_data(TEMPLATE, "x.yaml")
    pattern = data.template("month_day", month="March|May")
    assert pattern.flags & re.IGNORECASE and pattern.search("on may 4")
    with pytest.raises(RuleDataError, match=r"x.yaml:3: template 'month_day' does not match its own example"):
        data.template("month_day", month="June")
    assert data.template("month_day", check_example=False, month="June").search("June 1")
    with pytest.raises(RuleDataError, match=r"x.yaml:3: template 'month_day' takes slots \['month'\]"):
        data.template("month_day", day="1")
    with pytest.raises(RuleDataError, match=r"x.yaml:3: template 'month_day': missing \)"):
        data.template("month_day", month="(March")


def test_a_template_without_its_slot_is_refused_at_load() -> None:
    with pytest.raises(RuleDataError, match=r"x.yaml:6: template 'month_day' has no \{day\} in its pattern"):
        parse_rule_data(TEMPLATE.replace("slots: [month]", "slots: [month, day]"), "x.yaml")


def _pattern_lists() -> dict[str, dict[str, list[str]]]:
    from postguard.domain.identifiers.recognizers import person, quasi

    return {"person.yaml": person._PATTERN_LISTS, "quasi.yaml": {"not_places": quasi._NOT_PLACES}}


def test_each_token_pattern_entry_matches_its_own_example() -> None:
    """The check the loader cannot make cheaply: run each entry, lists expanded, on its example."""
    import spacy
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    checked = 0
    for filename, lists in _pattern_lists().items():
        data = rule_file(filename)
        for name in data.patterns_by_name:
            matcher = Matcher(nlp.vocab)
            matcher.add(name, expand_patterns(data.patterns(name), lists))
            example = data.notes[name]["example"]
            assert matcher(nlp(example)), f"{filename}: {name!r} does not match {example!r}"
            checked += 1
    assert checked == sum(len(rule_file(f).patterns_by_name) for f in RULE_FILES) == 14


def test_a_pattern_list_reference_must_be_known() -> None:
    with pytest.raises(KeyError):
        expand_patterns([[{"LOWER": {"IN": ["$nowhere"]}}]], {})
    assert expand_patterns([[{"LOWER": {"NOT_IN": ["$a"]}}, {"LOWER": "x"}]], {"a": ("b", "c")}) == [
        [{"LOWER": {"NOT_IN": ["b", "c"]}}, {"LOWER": "x"}]
    ]
