from __future__ import annotations

import hashlib

from auditor.kernel.findings import at_or_above, finding_fingerprint, sort_key
from rules.interface import Component, Finding, severity_for


def test_fingerprint_depends_on_rule_component_subject_only() -> None:
    a = Finding("PV101", "high", "high", "OnPrem", "high-risk jurisdictions", "40% of churn")
    b = Finding("PV101", "critical", "low", "OnPrem", "high-risk jurisdictions", "55% of churn")
    assert a.fingerprint == b.fingerprint
    assert (
        a.fingerprint == hashlib.sha256(b"PV101\x1fOnPrem\x1fhigh-risk jurisdictions").hexdigest()
    )
    assert finding_fingerprint("PV101", "OnPrem", "x") != finding_fingerprint(
        "PV101", "OnPre", "mx"
    )
    assert finding_fingerprint("PV107", None, "Bo") == finding_fingerprint("PV107", "", "Bo")


def test_order_most_severe_first() -> None:
    rows = [
        Finding("PV104", "medium", "high", "B", "s", "m"),
        Finding("PV101", "critical", "high", "B", "s", "m"),
        Finding("PV101", "medium", "high", "A", "s", "m"),
    ]
    assert [(f.rule, f.component) for f in sorted(rows, key=sort_key)] == [
        ("PV101", "B"),
        ("PV101", "A"),
        ("PV104", "B"),
    ]
    assert at_or_above("critical", "high") and not at_or_above("medium", "high")


def test_severity_matrix() -> None:
    critical, high, normal = (Component("c", s) for s in ("critical", "high", "normal"))
    assert severity_for("high", critical, "high") == "critical"
    assert severity_for("high", high, "high") == "high"
    assert severity_for("high", high, "elevated") == "medium"
    assert severity_for("high", normal, "elevated") == "low"
    assert severity_for("critical", critical, "high") == "critical"  # clamped
    assert severity_for("medium", None, None) == "medium"
