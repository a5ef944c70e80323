from __future__ import annotations

import pytest

from rules.pv101_sensitive_high_risk_share import SensitiveHighRiskShare
from tests.rules.support import at, change, context, run, summary

CN, IE, BY = at("CN"), at("IE"), at("BY", 0.6)
AMBIGUOUS = at(None, 0.3, {"CN", "SG", "MY"})


@pytest.mark.parametrize(
    ("rows", "sensitivity", "expected", "numbers"),
    [
        # 40 of 100 lines from CN: over the 25% threshold, critical component -> critical
        (
            [("a1", 1, 40, CN), ("a2", 2, 60, IE)],
            "critical",
            [("PV101", "Gateway OnPrem", "high-risk jurisdictions", "critical")],
            ["40%", "40 of 100 lines", "1 commit)", "(CN)", "threshold 25%"],
        ),
        # exactly at the threshold counts; high sensitivity keeps the default severity
        (
            [("a1", 1, 25, CN), ("a2", 2, 75, IE)],
            "high",
            [("PV101", "Gateway OnPrem", "high-risk jurisdictions", "high")],
            ["25%", "25 of 100 lines"],
        ),
        # elevated tier: one step lower
        (
            [("a1", 5, 50, BY), ("a2", 2, 50, IE)],
            "high",
            [("PV101", "Gateway OnPrem", "elevated-risk jurisdictions", "medium")],
            ["50%", "50 of 100 lines", "(BY)"],
        ),
    ],
)
def test_flags_high_risk_share(rows, sensitivity, expected, numbers) -> None:  # type: ignore[no-untyped-def]
    ctx = context([change(*r) for r in rows], sensitivity=sensitivity)
    findings, notes = run(SensitiveHighRiskShare, ctx)
    assert summary(findings) == expected
    assert notes == []
    for number in numbers:
        assert number in findings[0].message
    assert {e.ref for e in findings[0].evidence} <= {r[0] for r in rows}
    assert findings[0].evidence[0].kind == "commit"


@pytest.mark.parametrize(
    ("rows", "sensitivity"),
    [
        ([("a1", 1, 24, CN), ("a2", 2, 76, IE)], "critical"),  # below threshold
        ([("a1", 1, 90, CN), ("a2", 2, 10, IE)], "normal"),  # not a sensitive component
        ([("a1", 4, 90, AMBIGUOUS), ("a2", 2, 10, IE)], "critical"),  # only the upper bound
    ],
)
def test_silent(rows, sensitivity) -> None:  # type: ignore[no-untyped-def]
    findings, notes = run(
        SensitiveHighRiskShare, context([change(*r) for r in rows], sensitivity=sensitivity)
    )
    assert findings == [] and notes == []


def test_changes_outside_window_do_not_count() -> None:
    from datetime import date

    rows = [change("a1", 1, 90, CN, day=date(2025, 1, 1)), change("a2", 2, 10, IE)]
    assert run(SensitiveHighRiskShare, context(rows))[0] == []


def test_not_available_without_locations_or_tiers() -> None:
    rows = [change("a1", 1, 90, CN)]
    _, notes = run(SensitiveHighRiskShare, context(rows, has_locations=False))
    assert [n.rule for n in notes] == ["PV101"]
    _, notes = run(SensitiveHighRiskShare, context(rows, high=frozenset(), elevated=frozenset()))
    assert "no high-risk" in notes[0].reason


def test_threshold_from_policy() -> None:
    rows = [change("a1", 1, 40, CN), change("a2", 2, 60, IE)]
    assert run(SensitiveHighRiskShare, context(rows, high_risk_share=0.5))[0] == []


def test_evidence_lists_every_commit_behind_the_numbers() -> None:
    # The message counts 120 commits; the evidence must name all 120, in sha order.
    rows = [change(f"c{n:03d}", 1, 1, CN) for n in range(120)] + [change("ie", 2, 10, IE)]
    findings, _ = run(SensitiveHighRiskShare, context(list(reversed(rows))))
    assert "120 commits" in findings[0].message
    refs = [e.ref for e in findings[0].evidence]
    assert refs == [f"c{n:03d}" for n in range(120)]
