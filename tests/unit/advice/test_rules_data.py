"""The content rules' data files: each loads, each entry is read by its rule, each token pattern entry
matches its own example, and the registry decides which rules run and in what order."""

from __future__ import annotations

import codecs
import re
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest
from postguard.domain.advice import classifier as classifier_module
from postguard.domain.advice.rules import (
    ENABLED_RULES,
    RULE_CLASSES,
    build_rules,
    care_confirmation,
    claims,
    conduct,
    cues,
    disclaimer,
    parse_rule_registry,
    personal_advice,
    promotion,
    solicitation,
)
from postguard.domain.advice.rules.data import PACKAGE, expand, load, references
from postguard.domain.rule_data import RuleData, RuleDataError, entry_names
from spacy.matcher import Matcher

pytestmark = pytest.mark.unit

MODULES: dict[str, ModuleType] = {
    "cues.yaml": cues,
    "care_confirmation.yaml": care_confirmation,
    "claims.yaml": claims,
    "conduct.yaml": conduct,
    "disclaimer.yaml": disclaimer,
    "personal_advice.yaml": personal_advice,
    "promotion.yaml": promotion,
    "solicitation.yaml": solicitation,
}
"""Each rule-data file and the module that reads it."""


def _pattern_lists(module: ModuleType) -> dict[str, list[str]]:
    """The ``$name`` lists ``module`` expands its token patterns with."""
    if module is conduct:
        return conduct.ConductRule().pattern_lists()
    return getattr(module, "_PATTERN_LISTS", {})


def _data(module: ModuleType) -> RuleData:
    return module.DATA


@pytest.fixture(scope="module")
def nlp():
    return classifier_module.build_nlp()


def test_every_yaml_file_in_the_data_folder_is_read_by_a_rule() -> None:
    shipped = {p.name for p in resources.files(PACKAGE).iterdir() if p.name.endswith(".yaml")}
    assert shipped == {*MODULES, "rules.yaml", conduct.LEXICON_FILE}


def test_the_lexicon_file_has_one_entry_per_kind_and_slurs_stay_encoded() -> None:
    data = load(conduct.LEXICON_FILE)
    assert sorted(entry_names(data)) == sorted(conduct.LEXICON_KINDS)
    lexicon = conduct.load_lexicon()
    assert lexicon["slur"] == {codecs.decode(term, "rot13") for term in data.phrases("slur")}
    assert lexicon["slur"].isdisjoint(data.phrases("slur"))
    assert "drug seekers" in lexicon["patient_label"] and "jerk" in lexicon["insult"]


@pytest.mark.parametrize("filename", sorted(MODULES))
def test_every_entry_is_read_by_its_module(filename: str) -> None:
    module = MODULES[filename]
    source = Path(module.__file__).read_text(encoding="utf-8")
    quoted = set(re.findall(r'"([a-z_]+)"', source))
    unused = sorted(set(entry_names(_data(module))) - quoted)
    assert unused == [], f"{filename}: entries no code reads: {unused}"


@pytest.mark.parametrize("filename", sorted(MODULES))
def test_every_entry_carries_its_notes(filename: str) -> None:
    data = _data(MODULES[filename])
    for name in entry_names(data):
        notes = data.notes[name]
        needed = (
            ("description", "source")
            if name in data.numbers_by_name
            else ("description", "source", "example")
        )
        assert set(needed) <= notes.keys(), name
        assert all(notes[key].strip() for key in needed), name


def _pattern_entries() -> list[tuple[str, str]]:
    return [
        (filename, name)
        for filename, module in sorted(MODULES.items())
        for name in sorted(_data(module).patterns_by_name)
    ]


@pytest.mark.parametrize(("filename", "name"), _pattern_entries())
def test_each_token_pattern_entry_matches_its_own_example(nlp, filename: str, name: str) -> None:
    module = MODULES[filename]
    data = _data(module)
    lists = _pattern_lists(module)
    patterns = data.patterns(name)
    assert references(patterns) <= lists.keys(), (
        f"{name}: unknown $lists {references(patterns) - lists.keys()}"
    )
    matcher = Matcher(nlp.vocab)
    matcher.add(name, expand(patterns, lists))
    example = data.notes[name]["example"]
    assert matcher(nlp(example)), f"{filename}: {name!r} does not match its example {example!r}"


def test_each_token_pattern_entry_rejects_an_unrelated_text(nlp) -> None:
    matcher = Matcher(nlp.vocab)
    for filename, name in _pattern_entries():
        module = MODULES[filename]
        matcher.add(f"{filename}:{name}", expand(_data(module).patterns(name), _pattern_lists(module)))
    hits = {
        nlp.vocab.strings[m] for m, _, _ in matcher(nlp("Quiet evening on the ward and the sky is grey."))
    }
    assert hits <= {"conduct.yaml:people_ref"}, hits


def test_expand_replaces_list_references_and_leaves_other_values() -> None:
    patterns = [[{"LOWER": {"IN": ["$drugs"]}, "OP": "?"}, {"LOWER": {"NOT_IN": ["$stop"]}}, {"ORTH": "$"}]]
    assert expand(patterns, {"drugs": ["aspirin"], "stop": ["no", "not"]}) == [
        [{"LOWER": {"IN": ["aspirin"]}, "OP": "?"}, {"LOWER": {"NOT_IN": ["no", "not"]}}, {"ORTH": "$"}]
    ]
    assert references(patterns) == {"drugs", "stop"}
    with pytest.raises(KeyError, match=r"\$drugs"):
        expand(patterns, {"stop": []})


def test_rule_modules_keep_their_list_constants() -> None:
    assert "ibuprofen" in cues.MEDICATIONS
    assert "twice a day" in cues.DOSE_FREQUENCIES
    assert "see your doctor" in cues.REFERRAL_PHRASES
    assert "clizine" in cues.DRUG_SUFFIXES
    assert "WHO" in cues.SOURCE_ACRONYMS
    assert "miracle cure" in claims.PSEUDOSCIENCE_PHRASES
    assert "#ad" in promotion.DISCLOSURES
    assert "to the mom" in personal_advice.ADDRESSEES and "dear reader" in personal_advice.ADDRESSEES
    assert "Honestly" in personal_advice._NOT_NAMES
    assert "take" in personal_advice.REPLY_VERBS and "ice" in personal_advice.REPLY_VERBS
    assert "x-rays" in solicitation.CLINICAL_MATERIALS


def test_the_registry_runs_every_rule_in_the_engines_order() -> None:
    assert tuple(RULE_CLASSES) == ENABLED_RULES
    assert [type(r) for r in build_rules()] == [
        personal_advice.PersonalAdviceRule,
        solicitation.SolicitationRule,
        claims.ClaimsRule,
        conduct.ConductRule,
        promotion.PromotionRule,
        care_confirmation.CareConfirmationRule,
        disclaimer.DisclaimerRule,
    ]
    engine = classifier_module._shared_rule_engine()
    assert [type(r) for r in (*engine.rules, engine.disclaimer)] == [type(r) for r in build_rules()]


REGISTRY = """\
rules:
  - name: personal_advice
  - name: claims
    enabled: false
  - name: disclaimer
"""


def test_a_registry_can_switch_a_rule_off() -> None:
    assert parse_rule_registry(REGISTRY, "rules.yaml") == ["personal_advice", "disclaimer"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("name: claims", "name: claimz", r"rules.yaml:3: unknown name 'claimz'"),
        ("name: claims", "name: personal_advice", r"rules.yaml:3: 'personal_advice' is listed twice"),
        ("- name: personal_advice\n", "- name: disclaimer\n", r"listed twice"),
    ],
)
def test_registry_mistakes_name_the_line(old: str, new: str, message: str) -> None:
    with pytest.raises(RuleDataError, match=message):
        parse_rule_registry(REGISTRY.replace(old, new, 1), "rules.yaml")


def test_the_disclaimer_rule_must_run_last() -> None:
    text = "rules:\n  - name: disclaimer\n  - name: claims\n"
    with pytest.raises(RuleDataError, match="list it last"):
        parse_rule_registry(text, "rules.yaml")
