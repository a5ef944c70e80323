from __future__ import annotations

import pytest

from rules.pv103_ambiguous_high_risk_share import AmbiguousHighRiskShare
from tests.rules.support import at, change, context, run, summary

PLUS8 = at(None, 0.3, {"CN", "SG", "MY"})
CN, IE = at("CN"), at("IE")


@pytest.mark.parametrize(
    ("rows", "expected", "numbers"),
    [
        (
            [("a1", 4, 30, PLUS8), ("a2", 2, 70, IE)],
            [("PV103", "Gateway OnPrem", "high-risk jurisdictions", "high")],
            ["between 0% and 30%", "30 of 100 lines", "1 person with", "Sam Unknown", "(CN)"],
        ),
        # firm share below PV101's threshold plus ambiguous share above PV103's
        (
            [("a1", 1, 10, CN), ("a2", 4, 20, PLUS8), ("a3", 2, 70, IE)],
            [("PV103", "Gateway OnPrem", "high-risk jurisdictions", "high")],
            ["between 10% and 30%", "20 of 100 lines"],
        ),
    ],
)
def test_flags_ambiguous(rows, expected, numbers) -> None:  # type: ignore[no-untyped-def]
    findings, _ = run(AmbiguousHighRiskShare, context([change(*r) for r in rows]))
    assert summary(findings) == expected
    assert findings[0].confidence == "low"
    for number in numbers:
        assert number in findings[0].message


@pytest.mark.parametrize(
    "rows",
    [
        [("a1", 4, 20, PLUS8), ("a2", 2, 80, IE)],  # upper bound below threshold
        [("a1", 1, 40, CN), ("a2", 4, 40, PLUS8), ("a3", 2, 20, IE)],  # PV101 already fires
        [("a1", 4, 90, at(None, 0.3, {"SG", "MY"})), ("a2", 2, 10, IE)],  # no risky candidate
    ],
)
def test_silent(rows) -> None:  # type: ignore[no-untyped-def]
    assert run(AmbiguousHighRiskShare, context([change(*r) for r in rows])) == ([], [])


def test_not_available_without_tiers() -> None:
    _, notes = run(AmbiguousHighRiskShare, context([], high=frozenset(), elevated=frozenset()))
    assert [n.rule for n in notes] == ["PV103"]
