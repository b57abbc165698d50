"""The identifier detector: rules plus an optional trained NER model behind one interface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from postguard.domain.engine.tokens import ReusesTokens, SharedTokens, Tokens
from postguard.domain.identifiers.analysis import Analysis
from postguard.domain.identifiers.attachments import attachment_findings
from postguard.domain.identifiers.date_resolution import resolve_dates
from postguard.domain.identifiers.merge import merge_findings
from postguard.domain.identifiers.messages import reason_for, suggestion_for
from postguard.domain.identifiers.recognizers.location import away_from_home, residence_cue
from postguard.domain.identifiers.registry import RecognizerRegistry
from postguard.domain.identifiers.roles import (
    drop_unit_names,
    patient_side,
    share_list_roles,
    share_name_roles,
    with_role,
)
from postguard.domain.text_guard import check_budget, load_of, stage_texts
from postguard.domain.types import Category, Finding, IdentifierLabel, Post

UNTIED_PLACE_CONFIDENCE = 0.4
"""Confidence of a model LOCATION that nothing in the post ties to a patient."""
_PATIENT_DETAILS = frozenset(
    {IdentifierLabel.PERSON, IdentifierLabel.AGE, IdentifierLabel.DATE, IdentifierLabel.QUASI_IDENTIFIER}
)


class NamedEntityModel(Protocol):
    """Seam for a trained NER model: returns PERSON / LOCATION / FACILITY findings per text."""

    def find_entities(self, texts: Sequence[str]) -> list[list[Finding]]: ...


class IdentifierDetector:
    """Finds identifiers in posts: rule recognizers over one spaCy Doc per post, merged with the
    findings of ``ner_model`` when one is given (one ``find_entities`` call per batch).

    The model finds names and places; the rules' context decides what they mean for a patient: a model
    PERSON gets its role like a rule name ("thanks to Dr. Patel": staff, see ``roles``), and a model
    LOCATION with nothing tying it to a patient ("presenting in Chicago") is kept below the usual 0.5
    threshold.
    """

    name = "identifier-detection"

    def __init__(
        self, ner_model: NamedEntityModel | None = None, registry: RecognizerRegistry | None = None
    ) -> None:
        self.ner_model = ner_model
        self.registry = registry or RecognizerRegistry()

    def detect(self, post: Post) -> list[Finding]:
        """Findings for one post, in text order."""
        return self.detect_batch([post])[0]

    def detect_batch(self, posts: Sequence[Post], shared: SharedTokens | None = None) -> list[list[Finding]]:
        """Findings per post, in text order, then its attachments' findings (alt text and metadata, see
        ``attachments``); batching lets spaCy and the NER model work faster. ``shared``: where to leave
        the posts' token tables for the advice stage's text model (one tokenisation per post in-process).

        Raises ``TooComplexError`` before any work when a post is over the screening budget (its text
        and attachment texts together, see ``text_guard``)."""
        check_budget([load_of(stage_texts(self.name, p)) for p in posts])
        in_text = [
            resolve_dates(found, post.text, post.created_at, post_region(post))
            for found, post in zip(self._detect([p.text for p in posts], shared), posts, strict=True)
        ]
        on_attachments = attachment_findings(posts, self.detect_texts)
        return [[*a, *b] for a, b in zip(in_text, on_attachments, strict=True)]

    def detect_texts(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Merged rule and model findings per plain text."""
        return self._detect(texts, None)

    def _detect(self, texts: Sequence[str], shared: SharedTokens | None) -> list[list[Finding]]:
        # the NER reuses the registry's tokens when its tokenizer is the same (see ``engine.tokens``)
        reuse = (
            isinstance(self.ner_model, ReusesTokens) and self.ner_model.signature == self.registry.signature
        )
        analysed, tokens = self.registry.analyze_with_tokens(texts, tables=reuse or shared is not None)
        if shared is not None:
            shared.put(tokens)
        ner = self._entities(texts, tokens if reuse else None)
        results = []
        for text, (analysis, rule_findings), model_findings in zip(texts, analysed, ner, strict=True):
            patient_details = any(f.label in _PATIENT_DETAILS and patient_side(f) for f in rule_findings)
            accepted = [
                with_role(_in_context(f, analysis, patient_details), analysis)
                for f in (_normalise(m, len(text)) for m in model_findings)
                if f is not None
            ]
            merged = drop_unit_names(merge_findings([*rule_findings, *accepted]), text)
            results.append(share_name_roles(share_list_roles(merged, text), text))
        return results

    def _entities(self, texts: Sequence[str], tokens: list[Tokens] | None) -> list[list[Finding]]:
        """The NER model's findings per text (none without a model)."""
        if self.ner_model is None or not texts:
            return [[] for _ in texts]
        if tokens is not None:
            ner = self.ner_model.find_entities(texts, tokens)  # type: ignore[call-arg]
        else:
            ner = self.ner_model.find_entities(texts)
        if len(ner) != len(texts):
            raise ValueError(f"NER model returned {len(ner)} results for {len(texts)} texts")
        return ner


def post_region(post: Post) -> str:
    """The country a post's relative dates and day-first dates are read in: the platform's
    ``metadata["region"]`` (ISO 3166 alpha-2, e.g. "GB"), else "US"."""
    region = post.metadata.get("region", "").strip().upper()
    return region if len(region) == 2 and region.isalpha() else "US"


def _normalise(finding: Finding, length: int) -> Finding | None:
    """A model finding made safe to merge: valid span, IDENTIFIER category, bounded confidence, a reason."""
    start, end = max(0, finding.start), min(length, finding.end)
    if start >= end:
        return None
    return replace(
        finding,
        category=Category.IDENTIFIER,
        start=start,
        end=end,
        confidence=min(max(finding.confidence, 0.0), 1.0),
        reason=finding.reason or reason_for(finding.label),
        suggestion=finding.suggestion or suggestion_for(finding.label),
    )


def _in_context(finding: Finding, analysis: Analysis, patient_details: bool) -> Finding:
    """A model place with no patient context (care words, a residence cue, or a patient detail found by
    the rules in the post: ``patient_details``) is more likely a conference city or a news place than a
    patient's; so is one in a sentence about an event or a trip (``location.away_from_home``)."""
    if finding.label != IdentifierLabel.LOCATION or finding.confidence <= UNTIED_PLACE_CONFIDENCE:
        return finding
    if away_from_home(analysis, finding.start, finding.end):
        return replace(finding, confidence=UNTIED_PLACE_CONFIDENCE)  # "back from ASCO in Chicago"
    if (
        patient_details
        or residence_cue(analysis, finding.start)
        or analysis.about_care(finding.start, finding.end)
    ):
        return finding
    return replace(finding, confidence=UNTIED_PLACE_CONFIDENCE)
