"""A tokenizer, its vocab and the compiled matcher bound to it, behind one lock, with a size limit.

spaCy interns every new word a stream shows it, so a long-running service would keep every string it
ever saw: past ``max_size`` (lexemes or strings, see ``size``) the pipeline and matcher are rebuilt on a
fresh vocab (well under a second). Tokenisation goes through ``text_guard.guarded_doc`` (linear time,
same offsets). Callers hold ``lock`` around tokenising and matching: the tokenizer cache, the matchers
and a rebuild are not safe to use from several threads at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from postguard.domain.engine.matcher import CompiledPatterns, EngineMatcher, Match, MatchSpec
from postguard.domain.engine.tokens import Tokens, tokenizer_signature
from postguard.domain.text_guard import guarded_doc

PipelineFactory = Callable[[], Language]


def lexeme_count(nlp: Language) -> int:
    """Lexemes in the pipeline's vocab."""
    return len(nlp.vocab)


def string_count(nlp: Language) -> int:
    """Strings in the pipeline's string store."""
    return len(nlp.vocab.strings)


class TextEngine:
    """One detector's tokenizer, vocab and compiled matcher (patterns compiled once, rebound on reset)."""

    def __init__(
        self,
        make_nlp: PipelineFactory,
        spec: MatchSpec | CompiledPatterns,
        max_size: int,
        size: Callable[[Language], int] = lexeme_count,
    ) -> None:
        self._make_nlp = make_nlp
        self.compiled = spec if isinstance(spec, CompiledPatterns) else CompiledPatterns(spec)
        self.max_size = max_size
        self._size = size
        self.rebuilds = 0
        self.lock = threading.Lock()
        self._build()

    def _build(self) -> None:
        self.nlp = self._make_nlp()
        self.matcher = EngineMatcher(self.nlp, self.compiled)
        self.signature = tokenizer_signature(self.nlp.tokenizer)
        """Which tokenizer made this engine's docs (see ``tokens.tokenizer_signature``)."""

    def tables(self, docs: Sequence[Doc], texts: Sequence[str] | None = None) -> list[Tokens]:
        """The docs' token tables, for a model with the same tokenizer to reuse (hold ``lock``);
        ``texts``: the texts the docs were made of by :meth:`docs` (their ``doc.text``)."""
        if texts is None:
            return [Tokens.of(doc, self.signature) for doc in docs]
        return [Tokens.of(doc, self.signature, text) for doc, text in zip(docs, texts, strict=True)]

    def doc(self, text: str) -> Doc:
        """The text tokenised in linear time (hold ``lock``)."""
        return guarded_doc(self.nlp.tokenizer, text)

    def docs(self, texts: Iterable[str]) -> list[Doc]:
        """:meth:`doc` for each text (hold ``lock``)."""
        tokenizer = self.nlp.tokenizer
        return [guarded_doc(tokenizer, text) for text in texts]

    def match(self, doc: Doc) -> list[Match]:
        """Every key's matches in ``doc`` (hold ``lock``)."""
        return self.matcher(doc)

    def over_limit(self) -> bool:
        """Whether the vocab has grown past ``max_size``."""
        return self._size(self.nlp) > self.max_size

    def reset_if_full(self) -> bool:
        """Rebuild on a fresh vocab when it has grown past ``max_size`` (hold ``lock``); whether it did."""
        if not self.over_limit():
            return False
        self._build()
        self.rebuilds += 1
        return True
