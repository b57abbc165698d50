"""One compiled matcher for every detector: token patterns, lower-case and cased phrases in one pass.

Token patterns go to spaCy's ``Matcher`` with their word-only Python predicates (``IN`` / ``NOT_IN`` /
``REGEX`` / ``LENGTH``) compiled into lexeme flag bits (see :mod:`.flags`): each is evaluated once per
distinct word when the word enters the vocab, and the Matcher tests the bit in C. Phrases go to two
``PhraseMatcher`` s (``LOWER`` and ``ORTH``). Matches are ``(key, start, end)`` with the key's string.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from spacy.attrs import IDS, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from postguard.domain.engine.flags import (
    FIRST_FLAG,
    FLAG_COUNT,
    FLAG_NAMES,
    FlagTable,
    Predicate,
    WordTest,
    as_spacy,
    atom_of,
    lexeme_predicates,
    word_test,
)

TokenPattern = list[dict[str, Any]]
"""A spaCy ``Matcher`` pattern (one dict per token)."""
Match = tuple[str, int, int]
"""``(key, start token, end token)``."""


@dataclass
class MatchSpec:
    """Everything one matcher compiles: token patterns and phrases (lower-case and cased) per key."""

    token_patterns: dict[str, list[TokenPattern]] = field(default_factory=dict)
    phrases: dict[str, list[str]] = field(default_factory=dict)
    cased_phrases: dict[str, list[str]] = field(default_factory=dict)

    def add_patterns(self, key: str, patterns: Iterable[TokenPattern]) -> None:
        """Add token patterns under ``key`` (appended to any already there)."""
        self.token_patterns.setdefault(key, []).extend(patterns)

    def add_phrases(self, key: str, texts: Iterable[str], *, cased: bool = False) -> None:
        """Add phrases under ``key``, matched on ``LOWER`` (or on ``ORTH`` when ``cased``)."""
        (self.cased_phrases if cased else self.phrases).setdefault(key, []).extend(texts)


def compile_pattern(pattern: TokenPattern, flags: FlagTable) -> TokenPattern:
    """``pattern`` with each token's word-only predicates replaced by flag tests where a bit is
    allocated (the others stay spaCy predicates): the same matches."""
    compiled = []
    for spec in pattern:
        predicates = lexeme_predicates(spec)
        if not predicates:
            compiled.append(dict(spec))
            continue
        plain: dict[str, Any] = {attr: value for attr, value in spec.items() if not isinstance(value, dict)}
        left = []
        for predicate in predicates:
            atom, polarity = atom_of(predicate)
            flag = flags.flag_of(atom)
            if flag is None:
                left.append(predicate)
            else:
                plain[FLAG_NAMES[flag]] = polarity
        plain.update(as_spacy(left))
        compiled.append(plain)
    return compiled


def compile_start_checked(pattern: TokenPattern, flags: FlagTable) -> tuple[TokenPattern, list[Predicate]]:
    """``pattern`` compiled, except that first-token word tests with no bit of their own but a union
    bit test the union bit; returns those tests too, to check on the first token of each match (an
    empty list: the pattern is exact as compiled)."""
    compiled = compile_pattern(pattern, flags)
    first = pattern[0]
    predicates = (lexeme_predicates(first) or []) if first.get("OP") is None else []
    checked = [
        p
        for p in predicates
        if atom_of(p)[1] and flags.flag_of(p) is None and flags.union_flag_of(p) is not None
    ]
    if not checked:
        return compiled, []
    head: dict[str, Any] = {attr: value for attr, value in first.items() if not isinstance(value, dict)}
    head.update(as_spacy([p for p in predicates if p not in checked]))
    head = compile_pattern([head], flags)[0]
    for predicate in checked:
        head[FLAG_NAMES[flags.union_flag_of(predicate)]] = True  # type: ignore[index]
    return [head, *compiled[1:]], checked


UNION_FLAGS = 10
"""When a matcher has more word tests than flag bits, this many bits each hold the union of several
first-token tests (see ``allocate_flags``); the other bits stay one test each."""


def allocate_flags(patterns: Mapping[str, list[TokenPattern]]) -> FlagTable:
    """Flag bits for the word tests of ``patterns``: one bit per test while they fit. Past the 45 bits,
    the tests that can start a match come first; those a match's first token must pass (no ``OP``,
    not ``NOT_IN``) and that get no bit of their own share ``UNION_FLAGS`` union bits, dealt
    round-robin, and the engine checks them exactly on each candidate's first token. Without a bit,
    a test stays a spaCy predicate, evaluated in Python at every token it is tried on."""
    flags = FlagTable()
    atoms = _by_priority(patterns)
    if len(atoms) <= FLAG_COUNT:
        for atom in atoms:
            flags.allocate(atom)
        return flags
    checkable = _first_token_tests(patterns)
    can_start = set(_by_priority(patterns, starting_only=True))
    ordered = (
        [a for a in atoms if a in can_start and a not in checkable]
        + [a for a in atoms if a in checkable]
        + [a for a in atoms if a not in can_start]
    )
    for atom in ordered[: FLAG_COUNT - UNION_FLAGS]:
        flags.allocate(atom)
    pooled = [a for a in ordered[FLAG_COUNT - UNION_FLAGS :] if a in checkable]
    for group in range(UNION_FLAGS):
        flags.allocate_union(pooled[group::UNION_FLAGS])
    return flags


def _first_token_tests(patterns: Mapping[str, list[TokenPattern]]) -> set[Predicate]:
    """Positive word tests of a pattern's first token where that token is required (no ``OP``)."""
    found = set()
    for pattern in (p for group in patterns.values() for p in group):
        if pattern and pattern[0].get("OP") is None:
            found.update(p for p in lexeme_predicates(pattern[0]) or () if atom_of(p)[1])
    return found


def _by_priority(
    patterns: Mapping[str, list[TokenPattern]], *, starting_only: bool = False
) -> list[Predicate]:
    """Distinct flag-able word tests, those the Matcher evaluates most first: a spec that can start a
    match is tested on every token, a later one only after a partial match; then by how often used."""
    rank: dict[Predicate, list[int]] = {}
    for pattern in (p for group in patterns.values() for p in group):
        can_start = True
        for spec in pattern:
            for predicate in lexeme_predicates(spec) or ():
                entry = rank.setdefault(atom_of(predicate)[0], [1, 0])
                entry[0] = min(entry[0], 0 if can_start else 1)
                entry[1] -= 1
            optional = spec.get("OP") in ("?", "*") or str(spec.get("OP", "")).startswith("{0")
            can_start = can_start and optional
    if starting_only:
        rank = {key: value for key, value in rank.items() if value[0] == 0}
    return sorted(rank, key=lambda key: (rank[key], repr(key)))


MAX_PHRASES_PER_PATTERN = 2_000
"""A pattern of plain words and word sets expands into at most this many phrases (else it stays)."""


def _choices(spec: dict[str, Any]) -> tuple[str, list[str | None]] | None:
    """``(attribute, words)`` a plain-word token spec accepts (None in words: the token may be absent),
    or None when the spec tests anything else."""
    op = spec.get("OP")
    rest = [attr for attr in spec if attr != "OP"]
    if op not in (None, "?") or len(rest) != 1 or rest[0] not in ("LOWER", "ORTH", "TEXT"):
        return None
    attr = "ORTH" if rest[0] == "TEXT" else rest[0]
    value = spec[rest[0]]
    if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list | tuple):
        words = list(value["IN"])
    elif isinstance(value, str):
        words = [value]
    else:
        return None
    if not all(isinstance(w, str) and w and not any(c.isspace() for c in w) for w in words):
        return None
    if attr == "LOWER":  # a LOWER test never matches a word with capitals: drop those (the same matches)
        words = [w for w in words if w == w.lower()]
    return attr, sorted(set(words)) + ([None] if op == "?" else [])


def expand_to_phrases(pattern: TokenPattern) -> tuple[str, list[tuple[str, ...]]] | None:
    """``(attribute, phrases)`` matching exactly the spans ``pattern`` matches, when it is a sequence
    of plain words / word sets (optionally ``"?"``) on one attribute and expands to few phrases."""
    choices = [_choices(spec) for spec in pattern]
    attrs = {c[0] for c in choices if c is not None}
    if not choices or None in choices or len(attrs) != 1:
        return None
    size = 1
    for choice in choices:
        size *= len(choice[1])  # type: ignore[index]
    if size > MAX_PHRASES_PER_PATTERN:
        return None
    phrases = {
        tuple(w for w in combo if w is not None) for combo in itertools.product(*(c[1] for c in choices))
    }  # type: ignore[index]
    phrases.discard(())
    return attrs.pop(), sorted(phrases)


def _merged_spec(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    """One token spec accepting exactly the words either plain-word spec accepts (same attribute and
    ``OP``, none or ``"?"``), or None when they are not both such specs."""
    choice_a, choice_b = _choices(a), _choices(b)
    if choice_a is None or choice_b is None or choice_a[0] != choice_b[0] or a.get("OP") != b.get("OP"):
        return None
    words = sorted({w for w in (*choice_a[1], *choice_b[1]) if w is not None})
    merged: dict[str, Any] = {choice_a[0]: {"IN": words}}
    if a.get("OP") is not None:
        merged["OP"] = a["OP"]
    return merged


def _merge_pair(a: TokenPattern, b: TokenPattern) -> TokenPattern | None:
    """One pattern matching exactly the spans ``a`` or ``b`` matches, when they differ only in one
    token spec and both specs there are plain word sets (``[w1 X Y]`` + ``[w2 X Y]`` = ``[{w1,w2} X Y]``)."""
    if len(a) != len(b):
        return None
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differ) != 1:
        return None
    merged = _merged_spec(a[differ[0]], b[differ[0]])
    if merged is None:
        return None
    return [*a[: differ[0]], merged, *a[differ[0] + 1 :]]


def merge_patterns(patterns: list[TokenPattern]) -> list[TokenPattern]:
    """Fewer patterns with the same matches (a key's matches are the union of its patterns'): pairs
    that differ only in one plain-word token spec become one. spaCy's ``Matcher`` starts every pattern
    at every token, so its cost grows with the number of patterns."""
    merged = [list(p) for p in patterns]
    changed = True
    while changed:
        changed = False
        for i, j in itertools.combinations(range(len(merged)), 2):
            pair = _merge_pair(merged[i], merged[j])
            if pair is not None:
                merged[i] = pair
                del merged[j]
                changed = True
                break
    return merged


class CompiledPatterns:
    """A ``MatchSpec`` compiled once, for any number of vocabs: word-only patterns as phrases (a
    ``PhraseMatcher`` costs next to nothing per pattern), the others with flag tests (see :mod:`.flags`)."""

    def __init__(self, spec: MatchSpec, *, merge: bool = True) -> None:
        self.spec = spec
        self.word_phrases: dict[str, dict[str, list[tuple[str, ...]]]] = {"LOWER": {}, "ORTH": {}}
        kept: dict[str, list[TokenPattern]] = {}
        for key, patterns in spec.token_patterns.items():
            for pattern in merge_patterns(patterns) if merge else patterns:
                expanded = expand_to_phrases(pattern)
                if expanded is None:
                    kept.setdefault(key, []).append(pattern)
                else:
                    self.word_phrases[expanded[0]].setdefault(key, []).extend(expanded[1])
        self.flags = allocate_flags(kept)
        self.token_patterns: dict[str, list[TokenPattern]] = {}
        self.start_checked: dict[str, tuple[str, TokenPattern, list[Predicate]]] = {}
        """Patterns whose first token tests a union bit, each under a key of its own:
        ``(key, pattern, tests the first token of a match must pass)``."""
        for key, patterns in kept.items():
            for pattern in patterns:
                compiled, checked = compile_start_checked(pattern, self.flags)
                if checked:
                    self.start_checked[f"{key}#start{len(self.start_checked)}"] = (key, compiled, checked)
                else:
                    self.token_patterns.setdefault(key, []).append(compiled)


Gate = tuple[str, frozenset[int]] | None
"""What a match's first token must carry for a pattern to match at all: ``("FLAG", {flag id})``, or
``("LOWER" | "ORTH", {string hashes})`` (one of these words), or None (it can start anywhere)."""
_GATE_NAMES = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH"}
_FLAG_IDS = {name: flag for flag, name in FLAG_NAMES.items()} | {
    name: attr for name, attr in IDS.items() if 0 < attr < FIRST_FLAG and name.startswith(("IS_", "LIKE_"))
}
"""Token attributes that are bits of ``Lexeme.flags`` (``IS_PUNCT``, ``LIKE_URL`` ... and ours)."""


def gate_of(pattern: TokenPattern, strings: StringStore, first_tests: list[Predicate] = ()) -> Gate:
    """The test a compiled pattern's first token must pass (see ``Gate``): a word set among
    ``first_tests`` (the exact tests behind a union bit), else a set flag bit, else an exact word;
    None when the first token may be absent or tests none of these."""
    first = pattern[0] if pattern else {}
    if first.get("OP") not in (None, "+"):
        return None
    for attr, op, arg in first_tests:
        if op == "IN" and attr in _GATE_NAMES:
            return (_GATE_NAMES[attr], frozenset(strings.add(word) for word in arg))  # type: ignore[union-attr]
    for attr, value in sorted(first.items()):
        if attr in _FLAG_IDS and value is True:
            return ("FLAG", frozenset([_FLAG_IDS[attr]]))
    for attr in ("LOWER", "ORTH", "TEXT"):
        value = first.get(attr)
        if isinstance(value, str):
            return (_GATE_NAMES[attr], frozenset([strings.add(value)]))
    return None


GatedPattern = tuple[str, TokenPattern, list[Predicate]]
"""``(key, compiled pattern, exact tests of its first token where a union bit stands for them)``."""


def max_length(pattern: TokenPattern) -> int | None:
    """The most tokens a match of ``pattern`` can span, None when unbounded (``*``, ``+``, ``{n,}``)."""
    total = 0
    for spec in pattern:
        op = str(spec.get("OP", ""))
        if op in ("", "!", "?"):
            total += 1
        elif op.startswith("{") and op.endswith("}") and not op.endswith(",}"):
            total += int(op[1:-1].split(",")[-1])
        else:
            return None
    return total


def _required_tests(pattern: TokenPattern, strings: StringStore) -> list[tuple[str, int | frozenset[int]]]:
    """The tests some token of a doc must pass for ``pattern`` to match anywhere in it: each required
    token spec's (no ``OP`` or ``+``) set lexeme flags and word tests, as ``("FLAG", id)`` or
    ``("LOWER" | "ORTH", string hashes of the words it accepts)``."""
    tests: list[tuple[str, int | frozenset[int]]] = []
    for spec in pattern:
        if spec.get("OP") not in (None, "+"):
            continue
        for attr, value in spec.items():
            if attr in _FLAG_IDS and value is True:
                tests.append(("FLAG", _FLAG_IDS[attr]))
            elif attr in _GATE_NAMES and isinstance(value, str):
                tests.append((_GATE_NAMES[attr], frozenset([strings.add(value)])))
            elif attr in _GATE_NAMES and isinstance(value, dict) and set(value) == {"IN"}:
                tests.append((_GATE_NAMES[attr], frozenset(strings.add(w) for w in value["IN"])))
    return tests


class GatedMatcher:
    """Token patterns in spaCy ``Matcher`` s grouped by first-token gate and by what else a doc must
    contain; a doc runs only the matchers it opens (their gate passes and every token spec they
    require has a token somewhere in it), each over the window from the first token that opens it to
    the last one plus the patterns' longest match. spaCy's ``Matcher`` tries every pattern at every
    token (~70 ns each) and spends ~0.3 us per token per call in Python, so one matcher of 150
    patterns costs ~250 us on a 24-token post however few patterns could match (same matches, see
    ``gate_of`` and ``_required_tests``).

    Each test is one bit: lexeme flags are their own bits, and each word set gets a bit past the 64
    flag bits. A word's mask (its lexeme flags and the bits of the sets holding it) is computed once
    per word, so a doc costs one dict lookup per token."""

    def __init__(self, vocab: Vocab, patterns: Iterable[GatedPattern]) -> None:
        self._sets: dict[tuple[str, frozenset[int]], int] = {}
        self._set_bits: dict[tuple[str, int], int] = {}
        """Per ``(attribute, word)``, the bits of the word sets that hold it."""
        groups: dict[tuple[int, int], tuple[Matcher, list[int | None]]] = {}
        for key, pattern, first_tests in patterns:
            needs = 0
            for kind, value in _required_tests(pattern, vocab.strings):
                needs |= self._bit(kind, value)
            gate = gate_of(pattern, vocab.strings, first_tests)
            gate_bit = 0 if gate is None else self._bit(gate[0], gate[1])
            if (gate_bit, needs) not in groups:
                groups[(gate_bit, needs)] = (Matcher(vocab, validate=False), [0])
            matcher, reach = groups[(gate_bit, needs)]
            matcher.add(key, [pattern])
            longest = max_length(pattern)
            reach[0] = None if longest is None or reach[0] is None else max(reach[0], longest)
        self._groups = [(gate_bit, needs, m, reach[0]) for (gate_bit, needs), (m, reach) in groups.items()]
        self._masks: dict[int, int] = {}
        """Each word's mask by its ``ORTH`` hash (bounded by the vocab, which is reset when full)."""

    def _bit(self, kind: str, value: int | frozenset[int]) -> int:
        """The bit of one test: a lexeme flag's own, or one per word set (allocated on first use)."""
        if kind == "FLAG":
            return 1 << min(value) if isinstance(value, frozenset) else 1 << value
        words = value if isinstance(value, frozenset) else frozenset([value])
        if (kind, words) not in self._sets:
            bit = self._sets[(kind, words)] = 1 << (64 + len(self._sets))
            for word in words:
                self._set_bits[(kind, word)] = self._set_bits.get((kind, word), 0) | bit
        return self._sets[(kind, words)]

    def __len__(self) -> int:
        """How many matchers the patterns were split into."""
        return len(self._groups)

    def _mask(self, vocab: Vocab, orth: int) -> int:
        lexeme = vocab[orth]
        sets = self._set_bits
        mask = lexeme.flags | sets.get(("ORTH", orth), 0) | sets.get(("LOWER", lexeme.lower), 0)
        self._masks[orth] = mask
        return mask

    def open_matchers(self, doc: Doc) -> list[tuple[Matcher, int, int]]:
        """``(matcher, start, end)``: each matcher ``doc`` opens with the token window no match of
        its patterns can leave (the ungated ones: the whole doc)."""
        masks, vocab, marked, present = self._masks, doc.vocab, [], 0
        for i, orth in enumerate(doc.to_array(ORTH).tolist()):
            mask = masks.get(orth)
            if mask is None:
                mask = self._mask(vocab, orth)
            if mask:
                marked.append((i, mask))
                present |= mask
        opened = []
        for gate_bit, needs, matcher, reach in self._groups:
            if needs & ~present or not (gate_bit & present or not gate_bit):
                continue
            if not gate_bit:
                opened.append((matcher, 0, len(doc)))
                continue
            where = [i for i, mask in marked if mask & gate_bit]
            end = len(doc) if reach is None else min(len(doc), where[-1] + reach)
            opened.append((matcher, where[0], end))
        return opened

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """``(key hash, start, end)`` of every match (unordered)."""
        found = []
        for matcher, start, end in self.open_matchers(doc):
            if start == 0 and end == len(doc):
                found += matcher(doc)
            else:
                found += [(key, start + s, start + e) for key, s, e in matcher(doc[start:end])]
        return found


class EngineMatcher:
    """The compiled patterns bound to one pipeline's vocab: one call gives every key's matches."""

    def __init__(self, nlp: Language, compiled: CompiledPatterns) -> None:
        compiled.flags.install(nlp.vocab)
        patterns: list[GatedPattern] = [
            (key, pattern, []) for key, group in compiled.token_patterns.items() for pattern in group
        ]
        self._checks: dict[int, tuple[str, list[WordTest]]] = {}
        for sub_key, (key, pattern, checked) in compiled.start_checked.items():
            patterns.append((sub_key, pattern, checked))
            self._checks[nlp.vocab.strings.add(sub_key)] = (key, [word_test(p) for p in checked])
        self._matcher = GatedMatcher(nlp.vocab, patterns)
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        _add_phrases(nlp, self._lower, compiled.spec.phrases)
        _add_phrases(nlp, self._cased, compiled.spec.cased_phrases)
        for matcher, attr in ((self._lower, "LOWER"), (self._cased, "ORTH")):
            for key, phrases in compiled.word_phrases[attr].items():
                matcher.add(key, [Doc(nlp.vocab, words=list(words)) for words in phrases])

    def __call__(self, doc: Doc) -> list[Match]:
        """Every match of every key in ``doc`` (unordered; a span may repeat under one key)."""
        strings = doc.vocab.strings
        hits = []
        for key, start, end in self._matcher(doc):
            check = self._checks.get(key)
            if check is None:
                hits.append((strings[key], start, end))
            elif all(test(doc[start].text) for test in check[1]):
                hits.append((check[0], start, end))
        for phrases in (self._lower, self._cased):
            hits += [(strings[key], start, end) for key, start, end in phrases(doc)]
        return hits


def _add_phrases(nlp: Language, matcher: PhraseMatcher, phrases: Mapping[str, list[str]]) -> None:
    for key, texts in phrases.items():
        matcher.add(key, list(nlp.tokenizer.pipe(sorted(set(texts)))))
