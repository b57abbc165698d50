"""docs/all-in-one.md documents every POSTGUARD_ALLINONE_* setting (and no stale ones), with its default."""

from __future__ import annotations

import re
from pathlib import Path

from postguard.allinone.settings import AllInOneSettings

DOC = Path(__file__).resolve().parents[3] / "docs" / "all-in-one.md"


def test_every_setting_is_documented_and_every_documented_one_exists() -> None:
    read = {f"POSTGUARD_ALLINONE_{name.upper()}" for name in AllInOneSettings.model_fields}
    documented = set(
        re.findall(r"^\| `(POSTGUARD_ALLINONE_[A-Z0-9_]+)` \|", DOC.read_text(), flags=re.MULTILINE)
    )
    assert read - documented == set(), "settings missing from docs/all-in-one.md"
    assert documented - read == set(), "docs/all-in-one.md lists settings the server does not read"


def test_documented_numeric_defaults_are_the_real_ones() -> None:
    rows = dict(
        re.findall(
            r"^\| `POSTGUARD_ALLINONE_([A-Z0-9_]+)` \| `([0-9]+(?:\.[0-9]+)?)` \|", DOC.read_text(), re.M
        )
    )
    assert rows, "no numeric defaults found"
    for name, shown in rows.items():
        default = AllInOneSettings.model_fields[name.lower()].default
        assert float(shown) == float(default), name
