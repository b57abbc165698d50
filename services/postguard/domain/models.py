"""Loading the trained spaCy models shipped in the repo and adapting them to the domain seams."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from postguard.domain.types import Category, ContentLabel, Finding, IdentifierLabel

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
"""Where the trained pipelines live (package data: services/postguard/models/<name>/)."""
NER_DIR = MODELS_DIR / "ner"
TEXTCAT_DIR = MODELS_DIR / "textcat"
CALIBRATION_FILE = "calibration.json"
NER_DETECTOR = "model:ner"
TEXTCAT_DETECTOR = "model:textcat"

# An ORG span is only reported when it names a place of care (companies and bands are not identifiers).
HEALTH_FACILITY = re.compile(
    r"\b(hospital|clinic|medical cent(er|re)|health|infirmary|hospice|urgent care|nhs|ward|"
    r"children'?s|memorial|mayo|kaiser|rehab\w*|cancer cent(er|re)|icu|nicu)\b",
    re.IGNORECASE,
)
# HIPAA Safe Harbor only asks to remove geography smaller than a state: states and countries are fine.
BROAD_PLACES = frozenset(
    [
        "alabama",
        "alaska",
        "arizona",
        "arkansas",
        "california",
        "colorado",
        "connecticut",
        "delaware",
        "florida",
        "georgia",
        "hawaii",
        "idaho",
        "illinois",
        "indiana",
        "iowa",
        "kansas",
        "kentucky",
        "louisiana",
        "maine",
        "maryland",
        "massachusetts",
        "michigan",
        "minnesota",
        "mississippi",
        "missouri",
        "montana",
        "nebraska",
        "nevada",
        "ohio",
        "oklahoma",
        "oregon",
        "pennsylvania",
        "tennessee",
        "texas",
        "utah",
        "vermont",
        "virginia",
        "washington",
        "wisconsin",
        "wyoming",
        "usa",
        "us",
        "america",
        "uk",
        "england",
        "scotland",
        "wales",
        "ireland",
        "canada",
        "mexico",
        "india",
        "china",
        "japan",
        "france",
        "germany",
        "italy",
        "spain",
        "australia",
        "africa",
        "europe",
        "asia",
        "brazil",
        "russia",
        "nigeria",
        "pakistan",
        "earth",
    ]
) | frozenset(
    {
        "new hampshire",
        "new jersey",
        "new mexico",
        "new york state",
        "north carolina",
        "north dakota",
        "rhode island",
        "south carolina",
        "south dakota",
        "west virginia",
        "united states",
        "united kingdom",
        "the us",
        "the uk",
        "the usa",
        "u.s.",
        "u.s.a.",
        "great britain",
        "new zealand",
        "south africa",
    }
)
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


def _read_calibration(path: Path) -> dict[str, Any]:
    file = path / CALIBRATION_FILE
    return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}


class SpacyNerModel:
    """Adapter of the trained NER pipeline to the ``NamedEntityModel`` seam.

    spaCy's transition-based NER gives no per-span score, so each label carries a fixed confidence:
    its precision on the training workflow's dev split (``calibration.json``).
    """

    def __init__(self, nlp: Any, confidences: dict[str, float], batch_size: int = 64) -> None:
        self.nlp = nlp
        self.confidences = confidences
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @classmethod
    def from_path(cls, path: Path) -> SpacyNerModel:
        """Load the pipeline at ``path`` (no network) with its calibration."""
        import spacy

        calibration = _read_calibration(path)
        return cls(spacy.load(path), {k: float(v) for k, v in calibration.get("confidence", {}).items()})

    def find_entities(self, texts: Sequence[str]) -> list[list[Finding]]:
        """PERSON / LOCATION / FACILITY findings per text, character spans into the text."""
        with self._lock:  # spaCy pipelines are not guaranteed thread-safe; detectors may share one
            docs = list(self.nlp.pipe(texts, batch_size=self.batch_size))
        return [[f for ent in doc.ents if (f := self._finding(ent)) is not None] for doc in docs]

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
        if label is IdentifierLabel.PERSON and text.isupper() and len(text) <= 4:
            return None  # short all-caps tokens in clinical posts are abbreviations (ECMO, CK, GI), not names
        reason, suggestion = _REASONS[label]
        return Finding(
            category=Category.IDENTIFIER,
            label=label.value,
            start=ent.start_char,
            end=ent.end_char,
            confidence=self.confidences.get(ent.label_, 0.5),
            detector=NER_DETECTOR,
            reason=reason,
            suggestion=suggestion,
        )


class SpacyTextCategoryModel:
    """Adapter of the trained multilabel text classifier to the ``TextCategoryModel`` seam."""

    def __init__(self, nlp: Any, thresholds: dict[str, float], batch_size: int = 128) -> None:
        self.nlp = nlp
        self.thresholds = thresholds
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @classmethod
    def from_path(cls, path: Path) -> SpacyTextCategoryModel:
        """Load the pipeline at ``path`` (no network) with the thresholds calibrated on dev."""
        import spacy

        calibration = _read_calibration(path)
        thresholds = {k: float(v) for k, v in calibration.get("thresholds", {}).items()}
        nlp = spacy.load(path)
        labels = nlp.get_pipe("textcat_multilabel").labels
        return cls(nlp, {label: thresholds.get(label, 0.5) for label in labels})

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Probability per label (PERSONAL_ADVICE, UNPROFESSIONAL) for each text."""
        with self._lock:
            docs = list(self.nlp.pipe(texts, batch_size=self.batch_size))
        return [{label: float(p) for label, p in doc.cats.items()} for doc in docs]

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
def load_ner_model() -> SpacyNerModel | None:
    """The shipped identifier NER model (loaded once), or None when it has not been built."""
    return SpacyNerModel.from_path(NER_DIR) if (NER_DIR / "meta.json").is_file() else None


@lru_cache(maxsize=1)
def load_advice_model() -> SpacyTextCategoryModel | None:
    """The shipped content classifiers (loaded once), or None when they have not been built."""
    return SpacyTextCategoryModel.from_path(TEXTCAT_DIR) if (TEXTCAT_DIR / "meta.json").is_file() else None
