"""spaCy's rule-based sentencizer with its token loop over integer arrays instead of ``Token`` objects.

``Sentencizer.predict`` walks the doc creating a Python ``Token`` per token to read ``text`` and
``is_punct``; :class:`ArraySentencizer` reads the same two facts with one ``Doc.to_array`` call (the
punctuation characters as string ids) and runs the very same decision loop over plain integers, then
writes the boundaries with spaCy's own ``set_annotations``: the same ``is_sent_start`` on every token.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.attrs import IS_PUNCT, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.strings import StringStore
from spacy.tokens import Doc

FACTORY = "postguard_array_sentencizer"


class ArraySentencizer(Sentencizer):
    """``Sentencizer`` with an array-based ``predict`` (same guesses, no ``Token`` per token)."""

    def __init__(self, strings: StringStore, name: str = FACTORY) -> None:
        super().__init__(name)
        self._punct_ids = frozenset(strings.add(char) for char in self.punct_chars)

    def predict(self, docs: Iterable[Doc]) -> list[list[bool]]:
        """Per doc, whether each token starts a sentence (``Sentencizer.predict``'s rule)."""
        return [self._guesses(doc) for doc in docs]

    def _guesses(self, doc: Doc) -> list[bool]:
        length = len(doc)
        guesses = [False] * length
        if not length:
            return guesses
        table = doc.to_array([ORTH, IS_PUNCT]).tolist()
        punct_ids = self._punct_ids
        start = 0
        seen_period = False
        guesses[0] = True
        for i, (orth, is_punct) in enumerate(table):
            in_punct_chars = orth in punct_ids
            if seen_period and not is_punct and not in_punct_chars:
                guesses[start] = True
                start = i
                seen_period = False
            elif in_punct_chars:
                seen_period = True
        guesses[start] = True
        return guesses


@Language.factory(FACTORY)
def make_array_sentencizer(nlp: Language, name: str) -> ArraySentencizer:
    """The factory ``nlp.add_pipe(FACTORY)`` uses."""
    return ArraySentencizer(nlp.vocab.strings, name)
