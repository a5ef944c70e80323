from __future__ import annotations

import pytest

from rules.pv102_top_maintainer_high_risk import TopMaintainerHighRisk
from tests.rules.support import at, change, context, run, summary

CN, IE, RU = at("CN", 0.95), at("IE"), at("RU", 0.5)


@pytest.mark.parametrize(
    ("rows", "expected", "numbers", "confidence"),
    [
        (
            [("a1", 1, 30, CN), ("a2", 1, 30, CN), ("a3", 2, 40, IE)],
            [("PV102", "Gateway OnPrem", "Bo Zhang", "critical")],
            ["Bo Zhang in CN", "60 of 100 lines", "60%", "2 commits"],
            "high",
        ),
        (
            [("a1", 3, 51, RU), ("a3", 2, 49, IE)],
            [("PV102", "Gateway OnPrem", "Ivan Petrov", "critical")],
            ["Ivan Petrov in RU", "51 of 100 lines"],
            "medium",
        ),
    ],
)
def test_flags_top_maintainer(rows, expected, numbers, confidence) -> None:  # type: ignore[no-untyped-def]
    findings, _ = run(TopMaintainerHighRisk, context([change(*r) for r in rows]))
    assert summary(findings) == expected
    assert findings[0].confidence == confidence
    for number in numbers:
        assert number in findings[0].message


@pytest.mark.parametrize(
    "rows",
    [
        [("a1", 1, 49, CN), ("a2", 2, 51, IE)],  # the top maintainer is trusted
        [("a1", 1, 50, CN), ("a2", 2, 50, IE)],  # tie: the earlier name (Alice) wins
        [("a1", 4, 90, at(None, 0.2, {"CN", "SG"}))],  # ambiguous: lower bound only
    ],
)
def test_silent(rows) -> None:  # type: ignore[no-untyped-def]
    assert run(TopMaintainerHighRisk, context([change(*r) for r in rows])) == ([], [])


def test_not_available() -> None:
    _, notes = run(TopMaintainerHighRisk, context([change("a", 1, 5, CN)], has_locations=False))
    assert [n.rule for n in notes] == ["PV102"]
