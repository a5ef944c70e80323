"""Strict JSON reading for exports, and typed access that names the JSON path on errors.

Rejected, with the file and the JSON path (`jira.json:$.issues[3].fields.created`):
duplicate keys in one object (which one would win is parser-dependent), `NaN`
and `Infinity` (not JSON), strings over `FIELD_LIMIT`, nesting deeper than
`MAX_DEPTH` or more arrays and objects than `container_limit` allows for the
file's size (both checked in one linear pass before parsing, so the recursive
parser never overflows and memory stays a small multiple of the file), and text
that is neither UTF-8 nor UTF-16 with a byte-order mark.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from auditor.kernel.errors import InputFormatError
from collectors.files import (
    FIELD_LIMIT,
    UTF16_ADVICE,
    FileBytes,
    bad_input,
    decode_utf16,
    looks_utf16,
)

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


# Whole strings (skipped, so brackets inside them do not count), brackets, and a lone quote:
# the start of an unterminated string. Possessive quantifiers never give characters back,
# so a failed string match costs one pass and scanning stops at the lone quote (a plain
# alternation retried at every quote of an unterminated string: quadratic on 1 MB of `\"`).
_STRUCTURE = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{}]|"', re.DOTALL)
# Parsed JSON takes about 60-100 bytes per array or object; exports spend far more than
# 16 bytes of text on each, so this bound keeps memory a small multiple of the file size
# (10 MB of `[[],[],...]` would otherwise be 3.5 million lists, over 1 GB once walked).
BYTES_PER_CONTAINER = 16
MIN_CONTAINERS = 100_000


def container_limit(size: int) -> int:
    return max(MIN_CONTAINERS, size // BYTES_PER_CONTAINER)


def _check_structure(text: str, display: str, limit: int) -> None:
    """Refuse nesting deeper than MAX_DEPTH or more than `limit` arrays/objects, in one pass."""
    depth = containers = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token == '"':
            return  # unterminated string: the parser reports where
        if token == "[" or token == "{":
            depth += 1
            containers += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise bad_input(display, line, f"JSON nested deeper than {MAX_DEPTH} levels")
            if containers > limit:
                line = text.count("\n", 0, match.start()) + 1
                raise bad_input(
                    display,
                    line,
                    f"JSON has more than {limit:,} arrays and objects (one per "
                    f"{BYTES_PER_CONTAINER} bytes of file at most); not an export",
                )
        elif token == "]" or token == "}":
            depth -= 1


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _find_bad(value: Any, path: str) -> tuple[str, str, str] | None:
    """(path, field, message) of the first duplicate key, NaN or oversized string.

    Walks with one iterator per open container (at most MAX_DEPTH deep) and builds a
    path only for containers entered, so memory does not grow with array lengths.
    """
    found = _bad_here(value, path, "")
    if found or not isinstance(value, dict | list):
        return found
    stack: list[tuple[Iterator[tuple[str | int, Any]], str, str]] = [(_children(value), path, "")]
    while stack:
        children, where, field = stack[-1]
        step = next(children, None)
        if step is None:
            stack.pop()
            continue
        key, node = step
        inner_field = key if isinstance(key, str) else field
        if isinstance(node, dict | list):
            inner = join(where, key)
            found = _bad_here(node, inner, inner_field)
            if found:
                return found
            stack.append((_children(node), inner, inner_field))
        elif isinstance(node, _BadConstant) or (isinstance(node, str) and len(node) > FIELD_LIMIT):
            return _bad_here(node, join(where, key), inner_field)
    return None


def _children(node: dict[str, Any] | list[Any]) -> Iterator[tuple[str | int, Any]]:
    return iter(node.items()) if isinstance(node, dict) else enumerate(node)


def _bad_here(node: Any, where: str, field: str) -> tuple[str, str, str] | None:
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
    return None


def load_json(file: FileBytes) -> Any:
    data = file.data
    text = decode_utf16(file)
    if text is None:
        if looks_utf16(data):
            raise bad_input(
                file.display, 1, f"file is UTF-16 without a byte-order mark; {UTF16_ADVICE}"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise bad_input(
                file.display,
                line,
                f"JSON must be UTF-8 or UTF-16 with a byte-order mark "
                f"(byte 0x{data[exc.start]:02x} at offset {exc.start})",
            ) from exc
    _check_structure(text, file.display, container_limit(len(data)))
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_BadConstant)
    except json.JSONDecodeError as exc:
        raise bad_input(
            file.display, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"
        ) from exc
    except RecursionError as exc:  # defence in depth; _check_structure should have stopped it
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
            raise self.error(f"expected an object, got {json_kind(value)}", key)
        return self.child(key)

    def items(self, key: str | None = None) -> Iterator[Node]:
        """The elements of the array at `key` (or of this node); absent/null is empty."""
        node = self if key is None else self.child(key)
        if node.value is None:
            return iter(())
        if not isinstance(node.value, list):
            raise node.error(f"expected an array, got {json_kind(node.value)}")
        return (node.child(i) for i in range(len(node.value)))

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(f"expected a string, got {json_kind(value)}", key)
        if required and not value.strip():
            raise self.error("must not be empty", key)
        return value

    def integer(self, key: str, *, required: bool = False) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"expected an integer, got {json_kind(value)}", key)
        return value

    def _get(self, key: str, required: bool) -> Any:
        if not isinstance(self.value, dict):
            raise self.error(f"expected an object, got {json_kind(self.value)}")
        value = self.value.get(key)
        if value is None and required:
            raise self.error(f"required key {key!r} is missing", key)
        return value


def json_kind(value: Any) -> str:
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
