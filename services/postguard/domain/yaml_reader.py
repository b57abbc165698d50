"""Reading a composed YAML node tree with an error that names the file and line of every problem.

Policies and rule-data files are parsed into nodes first (``yaml.compose``) so a mistake can be
reported as ``policies/x.yaml:12: unknown action 'blokc' ...`` rather than as a bare value error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (~17× faster on the rule files), else pure Python."""


class YamlReader:
    """Typed accessors over YAML nodes; each raises ``error_type("<source>:<line>: <reason>")``."""

    def __init__(self, source: str, error_type: type[Exception] = ValueError) -> None:
        self.source = source
        self.error_type = error_type

    def compose(self, text: str) -> yaml.Node | None:
        """The node tree of ``text`` (None for an empty document); a syntax error names its line."""
        try:
            return yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            raise self.error_type(f"{self.source}:{line}: not valid YAML ({exc.problem})") from None

    def error(self, node: yaml.Node | None, message: str) -> Exception:
        """An error pointing at ``node`` 's line."""
        line = node.start_mark.line + 1 if node is not None else 1
        return self.error_type(f"{self.source}:{line}: {message}")

    def mapping(self, node: yaml.Node, what: str, allowed: set[str] | None = None) -> dict[str, yaml.Node]:
        """A mapping's value nodes by key; duplicate and (with ``allowed``) unknown keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise self.error(key_node, f"{what} keys must be strings")
            if key in out:
                raise self.error(key_node, f"duplicate key {key!r} in {what}")
            if allowed is not None and key not in allowed:
                raise self.error(
                    key_node, f"unknown key {key!r} in {what} (expected one of {sorted(allowed)})"
                )
            out[key] = value_node
        return out

    def scalar(self, node: yaml.Node, what: str) -> Any:
        """A single value."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} must be a single value")
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)

    def plain(self, node: yaml.Node) -> Any:
        """Any node as plain Python data (lists, dicts, scalars)."""
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)

    def string(self, node: yaml.Node, what: str, *, allow_empty: bool = False) -> str:
        """A string (non-empty unless ``allow_empty``)."""
        value = self.scalar(node, what)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            hint = " (quote it)" if isinstance(value, int | float) else ""
            raise self.error(node, f"{what} must be a non-empty string, got {value!r}{hint}")
        return value

    def number(self, node: yaml.Node, what: str, low: float, high: float) -> float:
        """A number in ``[low, high]``."""
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.error(node, f"{what} must be a number between {low:g} and {high:g}, got {value!r}")
        return float(value)

    def boolean(self, node: yaml.Node, what: str) -> bool:
        """true or false."""
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            raise self.error(node, f"{what} must be true or false, got {value!r}")
        return value

    def strings(
        self, node: yaml.Node, what: str, check: Callable[[yaml.Node, str], None] | None = None
    ) -> list[str]:
        """A list of non-empty strings, each passed to ``check`` (which may raise) when given."""
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list")
        out = []
        for item in node.value:
            value = self.string(item, f"an item of {what}")
            if check:
                check(item, value)
            out.append(value)
        return out
