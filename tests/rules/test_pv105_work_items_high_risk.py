from __future__ import annotations

from datetime import date

import pytest

from rules.interface import Handler, WorkItem
from rules.pv105_work_items_high_risk import WorkItemsHighRisk
from tests.rules.support import IN_WINDOW, at, context, run, summary

CN, IE, BY = at("CN", 0.9), at("IE"), at("BY", 0.5)


def item(
    key: str, person: int, where, *, day: date = IN_WINDOW, component: str = "Gateway OnPrem"
) -> WorkItem:  # type: ignore[no-untyped-def]
    return WorkItem(key, component, day, (Handler(person, "assignee", where),))


@pytest.mark.parametrize(
    ("items", "expected", "numbers"),
    [
        (
            [item("GW-1", 1, CN), item("GW-2", 1, CN), item("GW-3", 2, IE)],
            [("PV105", "Gateway OnPrem", "Bo Zhang", "high")],
            ["2 of 3 work items", "Bo Zhang in CN", "GW-1, GW-2"],
        ),
        (
            [item("GW-1", 5, BY), item("GW-2", 1, CN)],
            [
                ("PV105", "Gateway OnPrem", "Bo Zhang", "high"),
                ("PV105", "Gateway OnPrem", "Olga Minsk", "medium"),
            ],
            ["1 of 2 work items"],
        ),
    ],
)
def test_flags_work_items(items, expected, numbers) -> None:  # type: ignore[no-untyped-def]
    findings, _ = run(WorkItemsHighRisk, context(work_items=items))
    assert summary(findings) == expected
    for number in numbers:
        assert number in findings[0].message
    assert next(e.ref for e in findings[0].evidence if e.kind == "work_item").startswith("GW-")


@pytest.mark.parametrize(
    "items",
    [
        [item("GW-1", 2, IE)],
        [item("GW-1", 1, CN, day=date(2025, 1, 1))],  # outside the window
        [item("DOC-1", 1, CN, component="Docs")],  # not sensitive
        [WorkItem("GW-9", "Gateway OnPrem", IN_WINDOW, (Handler(1, "reporter", CN),))],
    ],
)
def test_silent(items) -> None:  # type: ignore[no-untyped-def]
    assert run(WorkItemsHighRisk, context(work_items=items)) == ([], [])


def test_not_available_without_work_items() -> None:
    findings, notes = run(WorkItemsHighRisk, context(has_work_items=False))
    assert findings == [] and [n.rule for n in notes] == ["PV105"]
    assert "no work items" in notes[0].reason


def test_evidence_lists_every_work_item_and_location_row() -> None:
    from rules.interface import Location

    items = [
        item(f"GW-{n:03d}", 1, Location("CN", frozenset({"CN"}), 0.9, (n,))) for n in range(75)
    ]
    findings, _ = run(WorkItemsHighRisk, context(work_items=list(reversed(items))))
    keys = [e.ref for e in findings[0].evidence if e.kind == "work_item"]
    rows = [e.ref for e in findings[0].evidence if e.kind == "location_evidence"]
    assert keys == [f"GW-{n:03d}" for n in range(75)]
    assert rows == [str(n) for n in range(75)]
    assert "75 of 75 work items" in findings[0].message
