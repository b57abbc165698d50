"""Bounded work per post: linear-time tokenisation and a complexity budget decided before any detector.

spaCy's tokenizer strips prefixes and suffixes off each whitespace-free run one at a time, and every
suffix search scans the whole remaining run: a run of ``n`` characters that is all affixes (``:`` or
``!`` or emoji, nested brackets...) costs ``O(n²)``, and varying one character defeats its cache. A
10,000-character post of emoji took minutes. :func:`guarded_doc` never hands the tokenizer such a run:

* runs of at most ``MAX_RUN_CHARS`` characters, and runs of up to ``MAX_LONG_RUN_CHARS`` that spaCy
  would strip at most ``MAX_AFFIX_STEPS`` affixes from (URLs, hashtags, words), are tokenised exactly
  as before;
* a longer run that spaCy makes into its affixes and one token (a long URL, word or line of dashes)
  gets those tokens, worked out with every regex on a bounded window (``_long_run_split``);
* any other run is cut into ``MAX_LONG_RUN_CHARS`` windows, affix-heavy windows into ``CHUNK_CHARS``
  chunks, each tokenised normally (a run of emoji still gives one token per emoji), so the work per
  character is bounded by constants and the whole text costs ``O(n)``.

The ``Doc`` keeps the exact text, so token and character offsets into the post are unchanged, and a
text without such a run gets exactly the tokenizer's own ``Doc`` (same tokens, same attributes).

:func:`too_complex` is the hard cap: a cheap linear count of characters and token-like units a stage
would have to screen, compared with ``MAX_SCREEN_CHARS`` / ``MAX_SCREEN_UNITS`` before any spaCy work.
A post over budget is reported by the stage as not screenable (``StageResult.ok=False`` with an error
starting ``"too complex: "``), never screened partially and never allowed. Reasons name sizes only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import NORM, ORTH, SPACY
from spacy.tokens import Doc

from postguard.domain.validation import MAX_TEXT_CHARS

MAX_RUN_CHARS = 64
"""Whitespace-free runs up to this long always go to spaCy's tokenizer unchanged (cost ``O(64²)``)."""
MAX_LONG_RUN_CHARS = 256
MAX_AFFIX_STEPS = 8
"""A run of up to ``MAX_LONG_RUN_CHARS`` also goes to the tokenizer unchanged when spaCy would strip at
most ``MAX_AFFIX_STEPS`` affixes from it (ordinary long URLs, hashtags, words): a few scans of at most
256 characters. spaCy's URL pattern alone is quadratic in the run (``x::::…``), so no run is longer."""
CHUNK_CHARS = 32
"""Length of the chunks an over-long run of affixes is cut into (each tokenised normally: its cost is
quadratic in this length, so work per character is bounded by it)."""

MAX_SCREEN_CHARS = 6 * MAX_TEXT_CHARS
"""Most characters one stage screens for one post: text, attachment alt texts and free-text metadata
together (60,000). Valid text is at most 10,000 characters and 20 alt texts add at most 20,000, but 20
attachments may carry 200 free-text tags of 2,000 characters each: 8 million characters."""
MAX_SCREEN_UNITS = 4 * MAX_TEXT_CHARS
"""Most token-like units one stage screens for one post (40,000): word runs, other non-space characters
and whitespace runs spaCy keeps as tokens, an upper estimate of spaCy tokens counted in linear time.
Tokens drive the cost (matchers, models); ordinary prose has one per 4-6 characters, a run of emoji
or punctuation one per character, so this holds the worst post near the cost of 40,000 characters of
hostile text (a few seconds) while any valid post text fits."""

TOO_COMPLEX_PREFIX = "too complex: "
"""Every ``StageResult.error`` for a post over budget starts with exactly this."""

_RUN = re.compile(rf"\S{{{MAX_RUN_CHARS + 1},}}")
_UNIT = re.compile(r"\w+|[^\w\s]|[^\S ]+| {2,}")
Tokenizer = Callable[[str], Doc]


class TooComplexError(ValueError):
    """A post is over the screening budget. The message names sizes, never post text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def error(self) -> str:
        """The ``StageResult.error`` for the post: ``"too complex: <reason>"``."""
        return TOO_COMPLEX_PREFIX + self.reason


# ---------------------------------------------------------------------------------------------------
# the budget


@dataclass(frozen=True, slots=True)
class Load:
    """What screening some texts costs, counted in linear time before any spaCy work."""

    texts: int
    chars: int
    units: int | None
    """Token-like units (>= the tokens spaCy makes), or an upper bound of them: every unit is at least
    one character, so they are only counted when there are more characters than ``MAX_SCREEN_UNITS``
    (no cost for ordinary posts); None when the characters alone are over budget."""


def units_of(text: str) -> int:
    """Token-like units of a text: an upper estimate of its spaCy tokens (each unit is >= 1 character)."""
    return sum(1 for _ in _UNIT.finditer(text))


def load_of(texts: Sequence[str]) -> Load:
    """The load of the texts one stage screens for one post. Characters first (free); units are only
    counted when they could matter, so counting never scans more than ``MAX_SCREEN_CHARS``."""
    chars = sum(len(t) for t in texts)
    if chars > MAX_SCREEN_CHARS:
        return Load(len(texts), chars, None)
    if chars <= MAX_SCREEN_UNITS:
        return Load(len(texts), chars, chars)
    return Load(len(texts), chars, sum(units_of(t) for t in texts))


def over_budget(load: Load) -> str | None:
    """Why ``load`` is over budget (sizes only, never text), or None when it is within."""
    if load.chars > MAX_SCREEN_CHARS or load.units is None:
        return (
            f"{load.chars} characters in {load.texts} text(s) to screen; "
            f"the limit per post is {MAX_SCREEN_CHARS}"
        )
    if load.units > MAX_SCREEN_UNITS:
        return (
            f"{load.units} tokens in {load.chars} characters to screen; "
            f"the limit per post is {MAX_SCREEN_UNITS} tokens"
        )
    return None


def check_budget(loads: Sequence[Load]) -> None:
    """Raise ``TooComplexError`` for the first load over budget (one load per post of a batch)."""
    for index, load in enumerate(loads):
        reason = over_budget(load)
        if reason is not None:
            raise TooComplexError(
                reason if len(loads) == 1 else f"post {index + 1} of {len(loads)}: {reason}"
            )


def stage_texts(stage: str, post: Any) -> list[str]:
    """The texts ``stage`` screens for ``post``: the identifier stage reads attachments too."""
    if stage == "identifier-detection":
        from postguard.domain.identifiers.attachments import attachment_texts

        return [post.text, *(text for _, _, text in attachment_texts(post))]
    return [post.text]


def too_complex(stage: str, post: Any) -> str | None:
    """The ``StageResult.error`` for a post over ``stage``'s budget, or None when it can be screened."""
    reason = over_budget(load_of(stage_texts(stage, post)))
    return None if reason is None else TOO_COMPLEX_PREFIX + reason


# ---------------------------------------------------------------------------------------------------
# linear-time tokenisation


def _affix_steps(tokenizer: Any, run: str, limit: int) -> int:
    """How many prefix / suffix strips spaCy's tokenizer would make on ``run`` (stops past ``limit``).

    Mirrors ``Tokenizer._split_affixes`` without its early exits (special cases, ``token_match``), so
    it is an upper bound; each step costs one scan of what is left of the run.
    """
    prefix_search = getattr(tokenizer, "prefix_search", None)
    suffix_search = getattr(tokenizer, "suffix_search", None)
    steps, rest = 0, run
    while rest and steps <= limit:
        match = prefix_search(rest) if prefix_search is not None else None
        pre = match.end() - match.start() if match is not None else 0
        rest = rest[pre:]
        match = suffix_search(rest) if suffix_search is not None and rest else None
        suf = match.end() - match.start() if match is not None else 0
        if not pre and not suf:
            break
        if suf:
            rest = rest[:-suf]
        steps += 1
    return steps


def hostile_runs(tokenizer: Any, text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the whitespace-free runs the tokenizer would spend super-linear time on."""
    return [
        m.span()
        for m in _RUN.finditer(text)
        if m.end() - m.start() > MAX_LONG_RUN_CHARS
        or _affix_steps(tokenizer, m.group(), MAX_AFFIX_STEPS) > MAX_AFFIX_STEPS
    ]


def _pieces(tokenizer: Any, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Where to cut the run ``text[start:end]``: windows of ``MAX_LONG_RUN_CHARS`` that spaCy would
    strip at most ``MAX_AFFIX_STEPS`` affixes from stay whole (a long URL or word keeps long tokens,
    close to what spaCy made of the whole run), other windows are cut into ``CHUNK_CHARS`` chunks (a run
    of emoji or ':' still gives one token per character, as before)."""
    for window in range(start, end, MAX_LONG_RUN_CHARS):
        window_end = min(window + MAX_LONG_RUN_CHARS, end)
        if _affix_steps(tokenizer, text[window:window_end], MAX_AFFIX_STEPS) <= MAX_AFFIX_STEPS:
            yield window, window_end
            continue
        for chunk in range(window, window_end, CHUNK_CHARS):
            yield chunk, min(chunk + CHUNK_CHARS, window_end)


def _run_docs(tokenizer: Any, text: str, start: int, end: int, stop: int) -> list[Doc]:
    """Docs tiling the over-long run ``text[start:end]`` (and its trailing space, up to ``stop``):
    spaCy's own tokens when :func:`_long_run_split` can work them out in linear time (a long URL, word
    or line of dashes with its affixes), else bounded pieces (see ``_pieces``)."""
    split = _long_run_split(tokenizer, text[start:end])
    if split is not None:
        prefixes, core, suffixes = split
        lo, hi = start + sum(map(len, prefixes)), end - sum(map(len, suffixes))
        head = tokenizer(text[start:lo]) if prefixes else None
        tail = tokenizer(text[hi:stop]) if suffixes else None
        # the affixes alone must tokenise as spaCy split them off the run (no special case joins them)
        if (head is None or [t.text for t in head] == prefixes) and (
            tail is None or [t.text for t in tail] == suffixes
        ):
            body = Doc(tokenizer.vocab, words=[core], spaces=[tail is None and stop > end])
            return [doc for doc in (head, body, tail) if doc is not None]
    return [tokenizer(text[a : stop if b == end else b]) for a, b in _pieces(tokenizer, text, start, end)]


_WINDOW = MAX_RUN_CHARS
_CONTEXT = 8
MAX_URL_COLONS = 8
"""spaCy's URL pattern backtracks once per ':' (user:password@host): with at most this many it is
linear in the run, so a long URL may be matched whole."""


def _long_run_split(tokenizer: Any, run: str) -> tuple[list[str], str, list[str]] | None:
    """spaCy's tokens for a run too long to hand it, in linear time, when they are its prefixes, one
    token and its suffixes (a long URL, word or line of dashes): ``(prefixes, core, suffixes)``.

    Mirrors ``Tokenizer._split_affixes`` and ``_attach_tokens`` (spaCy 3), but every prefix / suffix
    search looks at a ``_WINDOW``-character end of the run (on the whole run one search can be
    quadratic). None when a window might not give spaCy's answer, for more than ``MAX_AFFIX_STEPS``
    affixes, when infixes would split the rest, and for what is not mirrored (special cases,
    ``token_match``).
    """
    prefix_search, suffix_search = tokenizer.prefix_search, tokenizer.suffix_search
    if tokenizer.token_match is not None or prefix_search is None or suffix_search is None:
        return None
    rules = tokenizer.rules or {}
    prefixes: list[str] = []
    suffixes: list[str] = []
    lo, hi, last = 0, len(run), -1
    while lo < hi and hi - lo != last:
        if run[lo:hi] in rules or len(prefixes) + len(suffixes) > MAX_AFFIX_STEPS:
            return None
        last = hi - lo
        window = run[lo : min(hi, lo + _WINDOW)]
        match = prefix_search(window)
        if match is not None and lo + _WINDOW < hi and match.end() > len(window) - _CONTEXT:
            return None  # the prefix may reach past the window or look ahead of it
        pre = match.end() - match.start() if match is not None else 0
        if pre and run[lo + pre : hi] in rules:
            return None
        suf = 0
        if lo + pre < hi:
            w_lo = max(lo + pre, hi - _WINDOW)
            match = suffix_search(run[w_lo:hi])
            if match is not None and w_lo > lo + pre and match.start() < _CONTEXT:
                return None  # the suffix may start before the window or look behind it
            suf = match.end() - match.start() if match is not None else 0
        if suf and run[lo : hi - suf] in rules:
            return None
        if pre and suf and pre + suf <= hi - lo:
            prefixes.append(run[lo : lo + pre])
            suffixes.append(run[hi - suf : hi])
            lo, hi = lo + pre, hi - suf
        elif pre:
            prefixes.append(run[lo : lo + pre])
            lo += pre
        elif suf:
            suffixes.append(run[hi - suf : hi])
            hi -= suf
    core = run[lo:hi]
    if len(core) <= MAX_RUN_CHARS or core in rules:
        return None
    url_match = tokenizer.url_match
    if url_match is not None and core.count(":") > MAX_URL_COLONS:
        return None
    whole = url_match is not None and url_match(core)
    if not whole:  # one token unless an infix (other than at its very start) splits it
        infix_finditer = tokenizer.infix_finditer
        infixes = infix_finditer(core) if infix_finditer is not None else iter(())
        whole = all(m.start() == 0 for m in infixes)
    return (prefixes, core, suffixes[::-1]) if whole else None


def guarded_doc(tokenizer: Tokenizer, text: str) -> Doc:
    """``tokenizer(text)`` in time linear in ``len(text)``: the same ``Doc`` unless the text has a run
    longer than ``MAX_LONG_RUN_CHARS``, or a run of affixes longer than ``MAX_RUN_CHARS``, which is
    tokenised in bounded pieces instead (see ``_pieces``). The text, and so every character offset, is
    unchanged."""
    runs = hostile_runs(tokenizer, text)
    if not runs:
        return tokenizer(text)
    parts: list[Doc] = []
    pos = 0
    for start, end in runs:
        if start > pos:
            parts.append(tokenizer(text[pos:start]))
        # a single space after the run belongs to its last token (as in one tokenizer call)
        stop = end + 1 if text.startswith(" ", end) else end
        parts.extend(_run_docs(tokenizer, text, start, end, stop))
        pos = stop
    if pos < len(text):
        parts.append(tokenizer(text[pos:]))
    return _concatenate(parts, text)


def _concatenate(parts: Sequence[Doc], text: str) -> Doc:
    """One ``Doc`` of ``parts`` (which tile ``text``) with each token's text, whitespace and norm (what
    the tokenizer sets; special cases such as "don't" carry a norm). Arrays, not ``Doc.from_docs``: that
    builds a Python object per token several times over."""
    vocab = parts[0].vocab
    table = numpy.concatenate([part.to_array([ORTH, NORM, SPACY]) for part in parts])
    strings = vocab.strings
    words = [strings[orth] for orth in table[:, 0].tolist()]
    doc = Doc(vocab, words=words, spaces=table[:, 2].astype(bool).tolist())
    doc.from_array([NORM], numpy.ascontiguousarray(table[:, 1]))
    if doc.text != text:  # cannot happen: the parts tile the text; never hand on shifted offsets
        raise ValueError("guarded tokenisation changed the text")
    return doc


def guarded_docs(tokenizer: Tokenizer, texts: Iterable[str]) -> Iterator[Doc]:
    """:func:`guarded_doc` for each text, lazily (to feed ``nlp.pipe``)."""
    for text in texts:
        yield guarded_doc(tokenizer, text)
