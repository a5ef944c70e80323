from __future__ import annotations

from datetime import date

import pytest

from rules.pv109_first_change_high_risk import FirstChangeHighRisk
from tests.rules.support import at, change, context, run, summary

CN, IE, BY = at("CN", 0.8), at("IE"), at("BY", 0.8)


@pytest.mark.parametrize(
    ("rows", "expected", "numbers"),
    [
        (
            [("b2", 1, 5, CN, date(2026, 8, 2)), ("b1", 1, 7, CN, date(2026, 8, 1))],
            [("PV109", "Gateway OnPrem", "Bo Zhang", "high")],
            [
                "Bo Zhang in CN",
                "first changed Gateway OnPrem on 2026-08-01",
                "commit b1",
                "2 changes, 12 lines",
            ],
        ),
        (
            [("b1", 5, 3, BY, date(2026, 9, 1))],
            [("PV109", "Gateway OnPrem", "Olga Minsk", "medium")],
            ["on 2026-09-01", "1 change, 3 lines"],
        ),
    ],
)
def test_flags_first_change(rows, expected, numbers) -> None:  # type: ignore[no-untyped-def]
    changes = [change(sha, who, churn, where, day=day) for sha, who, churn, where, day in rows]
    findings, _ = run(FirstChangeHighRisk, context(changes))
    assert summary(findings) == expected
    for number in numbers:
        assert number in findings[0].message


def test_silent_for_earlier_contributors_and_trusted_people() -> None:
    changes = [change("b1", 1, 5, CN), change("b2", 2, 5, IE)]
    ctx = context(changes, earlier={"Gateway OnPrem": frozenset({1})})
    assert run(FirstChangeHighRisk, ctx) == ([], [])


def test_not_available() -> None:
    _, notes = run(FirstChangeHighRisk, context([], has_locations=False))
    assert [n.rule for n in notes] == ["PV109"]
