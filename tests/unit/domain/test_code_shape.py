"""The shape issue 13 asks of domain/: short functions, and word lists in data files, not in Python."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

DOMAIN = Path(__file__).resolve().parents[3] / "services" / "postguard" / "domain"
MAX_FUNCTION_LINES = 60
MAX_LITERALS = 10


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(DOMAIN.rglob("*.py"))]


def long_functions() -> list[str]:
    """``file:line name (N lines)`` for each function in domain/ longer than the limit."""
    out = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    out.append(f"{path.relative_to(DOMAIN)}:{node.lineno} {node.name} ({length} lines)")
    return out


def literal_lists() -> list[str]:
    """``file:line (N literals)`` per list/tuple/set (or literal->literal dict) of more than 10 constants."""
    out = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if _is_word_block(node):
                count = len(node.args[0].value.split())
                out.append(f"{path.relative_to(DOMAIN)}:{node.lineno} ({count} words in one string)")
                continue
            if isinstance(node, ast.Dict):  # a table of literal -> literal (not a record being built)
                pairs = zip(node.keys, node.values, strict=True)
                constants = sum(isinstance(k, ast.Constant) and isinstance(v, ast.Constant) for k, v in pairs)
            elif isinstance(node, ast.List | ast.Tuple | ast.Set):
                constants = sum(isinstance(item, ast.Constant) for item in node.elts)
            else:
                continue
            if constants > MAX_LITERALS:
                out.append(f"{path.relative_to(DOMAIN)}:{node.lineno} ({constants} literals)")
    return out


def _is_word_block(node: ast.AST) -> bool:
    """``words("a b c ...")`` / ``"a b c".split()`` with more than 10 words: a list written as a string."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        arg = node.args[0]
        return isinstance(arg, ast.Constant) and isinstance(arg.value, str) and len(arg.value.split()) > 10
    return False


def test_no_function_in_domain_is_longer_than_the_limit() -> None:
    assert long_functions() == []


def test_no_list_of_more_than_ten_literals_in_domain_python() -> None:
    assert literal_lists() == []


if __name__ == "__main__":
    for line in long_functions() + literal_lists():
        print(line)
