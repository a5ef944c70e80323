"""Bounded work on hostile export files: each bound refuses with the file named (#13.3)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from auditor.kernel.errors import InputFormatError
from collectors.csv_util import MAX_COLUMNS
from collectors.files import FileBytes
from collectors.github_json import GitHubJsonCollector
from collectors.jira_csv import JiraCsvCollector
from collectors.json_util import MAX_DEPTH, container_limit, load_json


def _file(data: bytes, name: str = "hostile.json") -> FileBytes:
    return FileBytes(name, data, "0" * 64)


def test_unterminated_string_of_escaped_quotes_fails_in_one_pass() -> None:
    # the old depth pre-check retried a whole-string regex at every quote: quadratic,
    # minutes on this file; now the string is scanned once and the parser reports it
    data = b'{"a": "' + b'\\"' * 500_000
    with pytest.raises(
        InputFormatError, match=r"^hostile.json:1: invalid JSON: Unterminated string"
    ):
        load_json(_file(data))


def test_many_empty_arrays_are_refused_before_parsing() -> None:
    data = b"[" + b"[]," * 3_500_000 + b"[]]"  # 10 MB
    tracemalloc.start()
    try:
        with pytest.raises(InputFormatError) as caught:
            load_json(_file(data))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value) == (
        f"hostile.json:1: JSON has more than {container_limit(len(data)):,} arrays and "
        "objects (one per 16 bytes of file at most); not an export"
    )
    assert peak < 4 * len(data)  # the text and the scan, never the parsed lists


def test_a_long_flat_array_is_walked_without_a_path_per_element() -> None:
    data = b"[" + b",".join(b'"x"' for _ in range(300_000)) + b"]"
    tracemalloc.start()
    try:
        value = load_json(_file(data))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(value) == 300_000
    assert peak < 12 * len(data)


def test_nesting_bound_still_holds() -> None:
    data = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    with pytest.raises(InputFormatError, match=f"nested deeper than {MAX_DEPTH} levels"):
        load_json(_file(data))


def test_brackets_inside_strings_do_not_count() -> None:
    assert load_json(_file(b'{"a": "[[[[\\"{{{{"}')) == {"a": '[[[["{{{{'}


def test_csv_header_of_millions_of_empty_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"Issue key,Summary" + b"," * 10_000_000 + b"\r\nSPO-1,x\r\n")
    with pytest.raises(InputFormatError) as caught:
        list(JiraCsvCollector(path, display="wide.csv").collect())
    assert str(caught.value) == (
        f"wide.csv:1: record has 10,000,002 fields, over the {MAX_COLUMNS} limit"
    )


def test_utf16_json_with_bom_is_read(tmp_path: Path) -> None:
    # what `gh pr list --json ... > prs.json` writes in Windows PowerShell 5.1
    path = tmp_path / "prs.json"
    text = '[{"number": 3, "title": "Fix ünïcode", "state": "OPEN", "author": {"login": "ana"}}]'
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    [item] = GitHubJsonCollector(path).collect()
    assert (item.key, item.title) == ("#3", "Fix ünïcode")


def test_utf16_json_without_bom_is_refused_with_the_way_to_convert(tmp_path: Path) -> None:
    path = tmp_path / "prs.json"
    path.write_bytes('[{"number": 3}]'.encode("utf-16-le"))
    with pytest.raises(InputFormatError) as caught:
        list(GitHubJsonCollector(path, display="prs.json").collect())
    assert str(caught.value).startswith(
        "prs.json:1: file is UTF-16 without a byte-order mark; convert it to UTF-8"
    )
