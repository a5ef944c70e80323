"""`[policy] fail_on_confidence`: low-confidence findings are reported but do not fail `check`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditor.kernel.config import load_config as load
from auditor.kernel.errors import ConfigError
from auditor.report.formats.interface import build_report
from auditor.report.triage import triage
from rules.interface import Finding


def finding(rule: str, severity: str, confidence: str) -> Finding:
    return Finding(rule, severity, confidence, "Core", f"subject {rule}", "message")


FINDINGS = [
    finding("PV101", "critical", "high"),
    finding("PV110", "high", "medium"),
    finding("PV103", "critical", "low"),
]


@pytest.mark.parametrize(
    ("threshold", "failing"),
    [
        ("high", ["PV101"]),
        ("medium", ["PV101", "PV110"]),
        ("low", ["PV101", "PV110", "PV103"]),
    ],
)
def test_only_confident_enough_findings_fail(threshold: str, failing: list[str]) -> None:
    report = build_report(
        FINDINGS,
        triage(FINDINGS, baseline=set(), waivers=[], as_of=date(2026, 10, 1)),
        as_of=date(2026, 10, 1),
        fail_on="high",
        fail_on_confidence=threshold,
    )
    assert sorted(f.finding.rule for f in report.failing) == sorted(failing)
    assert report.count("new") == 3  # every finding is still reported


def test_the_key_defaults_to_medium_and_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "auditor.toml"
    path.write_text("[policy]\n", encoding="utf-8")
    assert load(path).config.policy.fail_on_confidence == "medium"
    path.write_text('[policy]\nfail_on_confidence = "low"\n', encoding="utf-8")
    assert load(path).config.policy.fail_on_confidence == "low"
    path.write_text('[policy]\nfail_on_confidence = "sure"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fail_on_confidence"):
        load(path)
