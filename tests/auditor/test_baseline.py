from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.kernel.errors import ExportError, InputFormatError
from auditor.report.baseline import load_baseline, write_baseline
from rules.interface import Finding


def test_round_trip_sorted_and_deduplicated(tmp_path: Path) -> None:
    a = Finding("PV101", "high", "high", "OnPrem", "x", "first")
    b = Finding("PV106", "high", "high", "OnPrem", "Bo", "second")
    same_as_a = Finding("PV101", "low", "low", "OnPrem", "x", "numbers moved")
    path = tmp_path / "ci" / "baseline.json"
    assert write_baseline(path, [b, a, same_as_a]) == 2
    data = json.loads(path.read_text("utf-8"))
    assert [e["fingerprint"] for e in data["findings"]] == sorted([a.fingerprint, b.fingerprint])
    assert data["findings"][0]["rule"] in ("PV101", "PV106")
    assert load_baseline(path) == {a.fingerprint, b.fingerprint}
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert load_baseline(tmp_path / "none.json") == set()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", "baseline is not JSON"),
        ('{"fingerprints": []}', "'findings' list"),
        ('{"findings": [{"fingerprint": "abc"}]}', "findings[0].fingerprint"),
    ],
)
def test_bad_baseline_names_file_and_field(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputFormatError) as info:
        load_baseline(path)
    assert expected in str(info.value) and str(path) in str(info.value)


def test_unwritable_path_is_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    path = blocker / "baseline.json"
    finding = Finding("PV101", "high", "high", "OnPrem", "x", "first")
    with pytest.raises(ExportError, match="cannot write") as caught:
        write_baseline(path, [finding])
    assert str(caught.value).startswith(f"{path}: cannot write: ")
    assert list(tmp_path.iterdir()) == [blocker]
