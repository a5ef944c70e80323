"""Check an export: readable JSON, the recorded integrity hash, the signature, the schema.

`load_document` raises `ExportError` for input that cannot be read as a JSON
object (the CLI exits 2); `verify_document` returns the reasons a readable
document does not verify (the CLI exits 1), empty when it does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator, FormatChecker

from auditor.audit_export.canonical import body_sha256
from auditor.kernel.errors import ExportError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# every version stays readable
SCHEMAS = {1: "export-v1.schema.json", 2: "export-v2.schema.json", 3: "export-v3.schema.json"}
MAX_BYTES = 512 * 1024 * 1024  # an export is large, but not this large


@cache
def schema(version: int = max(SCHEMAS)) -> dict[str, Any]:
    text = resources.files("auditor").joinpath("schemas", SCHEMAS[version]).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _reject_constant(value: str) -> float:
    raise ValueError(f"{value} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def parse_document(data: bytes, origin: str = "<export>") -> dict[str, Any]:
    """Strict JSON: UTF-8, no NaN/Infinity, no duplicate keys (they could hide a second value)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportError(f"not UTF-8 (byte {exc.start})", location=origin) from exc
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise ExportError(f"not JSON: {exc.msg}", location=f"{origin}:{exc.lineno}") from exc
    except (ValueError, RecursionError) as exc:
        raise ExportError(f"not an export: {exc}", location=origin) from exc
    if not isinstance(value, dict):
        raise ExportError("not an export: the top level is not a JSON object", location=origin)
    return value


def load_document(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ExportError(f"cannot read: {exc.strerror}", location=str(path)) from exc
    if len(data) > MAX_BYTES:
        raise ExportError(f"larger than {MAX_BYTES} bytes", location=str(path))
    return parse_document(data, str(path))


def verify_document(document: Mapping[str, Any], key: Ed25519PublicKey | None = None) -> list[str]:
    """Why `document` does not verify: integrity, the signature (with `key`), the schema.

    Formats are asserted (a `date` must be a real day), not only annotated as
    draft 2020-12 does by default.
    """
    from auditor.audit_export.signing import signature_problems

    problems = []
    recorded = document.get("integrity", {})
    recorded_sha = recorded.get("sha256") if isinstance(recorded, Mapping) else None
    try:
        computed = body_sha256(document)
    except ExportError as exc:
        problems.append(f"the body has no canonical form: {exc}")
        computed = None
    if recorded_sha is None:
        problems.append("no integrity.sha256 recorded")
    elif computed is not None and computed != recorded_sha:
        problems.append(
            f"integrity mismatch: recorded sha256 {recorded_sha}, the body hashes to {computed} "
            "(the file was changed after it was written)"
        )
    problems += signature_problems(document, key)
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version not in SCHEMAS:
        problems.append(f"unknown schema_version {version!r}; this auditor reads {sorted(SCHEMAS)}")
        return problems
    validator = Draft202012Validator(schema(version), format_checker=FormatChecker())
    for error in sorted(
        validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]
    )[:10]:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        message = error.message if len(error.message) <= 300 else error.message[:300] + "…"
        problems.append(f"schema: ${where}: {message}")
    return problems


def verified(path: Path) -> dict[str, Any]:
    """An earlier export to compare against: it must verify, or the comparison means nothing."""
    document = load_document(path)
    problems = verify_document(document)
    if problems:
        raise ExportError(f"does not verify: {problems[0]}", location=str(path))
    return document
