"""Canonical JSON, integrity, strict parsing, periods, pseudonyms: what an auditor relies on."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.audit_export.canonical import (
    body_sha256,
    canonical_bytes,
    canonical_float,
    canonicalize,
    render,
    seal,
)
from auditor.audit_export.period import period_from_options, quarter
from auditor.audit_export.pseudonym import Pseudonymizer, load_key
from auditor.audit_export.summary import md
from auditor.audit_export.verify import parse_document
from auditor.kernel.errors import ExportError, UsageError


def test_canonical_form_is_sorted_compact_utf8() -> None:
    value = {"b": [1, 2.5, None, True], "a": "Zürich \u202e", "c": {"y": 1, "x": date(2026, 9, 30)}}
    assert canonical_bytes(value) == (
        '{"a":"Zürich \u202e","b":[1,2.5,null,true],"c":{"x":"2026-09-30","y":1}}'.encode()
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1234564, 0.123456), (2 / 3, 0.666667), (1.0, 1), (-0.0, 0), (-1e-9, 0), (1e-6, 1e-6)],
)
def test_canonical_floats(value: float, expected: float) -> None:
    result = canonical_float(value)
    assert result == expected and type(result) is type(expected)
    assert not str(result).startswith("-0")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(value: float) -> None:
    with pytest.raises(ExportError, match="finite"):
        canonical_bytes({"share": value})


def test_unknown_types_and_keys_are_refused() -> None:
    with pytest.raises(ExportError, match=r"\$\.x: set"):
        canonicalize({"x": {1}})
    with pytest.raises(ExportError, match="not a string"):
        canonicalize({1: "a"})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_canonical_form_survives_the_written_file(value: object) -> None:
    """verify recomputes the hash from the parsed pretty file: it must give the same bytes."""
    try:
        first = canonical_bytes(value)
    except ExportError:  # lone surrogates in generated text
        return
    document = seal({"value": value})
    parsed = parse_document(render(document))
    assert canonical_bytes(parsed["value"]) == first
    assert body_sha256(parsed) == document["integrity"]["sha256"]


def test_integrity_is_the_sha256_of_the_canonical_body() -> None:
    document = seal({"schema_version": 1, "findings": [{"share": 0.5}]})
    body = json.dumps(
        {"findings": [{"share": 0.5}], "schema_version": 1}, separators=(",", ":")
    ).encode()
    assert document["integrity"] == {"sha256": hashlib.sha256(body).hexdigest()}


def test_rendered_file_is_pretty_and_ends_with_newline() -> None:
    data = render(seal({"b": 1, "a": "é"}))
    assert data.startswith(b'{\n  "a": "\xc3\xa9",\n  "b": 1,\n')
    assert data.endswith(b"}\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff{}", "not UTF-8"),
        (b'{"a": 1,\n "b": }', ":2: not JSON"),
        (b'{"a": NaN}', "NaN is not JSON"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b"[1, 2]", "top level is not a JSON object"),
        (b"[" * 100000 + b"]" * 100000, "not an export"),
    ],
)
def test_unreadable_exports(data: bytes, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        parse_document(data, "q3.json")


def test_quarters() -> None:
    q3 = quarter("2026-Q3")
    assert (q3.start, q3.end, q3.label) == (date(2026, 7, 1), date(2026, 9, 30), "2026-Q3")
    q4 = quarter("2026q4")
    assert (q4.start, q4.end, q4.days) == (date(2026, 10, 1), date(2026, 12, 31), 92)
    assert quarter("2024-Q1").end == date(2024, 3, 31)
    with pytest.raises(UsageError, match="2026-Q5"):
        quarter("2026-Q5")


def test_explicit_periods() -> None:
    span = period_from_options(None, "2026-02-01", "2026-02-28")
    assert (span.start, span.end) == (date(2026, 2, 1), date(2026, 2, 28))
    with pytest.raises(UsageError, match="--to wants YYYY-MM-DD"):
        period_from_options(None, "2026-02-01", "28.02.2026")
    with pytest.raises(UsageError, match="both --from and --to"):
        period_from_options(None, "2026-02-01", None)


def test_pseudonyms_are_keyed_and_stable() -> None:
    one, same, other = (
        Pseudonymizer(b"k" * 16),
        Pseudonymizer(b"k" * 16),
        Pseudonymizer(b"j" * 16),
    )
    alice = one.person("alice@corp.example")
    assert alice == same.person("alice@corp.example")
    assert alice != other.person("alice@corp.example")
    assert alice != one.person("bob@corp.example")
    assert alice.startswith("P-") and len(alice) == 18
    plain_hash = hashlib.sha256(b"alice@corp.example").hexdigest()
    assert alice[2:] not in plain_hash  # not a plain, dictionary-reversible hash
    assert one.key_id == same.key_id != other.key_id
    assert one.rekeyed_fingerprint("f" * 64) != other.rekeyed_fingerprint("f" * 64)


def test_pseudonym_keys(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="at least 16"):
        Pseudonymizer(b"short")
    key_file = tmp_path / "key"
    key_file.write_bytes(b"  file-key-0123456789\n")
    assert load_key(key_file, environ={}) == b"file-key-0123456789"
    assert load_key(None, environ={"AUDITOR_PSEUDONYM_KEY": "env-key"}) == b"env-key"
    with pytest.raises(UsageError, match="AUDITOR_PSEUDONYM_KEY"):
        load_key(None, environ={})
    (tmp_path / "empty").write_bytes(b"\n")
    with pytest.raises(UsageError, match="empty"):
        load_key(tmp_path / "empty", environ={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "**bold** [x](javascript:alert(1)) <img src=x>",
            r"\*\*bold\*\* \[x\]\(javascript:alert\(1\)\) \<img src=x\>",
        ),
        ("line\nbreak | pipe", r"line break \| pipe"),
        ("\x1b[31mred", r"\\x1b\[31mred"),
        ("`code` ~~s~~ &amp; _e_ # h", r"\`code\` \~\~s\~\~ \&amp; \_e\_ \# h"),
    ],
)
def test_markdown_escaping(text: str, expected: str) -> None:
    assert md(text) == expected
