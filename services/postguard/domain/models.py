"""Loading the trained spaCy models shipped in the repo and adapting them to the domain seams."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.attrs import NORM, ORTH, SPACY
from spacy.tokens import Doc, Span

from postguard.domain.engine.tokens import Tokens, docs_for, tokenizer_signature
from postguard.domain.identifiers.entity_shape import ShapeCalibration, shape_features
from postguard.domain.identifiers.lexicons import (
    CLINICIAN_TITLES,
    CREDIT_CUES,
    HONORIFICS,
    MONTHS,
    PATIENT_ROLES,
    WEEKDAYS,
    place_gazetteer,
    rule_file,
)
from postguard.domain.identifiers.ner_gate import MARGIN as NER_GATE_MARGIN
from postguard.domain.identifiers.ner_gate import windows as ner_windows
from postguard.domain.rule_data import load_package_rule_data
from postguard.domain.text_guard import guarded_doc
from postguard.domain.types import Category, ContentLabel, Finding, IdentifierLabel

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
"""Where the trained pipelines live (package data: services/postguard/models/<name>/)."""
NER_DIR = MODELS_DIR / "ner"
TEXTCAT_DIR = MODELS_DIR / "textcat"
CALIBRATION_FILE = "calibration.json"
NER_DETECTOR = "model:ner"
TEXTCAT_DETECTOR = "model:textcat"

_NER_DATA = load_package_rule_data("postguard.domain.identifiers.data", "ner_adapter.yaml")
HEALTH_FACILITY = _NER_DATA.regex("health_facility")
AGE_AFTER = _NER_DATA.regex("age_after")
PLACE_PREPOSITIONS = _NER_DATA.words("place_prepositions")
"""An age in apposition after an entity: a "place" followed by one is a person ("Bronte, 19,")."""
"""An ORG span is only reported when it names a place of care (companies and bands are not identifiers)."""
BROAD_PLACES = _NER_DATA.words("broad_places") | frozenset(_NER_DATA.phrases("broad_place_names"))
"""HIPAA Safe Harbor only asks to remove geography smaller than a state: states and countries are fine."""
NOT_PERSON_WORDS = _NER_DATA.words("not_person_words") | frozenset(MONTHS) | frozenset(WEEKDAYS)
"""A model PERSON made only of these (drug names, departments, holidays, months) is dropped."""
EPONYM_HEADS = _NER_DATA.words("eponym_heads")
PLACE_HEADS = _NER_DATA.words("place_heads") | frozenset(
    w.lower() for w in rule_file("location.yaml").phrases("street_types")
)
"""Words that end a place's name (place heads, street types): such a LOCATION is not relabelled PERSON."""
PERSON_TITLES = (
    frozenset(CLINICIAN_TITLES)
    | frozenset(HONORIFICS)
    | frozenset(t for t in rule_file("roles.yaml").phrases("public_titles") if " " not in t)
)
"""Titles written before a person's name (clinical, lay, public: "Professor", "Mrs", "Dame")."""
CREDIT_ENDINGS = tuple(f" {cue}" for cue in CREDIT_CUES)
"""A credit cue ending just before an entity ("thanks to Aoife"): its "to" is not a place preposition."""
"""Nouns after (or ending) a capitalised word that make it a condition or device, not a person."""
_REASONS = {
    IdentifierLabel.PERSON: (
        "A personal name can identify a patient",
        "Remove the name or get written consent",
    ),
    IdentifierLabel.LOCATION: (
        "A place smaller than a state can identify a patient",
        "Remove the place or generalise it to the state",
    ),
    IdentifierLabel.FACILITY: (
        "Naming the hospital or clinic narrows down who the patient is",
        "Remove the facility name unless your institution's policy allows it",
    ),
}
_CONTENT_REASONS = {
    ContentLabel.PERSONAL_ADVICE: (
        "Reads like personal medical advice to an individual",
        "Keep it general and redirect the person to an appointment or official channel",
    ),
    ContentLabel.UNPROFESSIONAL: (
        "Tone reads as offensive or disparaging",
        "Rephrase without insults, slurs or mockery",
    ),
}


class ModelLoadError(RuntimeError):
    """A trained model the configuration asks for cannot be used: missing, corrupt or built for another
    spaCy. ``path`` is the model directory; the message names it and what is wrong (never file contents).
    """

    def __init__(self, model: str, path: Path, problem: str) -> None:
        super().__init__(f"{model} model at {path}: {problem}")
        self.model = model
        self.path = path
        self.problem = problem


def _read_json(model: str, path: Path, name: str) -> dict[str, Any]:
    file = path / name
    if not file.is_file():
        raise ModelLoadError(model, path, f"{name} is missing")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelLoadError(model, path, f"{name} is unreadable ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ModelLoadError(model, path, f"{name} is not a JSON object")
    return data


def _calibrated(model: str, path: Path, section: Any) -> dict[str, float]:
    """``{label: value}`` from a calibration section; every value a number in [0, 1]."""
    if not isinstance(section, dict):
        raise ModelLoadError(model, path, f"{CALIBRATION_FILE} has no per-label values")
    out = {}
    for label, value in section.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise ModelLoadError(model, path, f"{CALIBRATION_FILE}: {label} is not a number in [0, 1]")
        out[str(label)] = float(value)
    return out


def _shape_models(model: str, path: Path, section: Any) -> dict[str, ShapeCalibration]:
    """``{label: ShapeCalibration}`` from a calibration's ``shape_model`` section (absent: none)."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ModelLoadError(model, path, f"{CALIBRATION_FILE}: shape_model is not an object")
    out = {}
    for label, raw in section.items():
        try:
            out[str(label)] = ShapeCalibration.from_mapping(raw)
        except ValueError as exc:
            raise ModelLoadError(model, path, f"{CALIBRATION_FILE}: shape_model {label}: {exc}") from None
    return out


def _platt_parameters(path: Path, section: Any) -> dict[str, tuple[float, float]]:
    """``{label: (a, b)}`` from the calibration's ``platt`` section; each a pair of finite numbers."""
    if not isinstance(section, dict):
        raise ModelLoadError("textcat", path, f"{CALIBRATION_FILE}: platt is not a per-label object")
    out = {}
    for label, params in section.items():
        values = (params.get("a"), params.get("b")) if isinstance(params, dict) else (None, None)
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
        ):
            raise ModelLoadError("textcat", path, f"{CALIBRATION_FILE}: platt {label} needs numbers a and b")
        out[str(label)] = (float(values[0]), float(values[1]))
    return out


def _load_pipeline(model: str, path: Path, *components: str) -> tuple[Any, dict[str, Any]]:
    """Check ``path`` holds a spaCy pipeline with one of ``components`` built for this spaCy, then load it.

    Returns ``(nlp, calibration)``; any problem is a ``ModelLoadError`` naming the path.
    """
    import spacy
    from spacy.util import is_compatible_version

    from postguard.domain import (  # noqa: F401  (register the content classifier's model, the tag reader)
        ner_tagging,
        textcat_architecture,
    )

    if not path.is_dir():
        raise ModelLoadError(model, path, "directory not found")
    meta = _read_json(model, path, "meta.json")
    wanted = meta.get("spacy_version")
    if not isinstance(wanted, str) or is_compatible_version(spacy.__version__, wanted) is not True:
        raise ModelLoadError(
            model, path, f"built for spaCy {wanted!s:.40}, installed is {spacy.__version__} (retrain it)"
        )
    wanted_names = " or ".join(repr(c) for c in components)
    if not set(components) & set(meta.get("pipeline") or ()):
        raise ModelLoadError(model, path, f"meta.json lists no {wanted_names} component")
    calibration = _read_json(model, path, CALIBRATION_FILE)
    try:
        nlp = spacy.load(path)
    except Exception as exc:  # spaCy raises OSError, ValueError, KeyError, msgpack errors... on bad files
        raise ModelLoadError(model, path, f"spaCy cannot load it ({type(exc).__name__})") from exc
    if not set(components) & set(nlp.pipe_names):
        raise ModelLoadError(model, path, f"the loaded pipeline has no {wanted_names} component")
    return nlp, calibration


def _words(doc: Any, table: Tokens | None) -> list[str]:
    """The token texts of ``doc``: ``table``'s words when ``doc`` was rebuilt from it (``docs_for``'s
    test: same signature and text), else read from the doc."""
    if table is not None and len(table.words) == len(doc):
        return table.words
    strings = doc.vocab.strings
    return [strings[orth] for orth in doc.to_array(ORTH).tolist()] if len(doc) else []


def _part(doc: Any, start: int, end: int) -> Any:
    """Tokens ``[start, end)`` of ``doc`` as a doc of their own (the doc itself when that is all of it):
    the same words, spaces and norms, so the same model features (cheaper than ``Span.as_doc``)."""
    if start == 0 and end == len(doc):
        return doc
    table = doc.to_array([ORTH, NORM, SPACY])[start:end]
    strings = doc.vocab.strings
    part = Doc(
        doc.vocab, words=[strings[o] for o in table[:, 0].tolist()], spaces=table[:, 2].astype(bool).tolist()
    )
    part.from_array([NORM], table[:, 1].copy())
    return part


def _docs(
    nlp: Any, signature: str, texts: Sequence[str], tokens: Sequence[Tokens | None] | None
) -> list[Any]:
    """The texts as docs on the model's vocab: rebuilt from same-signature token tables (one
    tokenisation per post), else tokenised here in linear time (``text_guard``); same offsets."""
    rebuilt = docs_for(nlp.vocab, signature, texts, tokens)
    return [
        doc if doc is not None else guarded_doc(nlp.tokenizer, text)
        for text, doc in zip(texts, rebuilt, strict=True)
    ]


def context_reach(nlp: Any) -> int:
    """How many tokens on each side of a token the NER pipeline's output for it depends on: the tok2vec
    encoder's window times its depth, plus one for a transition-based ``ner`` (its state looks one token
    back); ``ner_gate.MARGIN`` when the config does not say."""
    try:
        encode = nlp.config["components"]["tok2vec"]["model"]["encode"]
        reach = int(encode["window_size"]) * int(encode["depth"])
    except (KeyError, TypeError, ValueError):
        return NER_GATE_MARGIN
    return reach + (1 if "ner" in nlp.pipe_names else 0)


class SpacyNerModel:
    """Adapter of the trained NER pipeline to the ``NamedEntityModel`` seam.

    The pipeline (a tagger read back as entities, or a transition-based NER) gives no per-span score.
    A label with a shape model in ``calibration.json`` (PERSON, LOCATION) gets the model's probability
    for the span's shape (``entity_shape``: case, length, sentence start, listed given name, dictionary
    words, gazetteer place), fitted on the training workflow's dev split; other labels a fixed
    confidence, their dev precision. A relabelled entity (a LOCATION reported as PERSON after an age,
    an ORG as FACILITY) keeps the fixed confidence of the model's label.
    """

    def __init__(
        self,
        nlp: Any,
        confidences: dict[str, float],
        batch_size: int = 64,
        shapes: dict[str, ShapeCalibration] | None = None,
        gate: bool = True,
    ) -> None:
        self.nlp = nlp
        self.confidences = confidences
        self.shapes = shapes or {}
        self.batch_size = batch_size
        self.gate = gate
        """Run the model only on the sentences ``ner_gate.windows`` passes (False: on whole texts)."""
        self.model_docs = 0
        """Docs (texts or gated windows) the pipeline has run on: what the gate saves, countable."""
        self.margin = context_reach(nlp)
        """Tokens of context the gate keeps around a sentence: what the model reads beyond a token."""
        self.signature = tokenizer_signature(nlp.tokenizer)
        """Token tables with this signature are reused as they are (see ``engine.tokens``)."""
        self._lock = threading.Lock()

    @classmethod
    def from_path(cls, path: Path) -> SpacyNerModel:
        """Load the pipeline at ``path`` (no network) with its calibration; ``ModelLoadError`` if unusable."""
        nlp, calibration = _load_pipeline("NER", path, "ner", "entities_from_tags")
        confidences = _calibrated("NER", path, calibration.get("confidence"))
        return cls(nlp, confidences, shapes=_shape_models("NER", path, calibration.get("shape_model")))

    def find_entities(
        self, texts: Sequence[str], tokens: Sequence[Tokens | None] | None = None
    ) -> list[list[Finding]]:
        """PERSON / LOCATION / FACILITY findings per text, character spans into the text. ``tokens``:
        the texts' token tables from a tokenizer like this model's, reused instead of tokenising."""
        docs = _docs(self.nlp, self.signature, texts, tokens)
        with self._lock:  # spaCy pipelines are not guaranteed thread-safe; detectors may share one
            entities = self._gated(docs, texts, tokens) if self.gate else self._whole(docs)
        return [[f for ent in ents if (f := self._finding(ent)) is not None] for ents in entities]

    def _whole(self, docs: list[Any]) -> list[list[Any]]:
        self.model_docs += len(docs)
        return [list(doc.ents) for doc in self.nlp.pipe(docs, batch_size=self.batch_size)]

    def _gated(
        self, docs: list[Any], texts: Sequence[str], tokens: Sequence[Tokens | None] | None
    ) -> list[list[Any]]:
        """The model's entities per doc, run on the gate's windows only (sub-docs of the same tokens),
        as spans of the whole doc: exact character offsets and the whole post as the adapter's context."""
        tables = [
            t if t is not None and t.signature == self.signature and t.text == text else None
            for text, t in zip(texts, tokens or [None] * len(docs), strict=True)
        ]
        windows = [ner_windows(_words(doc, t), self.margin) for doc, t in zip(docs, tables, strict=True)]
        owners = [(i, start) for i, found in enumerate(windows) for start, _ in found]
        parts = [_part(docs[i], start, end) for i, found in enumerate(windows) for start, end in found]
        self.model_docs += len(parts)
        out: list[list[Any]] = [[] for _ in docs]
        for (i, offset), part in zip(owners, self.nlp.pipe(parts, batch_size=self.batch_size), strict=True):
            out[i].extend(Span(docs[i], offset + e.start, offset + e.end, label=e.label) for e in part.ents)
        return out

    @staticmethod
    def _ordinary_words(ent: Any) -> bool:
        """A PERSON entity that is a hashtag, a condition or device named like a person, or only drug
        names, departments, holidays, months and the like."""
        doc = ent.doc
        if ent.start > 0 and doc[ent.start - 1].text == "#":
            return True
        words = [t.lower_ for t in ent if t.is_alpha]
        if words and words[-1] in EPONYM_HEADS:
            return True  # "Insulin pump"
        after = doc[ent.end : ent.end + 2]
        if any(t.lower_ in EPONYM_HEADS for t in after if t.is_alpha or t.lower_ != "'s"):
            return True  # "Harlequin ichthyosis", "Bell's palsy"
        return ent.text.startswith("#") or all(w in NOT_PERSON_WORDS for w in words)

    @staticmethod
    def _aged(ent: Any) -> bool:
        """An entity followed by an age in apposition and not after a preposition: a person."""
        if not AGE_AFTER.match(ent.doc.text, ent.end_char):
            return False
        return ent.start == 0 or ent.doc[ent.start - 1].lower_ not in PLACE_PREPOSITIONS

    @staticmethod
    def _given_not_place(ent: Any) -> bool:
        """A model LOCATION that is one capitalised listed given name (first_names.yaml, not a word
        name) no place in the gazetteer bears, not after a place preposition: the model took an
        unfamiliar name for a place ("Nayeli's first steps")."""
        if len(ent) != 1 or not ent[0].is_title or ent[0].lower_ not in _given_names():
            return False
        if ent.text in place_gazetteer():
            return False  # "Florence", "Austin": a place as much as a name
        if ent.start == 0 or SpacyNerModel._after_credit(ent):
            return True  # "thanks to Aoife": the credit's "to" is not a place's
        return ent.doc[ent.start - 1].lower_ not in PLACE_PREPOSITIONS

    @staticmethod
    def _after_credit(ent: Any) -> bool:
        """Does a credit cue ("thanks to", "shoutout to", "congrats to") end right before the entity?"""
        before = " " + " ".join(t.lower_ for t in ent.doc[max(0, ent.start - 4) : ent.start])
        return before.endswith(CREDIT_ENDINGS)

    @staticmethod
    def _name_shaped(ent: Any) -> bool:
        """A model LOCATION of two to four capitalised words that reads as a person's name: a personal
        title then a name ("Professor Michael Marmot", "Dame Cicely Saunders"), or a listed given name
        then one more word ("Maya Angelou"); never a gazetteer place nor a name ending in a place word
        ("Victoria Park", "Queen Street", "St Thomas' Hospital")."""
        words = [t for t in ent if t.is_alpha]
        if not 2 <= len(words) <= 4 or ent.text in place_gazetteer():
            return False
        if not all(t.text[:1].isupper() for t in words) or any(t.lower_ in PLACE_HEADS for t in words[1:]):
            return False
        if words[0].lower_ in PERSON_TITLES:
            return True
        return len(words) == 2 and words[0].lower_ in _given_names()

    @staticmethod
    def _after_person_word(ent: Any) -> bool:
        """A model LOCATION right after a lower-case patient word, fond word or honorific ("baby Oakley",
        "little Devon", "mrs Kent"): places do not follow those words."""
        if ent.start == 0 or len(ent) > 2:
            return False
        before = ent.doc[ent.start - 1]
        return not before.is_title and before.lower_ in _person_words()

    def _finding(self, ent: Any) -> Finding | None:
        text = ent.text
        if not any(c.isalpha() for c in text) or text.startswith("@"):
            return None  # handles are not trained (annotated inconsistently in the tweet corpora)
        if ent.label_ in ("ORG", "LOCATION") and HEALTH_FACILITY.search(text):
            label = IdentifierLabel.FACILITY
        elif ent.label_ == "ORG":
            return None
        else:
            try:
                label = IdentifierLabel(ent.label_)
            except ValueError:
                return None
        if label is IdentifierLabel.LOCATION and text.lower().strip(" .#") in BROAD_PLACES:
            return None
        if label is IdentifierLabel.LOCATION and SpacyNerModel._aged(ent):
            label = IdentifierLabel.PERSON  # "Bronte, 19, came in": places take no age
        elif label is IdentifierLabel.LOCATION and (
            SpacyNerModel._given_not_place(ent)
            or SpacyNerModel._after_person_word(ent)
            or SpacyNerModel._name_shaped(ent)
        ):
            label = IdentifierLabel.PERSON  # a listed given name no place is called, "baby Oakley"
        if label is IdentifierLabel.PERSON and text.isupper() and len(text) <= 4:
            return None  # short all-caps tokens in clinical posts are abbreviations (ECMO, CK, GI), not names
        if label is IdentifierLabel.PERSON and self._ordinary_words(ent):
            return None  # "Zofran", "#NursesWeek", "March": capitalised words, not names
        reason, suggestion = _REASONS[label]
        return Finding(
            category=Category.IDENTIFIER,
            label=label.value,
            start=ent.start_char,
            end=ent.end_char,
            confidence=self._confidence(ent, label),
            detector=NER_DETECTOR,
            reason=reason,
            suggestion=suggestion,
        )

    def _confidence(self, ent: Any, label: IdentifierLabel) -> float:
        """The shape model's probability when the reported label is the model's own and has one, else
        the model label's fixed confidence (as before shape models: an ORG reported as a FACILITY keeps
        ORG's)."""
        shape = self.shapes.get(label.value) if label.value == ent.label_ else None
        if shape is not None:
            return shape.confidence(shape_features(ent))
        return self.confidences.get(ent.label_, 0.5)


class SpacyTextCategoryModel:
    """Adapter of the trained multilabel text classifier to the ``TextCategoryModel`` seam.

    ``platt`` (from ``calibration.json``, fitted on out-of-fold scores by the training workflow) maps
    each label's raw score ``s`` to a calibrated probability ``sigmoid(a * logit(s) + b)``; a label
    without parameters reports its raw score. ``thresholds`` apply to the reported probability.
    """

    def __init__(
        self,
        nlp: Any,
        thresholds: dict[str, float],
        batch_size: int = 128,
        platt: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self.nlp = nlp
        self.thresholds = thresholds
        self.batch_size = batch_size
        self.platt = dict(platt or {})
        self.signature = tokenizer_signature(nlp.tokenizer)
        """Token tables with this signature are reused as they are (see ``engine.tokens``)."""
        self._lock = threading.Lock()

    @classmethod
    def from_path(cls, path: Path) -> SpacyTextCategoryModel:
        """Load the pipeline at ``path`` (no network) with its calibration (thresholds, Platt parameters).

        ``ModelLoadError`` when the directory is missing, corrupt or built for another spaCy.
        """
        nlp, calibration = _load_pipeline("textcat", path, "textcat_multilabel")
        thresholds = _calibrated("textcat", path, calibration.get("thresholds"))
        platt = _platt_parameters(path, calibration.get("platt", {}))
        labels = nlp.get_pipe("textcat_multilabel").labels
        return cls(nlp, {label: thresholds.get(label, 0.5) for label in labels}, platt=platt)

    def score(
        self, texts: Sequence[str], tokens: Sequence[Tokens | None] | None = None
    ) -> list[dict[str, float]]:
        """Calibrated probability per label for each text (``tokens``: as in
        ``SpacyNerModel.find_entities``)."""
        with self._lock:
            docs = list(
                self.nlp.pipe(_docs(self.nlp, self.signature, texts, tokens), batch_size=self.batch_size)
            )
        return [{label: self._calibrate(label, float(p)) for label, p in doc.cats.items()} for doc in docs]

    def _calibrate(self, label: str, raw: float) -> float:
        if label not in self.platt:
            return raw
        a, b = self.platt[label]
        s = min(max(raw, 1e-6), 1 - 1e-6)
        return 1.0 / (1.0 + math.exp(-(a * math.log(s / (1 - s)) + b)))

    def findings(self, text: str, scores: dict[str, float]) -> list[Finding]:
        """Whole-text CONTENT findings for the labels at or above their threshold."""
        out = []
        for label, p in scores.items():
            if p >= self.thresholds.get(label, 1.1) and label in _CONTENT_REASONS:
                reason, suggestion = _CONTENT_REASONS[ContentLabel(label)]
                out.append(
                    Finding(
                        Category.CONTENT,
                        label,
                        0,
                        len(text),
                        round(p, 4),
                        TEXTCAT_DETECTOR,
                        reason,
                        suggestion,
                    )
                )
        return out


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    """Listed given names that are not English words (first_names.yaml first_names, lower case)."""
    return frozenset(
        load_package_rule_data("postguard.domain.identifiers.data", "first_names.yaml").words("first_names")
    )


@lru_cache(maxsize=1)
def _person_words() -> frozenset[str]:
    """Words before a patient's name: lexicons' patient roles and honorifics, person.yaml's fond words."""
    pet = load_package_rule_data("postguard.domain.identifiers.data", "person.yaml").words("pet_words")
    return frozenset(PATIENT_ROLES) | frozenset(HONORIFICS) | pet


def _models_root(models_dir: Path | str | None) -> Path:
    return (Path(models_dir) if models_dir is not None else MODELS_DIR).expanduser().absolute()


def load_ner_model(models_dir: Path | str | None = None) -> SpacyNerModel:
    """The identifier NER model in ``<models_dir>/ner`` (default: the shipped one), loaded once per path.

    Raises ``ModelLoadError`` (naming the path) when it is missing, corrupt or incompatible: callers that
    asked for the models must not carry on with rules alone. Rules only = do not call this.
    """
    return _cached_ner(_models_root(models_dir) / "ner")


def load_advice_model(models_dir: Path | str | None = None) -> SpacyTextCategoryModel:
    """The content classifiers in ``<models_dir>/textcat`` (default: shipped), loaded once per path.

    Raises ``ModelLoadError`` like ``load_ner_model``.
    """
    return _cached_textcat(_models_root(models_dir) / "textcat")


@lru_cache(maxsize=4)
def _cached_ner(path: Path) -> SpacyNerModel:
    return SpacyNerModel.from_path(path)  # a failure raises and is not cached: the next call retries


@lru_cache(maxsize=4)
def _cached_textcat(path: Path) -> SpacyTextCategoryModel:
    return SpacyTextCategoryModel.from_path(path)
