"""One tokenisation per post shared across pipelines: vocab-free token tables and tokenizer signatures.

The identifier engine, the NER and the textcat models all use spaCy's English tokenizer with the same
settings. A :class:`Tokens` table (words, trailing spaces, norms) taken from the identifier engine's
``Doc`` rebuilds the very same ``Doc`` on a model's vocab without tokenising again, provided the model's
tokenizer has the same :func:`tokenizer_signature` (same special cases, affix / infix / URL patterns,
no lexeme-norm table): the tokens, their norms and so every model feature are then identical.
:class:`SharedTokens` carries the tables of one batch from the identifier stage to the advice stage.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy
from spacy.attrs import NORM, ORTH, SPACY
from spacy.tokens import Doc
from spacy.vocab import Vocab


@runtime_checkable
class ReusesTokens(Protocol):
    """A model that takes token tables (``find_entities(texts, tokens)`` / ``score(texts, tokens)``)
    made by a tokenizer with its ``signature`` instead of tokenising the texts again."""

    signature: str


def _pattern(function: Any) -> str:
    owner = getattr(function, "__self__", None)
    return repr(getattr(owner, "pattern", function))


def tokenizer_signature(tokenizer: Any) -> str:
    """A digest of everything that decides how ``tokenizer`` splits text and sets norms; two tokenizers
    with the same signature make the same tokens (texts, spaces, norms) of any text."""
    vocab = tokenizer.vocab
    parts = [
        str(vocab.lang),
        repr(sorted((tokenizer.rules or {}).items(), key=lambda item: item[0])),
        *(_pattern(getattr(tokenizer, name, None)) for name in ("prefix_search", "suffix_search")),
        *(
            _pattern(getattr(tokenizer, name, None))
            for name in ("infix_finditer", "token_match", "url_match")
        ),
        repr(getattr(tokenizer, "faster_heuristics", None)),
        repr(sorted(vocab.lookups.tables)),  # a lexeme_norm table would make norms vocab-specific
    ]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Tokens:
    """One text's tokens as plain data (no vocab): what a same-signature tokenizer would make of it."""

    text: str
    signature: str
    words: list[str]
    spaces: list[bool]
    norms: list[str]

    @classmethod
    def of(cls, doc: Doc, signature: str, text: str | None = None) -> Tokens:
        """The table of ``doc`` (made by a tokenizer with ``signature``); ``text``: ``doc.text`` when the
        caller has it (``Doc.text`` joins a Python ``Token`` per token)."""
        table = doc.to_array([ORTH, NORM, SPACY])
        strings = doc.vocab.strings
        words = [strings[orth] for orth in table[:, 0].tolist()]
        norms = [strings[norm] for norm in table[:, 1].tolist()]
        return cls(
            doc.text if text is None else text, signature, words, table[:, 2].astype(bool).tolist(), norms
        )

    def doc(self, vocab: Vocab) -> Doc:
        """The same ``Doc`` on ``vocab``: words, spaces and norms (tokenizer special cases set some)."""
        doc = Doc(vocab, words=self.words, spaces=self.spaces)
        if self.words:
            strings = vocab.strings
            doc.from_array([NORM], numpy.array([strings.add(n) for n in self.norms], dtype="uint64"))
        return doc


def docs_for(
    vocab: Vocab, signature: str, texts: Sequence[str], tokens: Sequence[Tokens | None] | None
) -> list[Doc | None]:
    """Per text, its ``Doc`` on ``vocab`` rebuilt from a matching table, or None (tokenise it)."""
    if tokens is None:
        return [None] * len(texts)
    return [
        t.doc(vocab) if t is not None and t.signature == signature and t.text == text else None
        for text, t in zip(texts, tokens, strict=True)
    ]


class SharedTokens:
    """The token tables of one batch, by text: filled by the identifier stage, read by the advice stage
    (its textcat model) when both run in one process. Thread-safe; holds no vocab."""

    def __init__(self) -> None:
        self._tables: dict[str, Tokens] = {}
        self._lock = threading.Lock()

    def put(self, tables: Iterable[Tokens]) -> None:
        """Keep these tables (one per text)."""
        with self._lock:
            for table in tables:
                self._tables[table.text] = table

    def get(self, texts: Sequence[str]) -> list[Tokens | None]:
        """The table of each text, or None when none was kept."""
        with self._lock:
            return [self._tables.get(text) for text in texts]
