"""Hostile post shapes: texts that once made screening quadratic (or worse) in their length.

Shared by ``test_linear_time.py`` and ``benchmarks/bench_adversarial.py``. Every shape is a function
``(length, variant) -> text`` returning exactly ``length`` characters; different ``variant`` s give
different texts of the same shape, so no cache (spaCy's tokenizer caches each whitespace-free run)
can answer a second measurement from the first.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Shape = Callable[[int, int], str]

EMOJI = "\U0001f600"
HEALTH_WORKER = "\U0001f469\u200d\u2695\ufe0f"  # woman health worker: a ZWJ sequence of 4 code points
THUMBS_UP_TONE = "\U0001f44d\U0001f3fd"


def _repeat(unit: str) -> Shape:
    def make(length: int, variant: int) -> str:
        return _vary((unit * (length // len(unit) + 1))[:length], variant)

    return make


def _vary(text: str, variant: int) -> str:
    """``text`` with one character replaced by a variant-specific one (defeats tokenizer caches)."""
    if not text:
        return text
    position = (variant * 7919 + len(text) // 3) % len(text)
    return text[:position] + chr(0x4E00 + variant % 20_000) + text[position + 1 :]


def _brackets(length: int, variant: int) -> str:
    half = length // 2
    return _vary("(" * half + ")" * (length - half), variant)


def _long_url(length: int, variant: int) -> str:
    head = f"https://example.com/{variant}/"
    path = "".join(f"seg{i % 10}/" for i in range(length))
    return (head + path)[:length]


def _mixed(length: int, variant: int) -> str:
    rng = random.Random(variant)
    alphabet = ":!.-/()[]{}<>aZ1#@_'\"?,;*+=%$&|~^" + EMOJI + "\u2764\ufe0f\u200d"
    return "".join(rng.choice(alphabet) for _ in range(length))


def _alternating(length: int, variant: int) -> str:
    """':' runs broken by a different CJK character every 97 characters: every chunk is unique."""
    return "".join(":" if i % 97 else chr(0x4E00 + (i // 97 + variant * 131) % 20_000) for i in range(length))


def _trailing_newlines(length: int, variant: int) -> str:
    """An age the rules check against its sentence (so the sentence splitter runs), then line breaks
    (one a space, at a variant position) to the end."""
    head = "Our 45-year-old patient went home"
    breaks = ["\n"] * (length - len(head))
    breaks[(variant * 7919) % len(breaks)] = " "
    return head + "".join(breaks)


SHAPES: dict[str, Shape] = {
    # repeated punctuation
    "colon": _repeat(":"),
    "bang": _repeat("!"),
    "dot": _repeat("."),
    "dash": _repeat("-"),
    "slash": _repeat("/"),
    # emoji runs (single code points, skin tones, ZWJ sequences)
    "emoji": _repeat(EMOJI),
    "emoji_tone": _repeat(THUMBS_UP_TONE),
    "emoji_zwj": _repeat(HEALTH_WORKER),
    # digits and separators
    "digits_dash": _repeat("1-"),
    "digits_slash": _repeat("1/"),
    "plus_paren": _repeat("+1 ("),
    # nested brackets, long tokens, long URLs, mixed, cache-defeating alternation
    "brackets": _brackets,
    "long_token": _repeat("a"),
    "long_url": _long_url,
    "mixed": _mixed,
    "alternating": _alternating,
    # line breaks (the sentence splitter once backtracked cubically on them)
    "newlines": _trailing_newlines,
    # one endless sentence dense with candidates (rules once compared every pair of them)
    "insults": _repeat("idiot "),
    "phones": _repeat("call 555-555-1234 or +44 20 7946 0958 "),
    "credits": _repeat("Mr Smith thanks to Dr Patel "),
    "cures": _repeat("ibuprofen cures cancer and anxiety "),
    "care": _repeat("patient John Smith aged 95 in Dayton "),
}
"""Every hostile shape, by name."""
