from __future__ import annotations

import pytest

from rules.pv108_high_risk_share_rise import HighRiskShareRise
from tests.rules.support import BEFORE_WINDOW, at, change, context, run, summary

CN, IE = at("CN"), at("IE")


def rows(before: tuple[int, int], now: tuple[int, int]):  # type: ignore[no-untyped-def]
    """(CN lines, IE lines) in the previous and the current window."""
    return [
        change("p1", 1, before[0], CN, day=BEFORE_WINDOW),
        change("p2", 2, before[1], IE, day=BEFORE_WINDOW),
        change("c1", 1, now[0], CN),
        change("c2", 2, now[1], IE),
    ]


@pytest.mark.parametrize(
    ("before", "now", "numbers"),
    [
        ((10, 90), (30, 70), ["from 10% (10 of 100 lines) to 30% (30 of 100 lines)", "+10%"]),
        ((0, 50), (20, 80), ["from 0%", "to 20% (20 of 100 lines)"]),
    ],
)
def test_flags_rise(before, now, numbers) -> None:  # type: ignore[no-untyped-def]
    findings, _ = run(HighRiskShareRise, context(rows(before, now), sensitivity="high"))
    assert summary(findings) == [("PV108", "Gateway OnPrem", "high-risk jurisdictions", "medium")]
    for number in numbers:
        assert number in findings[0].message
    assert [e.ref for e in findings[0].evidence] == ["c1"]


@pytest.mark.parametrize(
    ("before", "now"),
    [((10, 90), (19, 81)), ((50, 50), (40, 60)), ((0, 10), (0, 10))],
)
def test_silent(before, now) -> None:  # type: ignore[no-untyped-def]
    assert run(HighRiskShareRise, context(rows(before, now))) == ([], [])


def test_not_available_without_previous_window() -> None:
    findings, notes = run(HighRiskShareRise, context([change("c1", 1, 30, CN)]))
    assert findings == []
    assert [(n.rule, n.component) for n in notes] == [("PV108", "Gateway OnPrem")]
    _, notes = run(HighRiskShareRise, context([change("c1", 1, 30, CN)], range_mode=True))
    assert "commit range" in notes[0].reason
