"""Context of a cue: is it negated, hypothetical, someone else's words, quoted, or condemned?

One component for every rule of both detectors (ConText, Chapman et al. 2007, as medspaCy implements
it), instead of a character window per rule. Triggers, pseudo-triggers, terminators and reaches are
data (``data/context.yaml``). A trigger modifies the tokens after it (forward), before it (backward) or
its whole sentence, up to the sentence end, a terminator word or the category's ``max_tokens``; a
trigger inside a pseudo-trigger ("not only") is no trigger. Tokens between double quotation marks are
``quoted``. The analysis runs once per doc (one dictionary lookup per token) and answers per span.

Why not medspaCy or negspacy: both attach to ``doc.ents`` (entity spans made by a pipeline component),
while PostGuard's cues are matcher spans of its own engine; medspaCy also pins its own spaCy pipeline
components and rule files. The algorithm is small; the trigger lists are what matters, and they are
data here.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from spacy.attrs import LOWER, SENT_START
from spacy.tokens import Doc

from postguard.domain.engine.data import PACKAGE
from postguard.domain.rule_data import RuleData, load_package_rule_data

NEGATED = "negated"
HYPOTHETICAL = "hypothetical"
REPORTED = "reported"
QUOTED = "quoted"
CONDEMNED = "condemned"
FORWARD, BACKWARD, SENTENCE = "forward", "backward", "sentence"
_DOUBLE_QUOTES = frozenset({'"', "\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb"})
_TRIGGERS = (  # (phrase list, category, direction, reach number or None: the whole sentence)
    ("negated_forward", NEGATED, FORWARD, "max_tokens_negated"),
    ("negated_backward", NEGATED, BACKWARD, "max_tokens_negated"),
    ("hypothetical_forward", HYPOTHETICAL, FORWARD, "max_tokens_hypothetical"),
    ("reported_forward", REPORTED, FORWARD, "max_tokens_reported"),
    ("reported_backward", REPORTED, BACKWARD, "max_tokens_reported"),
    ("condemned_sentence", CONDEMNED, SENTENCE, None),
)


@dataclass(frozen=True, slots=True)
class Trigger:
    """One trigger phrase as lower-case words, what it means and which way it reaches."""

    words: tuple[str, ...]
    category: str
    direction: str
    reach: int | None


@dataclass(frozen=True, slots=True)
class Modifier:
    """A trigger found in a doc: its token span and the token span ``[start, end)`` it modifies."""

    category: str
    trigger: tuple[int, int]
    scope: tuple[int, int]


class ContextRules:
    """The trigger table, built once from a rule-data file."""

    def __init__(self, data: RuleData) -> None:
        by_first: dict[str, list[Trigger]] = {}
        for list_name, category, direction, reach_name in _TRIGGERS:
            reach = int(data.number(reach_name)) if reach_name else None
            for phrase in data.phrases(list_name):
                trigger = Trigger(tuple(phrase.lower().split()), category, direction, reach)
                by_first.setdefault(trigger.words[0], []).append(trigger)
        for triggers in by_first.values():
            triggers.sort(key=lambda t: -len(t.words))  # longest first: "not ok" before "not"
        self.by_first = by_first
        self.pseudo = {tuple(p.lower().split()) for p in data.phrases("pseudo")}
        self.pseudo_first = {p[0] for p in self.pseudo}
        self.terminators = data.words("terminators")
        self.condemn_previous = int(data.number("condemn_previous_max_tokens"))

    def analyze(self, words: Sequence[str], sentences: Sequence[tuple[int, int]]) -> DocContext:
        """The modifiers of a doc given its lower-case token ``words`` and sentence token spans."""
        modifiers: list[Modifier] = []
        for k, (lo, hi) in enumerate(sentences):
            found = self._sentence_modifiers(words, lo, hi)
            modifiers += found
            if k and hi - lo <= self.condemn_previous and any(m.category == CONDEMNED for m in found):
                # "... called our nurse a pig. Unacceptable.": a short verdict covers the sentence before
                trigger = next(m.trigger for m in found if m.category == CONDEMNED)
                modifiers.append(Modifier(CONDEMNED, trigger, sentences[k - 1]))
        return DocContext(modifiers, _quoted_spans(words, sentences), sentences)

    def _sentence_modifiers(self, words: Sequence[str], lo: int, hi: int) -> list[Modifier]:
        found: list[tuple[int, Trigger]] = []
        i = lo
        while i < hi:
            pseudo = self._pseudo_at(words, i, hi)
            if pseudo:
                i += pseudo
                continue
            trigger = self._trigger_at(words, i, hi)
            if trigger is None:
                i += 1
                continue
            found.append((i, trigger))
            i += len(trigger.words)
        return [self._modifier(words, lo, hi, at, t) for at, t in found]

    def _pseudo_at(self, words: Sequence[str], i: int, hi: int) -> int:
        if words[i] not in self.pseudo_first:
            return 0
        return next(
            (len(p) for p in self.pseudo if tuple(words[i : i + len(p)]) == p and i + len(p) <= hi), 0
        )

    def _trigger_at(self, words: Sequence[str], i: int, hi: int) -> Trigger | None:
        for trigger in self.by_first.get(words[i], ()):
            n = len(trigger.words)
            if i + n <= hi and tuple(words[i : i + n]) == trigger.words:
                return trigger
        return None

    def _modifier(self, words: Sequence[str], lo: int, hi: int, at: int, trigger: Trigger) -> Modifier:
        end_of_trigger = at + len(trigger.words)
        if trigger.direction == SENTENCE:
            return Modifier(trigger.category, (at, end_of_trigger), (lo, hi))
        if trigger.direction == FORWARD:
            limit = hi if trigger.reach is None else min(hi, end_of_trigger + trigger.reach)
            stop = next((j for j in range(end_of_trigger, limit) if words[j] in self.terminators), limit)
            return Modifier(trigger.category, (at, end_of_trigger), (end_of_trigger, stop))
        limit = lo if trigger.reach is None else max(lo, at - trigger.reach)
        start = next((j + 1 for j in range(at - 1, limit - 1, -1) if words[j] in self.terminators), limit)
        return Modifier(trigger.category, (at, end_of_trigger), (start, at))


def _quoted_spans(words: Sequence[str], sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token spans between a pair of double quotation marks in one sentence (an unclosed one: none)."""
    spans = []
    for lo, hi in sentences:
        marks = [i for i in range(lo, hi) if words[i] in _DOUBLE_QUOTES]
        spans += [(marks[k] + 1, marks[k + 1]) for k in range(0, len(marks) - 1, 2)]
    return spans


class DocContext:
    """The modifiers and quoted spans of one doc, answering "what applies to this span?"."""

    def __init__(
        self,
        modifiers: Iterable[Modifier],
        quoted: Iterable[tuple[int, int]],
        sentences: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.modifiers = sorted(modifiers, key=lambda m: m.scope)
        self._scope_starts = [m.scope[0] for m in self.modifiers]
        self.quoted = sorted(quoted)
        self.sentences = list(sentences)
        self._sentence_starts = [lo for lo, _ in self.sentences]

    def categories(self, start: int, end: int) -> frozenset[str]:
        """Categories whose scope covers tokens ``[start, end)`` (a trigger inside the span is the span's
        own word, not its context), plus ``quoted`` when the span lies between quotation marks."""
        out = {
            m.category
            for m in self.modifiers[: bisect.bisect_right(self._scope_starts, start)]
            if m.scope[0] <= start and end <= m.scope[1] and not (start <= m.trigger[0] < end)
        }
        if any(lo <= start and end <= hi for lo, hi in self.quoted):
            out.add(QUOTED)
        return frozenset(out)

    def sentence_categories(self, start: int, end: int) -> frozenset[str]:
        """Like ``categories`` but for the span's whole sentence, whatever the reach: every modifier whose
        scope overlaps that sentence (for rules that judge a sentence, e.g. a slur in a sentence that
        condemns it, or "Lazy, said nobody")."""
        if not self.sentences:
            return self.categories(start, end)
        k = max(0, bisect.bisect_right(self._sentence_starts, start) - 1)
        lo, hi = self.sentences[k]
        return frozenset(
            m.category
            for m in self.modifiers
            if m.scope[0] < hi and lo < m.scope[1] and not (start <= m.trigger[0] < end)
        )

    def is_plain(self, start: int, end: int, ignore: frozenset[str] = frozenset()) -> bool:
        """Whether the span is asserted in the writer's own voice (no category but those in ``ignore``)."""
        return not (self.categories(start, end) - ignore)


@cache
def shipped_rules() -> ContextRules:
    """The triggers of ``data/context.yaml`` (loaded once per process)."""
    return ContextRules(load_package_rule_data(PACKAGE, "context.yaml"))


def doc_context(doc: Doc, rules: ContextRules | None = None) -> DocContext:
    """The context of a spaCy doc (its sentences must be set, e.g. by a sentencizer)."""
    if not len(doc):
        return DocContext((), ())
    strings = doc.vocab.strings
    lowers, starts = doc.to_array([LOWER, SENT_START]).T.tolist()  # no Token object per token
    words = [strings[h] for h in lowers]
    cuts = [i for i, flag in enumerate(starts) if flag == 1 and i] if doc.has_annotation("SENT_START") else []
    bounds = [0, *cuts, len(doc)]
    sentences = list(itertools.pairwise(bounds))
    return (rules or shipped_rules()).analyze(words, sentences)
