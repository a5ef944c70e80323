"""Build `RuleContext`s from compact rows, for table-driven rule tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from rules.interface import (
    Change,
    Component,
    Conflict,
    Finding,
    Handler,
    Location,
    Person,
    Policy,
    Reviewer,
    Rule,
    RuleContext,
    Unavailable,
    WorkItem,
)

AS_OF = date(2026, 10, 1)
IN_WINDOW = date(2026, 8, 1)
BEFORE_WINDOW = date(2026, 2, 1)  # inside the previous window


def policy(**overrides: Any) -> Policy:
    end = AS_OF
    start = end - timedelta(days=179)
    values: dict[str, Any] = {
        "window_start": start,
        "window_end": end,
        "previous_start": start - timedelta(days=180),
        "previous_end": start - timedelta(days=1),
        "high": frozenset({"CN", "RU"}),
        "elevated": frozenset({"BY"}),
    }
    values.update(overrides)
    return Policy(**values)


def at(country: str | None, confidence: float = 0.9, candidates: Iterable[str] = ()) -> Location:
    cands = frozenset(candidates) or (frozenset({country}) if country else frozenset())
    return Location(country, cands, confidence, (7,) if country else ())


PEOPLE = {
    1: "Bo Zhang",  # CN
    2: "Alice Dunne",  # IE
    3: "Ivan Petrov",  # RU
    4: "Sam Unknown",
    5: "Olga Minsk",  # BY
}


def change(
    sha: str,
    author: int,
    churn: int,
    where: Location,
    *,
    component: str = "Gateway OnPrem",
    day: date = IN_WINDOW,
    reviewers: Sequence[Reviewer] = (),
) -> Change:
    return Change(
        sha=sha,
        day=day,
        author=author,
        component=component,
        churn=churn,
        author_location=where,
        reviewers=tuple(reviewers),
        committer=author,
    )


def context(
    changes: Sequence[Change] = (),
    *,
    work_items: Sequence[WorkItem] = (),
    sensitivity: str = "critical",
    conflicts: dict[int, Sequence[Conflict]] | None = None,
    earlier: dict[str, frozenset[int]] | None = None,
    has_locations: bool = True,
    has_work_items: bool = True,
    range_mode: bool = False,
    **policy_overrides: Any,
) -> RuleContext:
    components = {
        "Gateway OnPrem": Component("Gateway OnPrem", sensitivity, ("on-prem",), "gw:src/onprem"),
        "Docs": Component("Docs", "low", (), "gw:docs"),
    }
    people = {
        pid: Person(
            pid,
            name,
            name.lower().replace(" ", "."),
            False,
            (),
            tuple((conflicts or {}).get(pid, ())),
        )
        for pid, name in PEOPLE.items()
    }
    return RuleContext(
        as_of=AS_OF,
        policy=policy(**policy_overrides),
        components=components,
        people=people,
        changes=tuple(changes),
        work_items=tuple(work_items),
        earlier_authors=earlier or {},
        has_locations=has_locations,
        has_work_items=has_work_items,
        range_mode=range_mode,
    )


def run(rule: type[Rule], ctx: RuleContext) -> tuple[list[Finding], list[Unavailable]]:
    outcomes = list(rule().evaluate(ctx))
    findings = [o for o in outcomes if isinstance(o, Finding)]
    notes = [o for o in outcomes if isinstance(o, Unavailable)]
    assert len(findings) + len(notes) == len(outcomes)
    return findings, notes


def summary(findings: Sequence[Finding]) -> list[tuple[str, str | None, str, str]]:
    return [(f.rule, f.component, f.subject, f.severity) for f in findings]


__all__ = ["Conflict", "Handler", "Reviewer", "WorkItem"]
