"""Strict JSON reading for exports, and typed access that names the JSON path on errors.

Rejected, with the file and the JSON path (`jira.json:$.issues[3].fields.created`):
duplicate keys in one object (which one would win is parser-dependent), `NaN`
and `Infinity` (not JSON), strings over `FIELD_LIMIT`, nesting deeper than
`MAX_DEPTH` (checked before parsing, so the recursive parser never overflows),
and text that is not UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from auditor.errors import InputFormatError
from collectors.files import FIELD_LIMIT, FileBytes, bad_input

MAX_DEPTH = 64


class _Duplicates(dict[str, Any]):
    """An object that had a repeated key; found after parsing to report its path."""

    duplicate: str = ""


class _BadConstant:
    def __init__(self, text: str):
        self.text = text


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            marked = _Duplicates(result)
            marked.duplicate = key
            return marked
        result[key] = value
    return result


# Strings (skipped whole, so brackets inside them do not count) and brackets.
_DEPTH_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _check_depth(text: str, display: str) -> None:
    depth = 0
    for match in _DEPTH_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise bad_input(display, line, f"JSON nested deeper than {MAX_DEPTH} levels")
        elif token in "]}":
            depth -= 1


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _find_bad(value: Any, path: str) -> tuple[str, str, str] | None:
    """(path, field, message) of the first duplicate key, NaN or oversized string."""
    stack: list[tuple[Any, str, str]] = [(value, path, "")]
    while stack:
        node, where, field = stack.pop()
        if isinstance(node, _Duplicates):
            return (
                join(where, node.duplicate),
                node.duplicate,
                f"duplicate key {node.duplicate!r} in one object",
            )
        if isinstance(node, _BadConstant):
            return where, field, f"{node.text} is not a valid JSON number"
        if isinstance(node, str) and len(node) > FIELD_LIMIT:
            return where, field, f"string is longer than the {FIELD_LIMIT} character limit"
        if isinstance(node, dict):
            stack.extend((v, join(where, k), k) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((v, join(where, i), field) for i, v in reversed(list(enumerate(node))))
    return None


def load_json(file: FileBytes) -> Any:
    data = file.data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise bad_input(
            file.display,
            line,
            f"JSON must be UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
        ) from exc
    _check_depth(text, file.display)
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_BadConstant)
    except json.JSONDecodeError as exc:
        raise bad_input(
            file.display, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"
        ) from exc
    except RecursionError as exc:  # defence in depth; _check_depth should have stopped it
        raise bad_input(file.display, None, "JSON nested too deeply") from exc
    bad = _find_bad(value, "$")
    if bad:
        where, field, message = bad
        raise bad_input(file.display, where, message, field or None)
    return value


class Node:
    """A JSON value and its path, with accessors that raise `InputFormatError` on the wrong type."""

    __slots__ = ("display", "path", "value")

    def __init__(self, display: str, value: Any, path: str = "$"):
        self.display = display
        self.value = value
        self.path = path

    def error(self, message: str, key: str | int | None = None) -> InputFormatError:
        where = self.path if key is None else join(self.path, key)
        field = key if isinstance(key, str) else None
        if field is None and key is None:
            tail = self.path.rsplit(".", 1)[-1]
            field = tail if tail.isidentifier() else None
        return bad_input(self.display, where, message, field)

    def child(self, key: str | int) -> Node:
        if isinstance(key, int):
            return Node(self.display, self.value[key], join(self.path, key))
        return Node(
            self.display,
            self.value.get(key) if isinstance(self.value, dict) else None,
            join(self.path, key),
        )

    def is_object(self) -> bool:
        return isinstance(self.value, dict)

    def obj(self, key: str, *, required: bool = False) -> Node | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(f"expected an object, got {_kind(value)}", key)
        return self.child(key)

    def items(self, key: str | None = None) -> Iterator[Node]:
        """The elements of the array at `key` (or of this node); absent/null is empty."""
        node = self if key is None else self.child(key)
        if node.value is None:
            return iter(())
        if not isinstance(node.value, list):
            raise node.error(f"expected an array, got {_kind(node.value)}")
        return (node.child(i) for i in range(len(node.value)))

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(f"expected a string, got {_kind(value)}", key)
        if required and not value.strip():
            raise self.error("must not be empty", key)
        return value

    def integer(self, key: str, *, required: bool = False) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"expected an integer, got {_kind(value)}", key)
        return value

    def _get(self, key: str, required: bool) -> Any:
        if not isinstance(self.value, dict):
            raise self.error(f"expected an object, got {_kind(self.value)}")
        value = self.value.get(key)
        if value is None and required:
            raise self.error(f"required key {key!r} is missing", key)
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
