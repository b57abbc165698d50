"""Every regex the identifier recognizers ship, by name, and adversarial texts to run them over.

Shared by ``test_regex_linear.py`` (structural check, no timing) and
``benchmarks/bench_identifier_regexes.py`` (time at n and 4n characters).
"""

from __future__ import annotations

import re
from types import ModuleType

from postguard.domain.identifiers import attachments
from postguard.domain.identifiers.recognizers import (
    RECOGNIZERS,
    age,
    date,
    device,
    email,
    facility,
    health_plan,
    ip_address,
    license,
    location,
    national_id,
    person,
    phone,
    postcode,
    quasi,
    ssn,
    url,
    vehicle,
)
from postguard.domain.identifiers.recognizers import account as account_module

MODULES: tuple[ModuleType, ...] = (
    account_module,
    age,
    attachments,
    date,
    device,
    email,
    facility,
    health_plan,
    ip_address,
    license,
    location,
    national_id,
    person,
    phone,
    postcode,
    quasi,
    ssn,
    url,
    vehicle,
)

WINDOWED = frozenset(
    {
        "age._POPULATION_BEFORE",
        "age._POPULATION_AFTER",
        "date._ANCHOR",
        "date._EVENT",
        "date._FRACTION_UNIT",
        "date._SCORE_BEFORE",
        "date._SCORE_AFTER",
        "device._IMEI_CUE",
        "ip_address._VERSION",
        "license._NPI_CUE",
        "location._RESIDENCE",
        "phone._PHONE_CUE",
        "phone._STRONG_CUE",
        "phone._FAX_CUE",
        "phone._CUE_AFTER",
        "phone._OTHER_SHAPE",
        "ssn._CUE",
        "phone._EXTENSION_START",
        "attachments._NOT_DATE_AFTER",
        "attachments._HEX_TAG",
        "attachments._NOT_DATE_BEFORE",
        "email._ROLE_MAILBOX",
    }
)
"""Regexes only ever run on a bounded slice of the post (``analysis.before(start, 40)`` and the like), on
one short candidate value, or anchored (``match``) once after a candidate: their worst case is bounded by
the slice, whatever the post's length."""


def shipped_regexes() -> dict[str, re.Pattern[str]]:
    """``module._NAME`` (or ``module._PATTERNS[kind]``, ``Recognizer._regex``) -> compiled regex."""
    found: dict[str, re.Pattern[str]] = {}
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1].removesuffix("_module")
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found[f"{short}.{name}"] = value
            elif name == "_PATTERNS":
                found.update({f"{short}._PATTERNS[{kind}]": pattern for kind, pattern in value})
    for name, cls in RECOGNIZERS.items():
        recognizer = cls()
        for attr in ("_regex", "_exclude"):
            if isinstance(getattr(recognizer, attr, None), re.Pattern):
                found[f"{name}.{attr}"] = getattr(recognizer, attr)
    return found


def anchored(name: str) -> bool:
    """Is ``name`` run only on a bounded slice or anchored at one position (see ``WINDOWED``)?"""
    return name in WINDOWED or name.endswith("._exclude")


def adversarial_texts(pattern: re.Pattern[str], size: int) -> dict[str, str]:
    """Texts of about ``size`` characters built to make a backtracking regex work hard: runs of the
    pattern's own literal characters and words, digits with separators, spaces, and the cue words of
    the pattern followed by glue, each ending in a character that makes the match fail."""
    unescaped = re.sub(r"\\.", " ", pattern.pattern)  # "\\bmrn" is the word "mrn", not "bmrn"
    words = sorted(set(re.findall(r"[A-Za-z]{2,}", unescaped)))[:40]
    literals = sorted({c for c in pattern.pattern if not c.isalnum() and c not in "\\()[]{}?*+|^$"})
    units = ["a", "1", " ", "a%", "1-", "1.", "1 ", "1/", "a.", "a-", "a ", "A ", "Aa ", "a@", "1:", "#1"]
    units += [c for c in literals] + [c + "1" for c in literals] + [c + "a" for c in literals]
    units += (
        [w + " " for w in words]
        + [w + "." for w in words]
        + [w + c for w in words[:10] for c in literals[:4]]
    )
    texts = {}
    for unit in units:
        body = unit * (size // max(len(unit), 1))
        texts[repr(unit)] = body + "!"
    for cue in words[:12]:  # a cue, then glue that a backtracking regex can split in many ways
        for unit in ("no.", "#is", "is ", ": ", "- ", "1 ", "a ", " ", cue + " "):
            texts[repr(cue + " " + unit)] = cue + " " + unit * (size // len(unit)) + "!"
    return texts
