"""docs/export.md's reference verifier gives `auditor verify`'s hash verdict on every value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.audit_export.canonical import body_sha256, render, seal
from auditor.audit_export.verify import parse_document
from tests.auditor.test_export import _documented_snippet

VALUES = [
    1e20,  # integral but beyond 2**53: stays a float in the canonical form
    2.0**53,
    2.0**53 + 2,
    1.5e300,
    -1e22,
    0.1 + 0.2,
    -0.0,
    1e-7,
    123456789.123456789,
    10**30,  # a JSON integer of any size
    0.6666666666,
    3.0,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_reference_snippet_agrees_with_verify(value: float, tmp_path: Path) -> None:
    script = tmp_path / "check.py"
    script.write_text(_documented_snippet(), encoding="utf-8")
    path = tmp_path / "doc.json"
    path.write_bytes(render(seal({"schema_version": 3, "findings": [{"data": {"x": value}}]})))
    document = parse_document(path.read_bytes())
    ours = body_sha256(document) == document["integrity"]["sha256"]
    result = subprocess.run(
        [sys.executable, str(script), str(path)], capture_output=True, text=True, check=True
    )
    assert ours is True
    assert result.stdout.strip() == str(ours)
