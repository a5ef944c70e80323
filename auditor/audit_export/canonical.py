"""Canonical JSON: the exact bytes the integrity hash is computed over.

The canonical form of a value is `json.dumps(value, sort_keys=True,
separators=(",", ":"), ensure_ascii=False, allow_nan=False)` encoded as UTF-8,
after `canonicalize` has normalised it:

- floats are rounded to 6 decimals; integral floats become integers (so that
  1.0 and 1 hash alike whichever tool re-serialises the file), -0.0 becomes 0;
  NaN and infinities are refused;
- dates become ISO strings, tuples lists; any other type is refused.

`canonicalize` is idempotent and survives a JSON round trip, so `verify` can
recompute the hash from the parsed (pretty-printed) file.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from auditor.kernel.errors import ExportError

FLOAT_DECIMALS = 6


def canonical_float(value: float) -> float | int:
    if math.isnan(value) or math.isinf(value):
        raise ExportError(f"{value!r} has no JSON form; the export holds finite numbers only")
    rounded = round(value, FLOAT_DECIMALS)
    if rounded == int(rounded) and abs(rounded) < 2**53:
        return int(rounded)  # also turns -0.0 into 0
    return rounded


def canonicalize(value: Any, path: str = "$") -> Any:
    """A copy of `value` made of dicts (str keys), lists, str, int, canonical floats, bool, None."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return canonical_float(value)
    if isinstance(value, datetime):
        raise ExportError(f"{path}: date-times are written as explicit strings, not {value!r}")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ExportError(f"{path}: object key {key!r} is not a string")
            out[key] = canonicalize(item, f"{path}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [canonicalize(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise ExportError(f"{path}: {type(value).__name__} has no canonical JSON form")


def canonical_bytes(value: Any) -> bytes:
    """The canonical serialisation of `value` (canonicalised first)."""
    return _serialise(canonicalize(value))


def _serialise(canonical: Any) -> bytes:
    """The bytes of a value `canonicalize` returned (idempotent, so not applied again)."""
    text = json.dumps(
        canonical,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates from a hostile "\ud800" escape
        raise ExportError(f"text is not valid Unicode: {exc.reason}") from exc


def body_bytes(document: Mapping[str, Any]) -> bytes:
    """The canonical body: the bytes the hash and the signature cover (no `integrity`)."""
    return canonical_bytes({k: v for k, v in document.items() if k != "integrity"})


def body_sha256(document: Mapping[str, Any]) -> str:
    """sha256 hex of the canonical body: the document without its `integrity` member."""
    return hashlib.sha256(body_bytes(document)).hexdigest()


def seal(body: Mapping[str, Any]) -> dict[str, Any]:
    """The document: the canonical body plus `integrity` {sha256}."""
    document = canonicalize({k: v for k, v in body.items() if k != "integrity"})
    # = body_sha256(document): `document` is canonical already, one walk saved
    document["integrity"] = {"sha256": hashlib.sha256(_serialise(document)).hexdigest()}
    return document


def render(document: Mapping[str, Any]) -> bytes:
    """The written file: sorted keys, two-space indent, UTF-8, final newline; deterministic."""
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
