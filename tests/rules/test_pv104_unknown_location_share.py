from __future__ import annotations

import pytest

from rules.pv104_unknown_location_share import UnknownLocationShare
from tests.rules.support import at, change, context, run, summary

NOTHING = at(None, 0.0)
PLUS0 = at(None, 0.1, {"GB", "IE", "PT"})
IE = at("IE")


@pytest.mark.parametrize(
    ("rows", "sensitivity", "expected", "numbers"),
    [
        (
            [("a1", 4, 30, NOTHING), ("a2", 2, 70, IE)],
            "high",
            [("PV104", "Gateway OnPrem", "unknown locations", "medium")],
            ["30%", "30 of 100 lines", "1 person without", "Sam Unknown"],
        ),
        (
            # Candidates all trusted (+0000: GB/IE/PT) are not unknown; people by lines.
            [("a1", 2, 20, PLUS0), ("a2", 3, 10, NOTHING), ("a3", 4, 30, NOTHING)],
            "critical",
            [("PV104", "Gateway OnPrem", "unknown locations", "high")],
            ["67%", "40 of 60 lines", "2 people", "Sam Unknown: 30 lines (50%), Ivan Petrov"],
        ),
    ],
)
def test_flags_unknown_share(rows, sensitivity, expected, numbers) -> None:  # type: ignore[no-untyped-def]
    findings, _ = run(
        UnknownLocationShare, context([change(*r) for r in rows], sensitivity=sensitivity)
    )
    assert summary(findings) == expected
    for number in numbers:
        assert number in findings[0].message


@pytest.mark.parametrize(
    ("rows", "overrides"),
    [
        ([("a1", 4, 29, NOTHING), ("a2", 2, 71, IE)], {}),
        ([("a1", 4, 50, NOTHING), ("a2", 2, 50, IE)], {"unknown_share": 0.6}),
        ([("a1", 4, 5, NOTHING)], {"min_churn": 10}),  # too little activity to judge
        # A US-only candidate set (US Pacific zones) is "trusted, country unresolved".
        ([("a1", 4, 90, at(None, 0.3, {"US", "CA", "MX"})), ("a2", 2, 10, IE)], {}),
        # Candidates spanning tiers are ambiguous (PV103's), not unknown.
        ([("a1", 4, 90, at(None, 0.3, {"CN", "SG", "MY"})), ("a2", 2, 10, IE)], {}),
    ],
)
def test_silent(rows, overrides) -> None:  # type: ignore[no-untyped-def]
    assert run(UnknownLocationShare, context([change(*r) for r in rows], **overrides)) == ([], [])
