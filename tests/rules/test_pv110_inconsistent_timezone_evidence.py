from __future__ import annotations

from datetime import date

import pytest

from rules.interface import Conflict
from rules.pv107_conflicting_location_evidence import ConflictingLocationEvidence
from rules.pv110_inconsistent_timezone_evidence import InconsistentTimezoneEvidence
from tests.rules.support import at, change, context, run, summary

TWO_PLACES = Conflict(
    "offsets of two places: +0800 × 150 fit UTC+8, +0200 × 6, +0300 × 4 "
    "(10 commits in 9 months) fit EET with EU DST",
    ("CN", "FI", "SG"),
    (11, 12, 13),
    date(2022, 1, 1),
    date(2024, 12, 31),
    kind="timezone",
    commits=("c2", "c1"),
    confidence=0.6,
)
NIGHT = Conflict(
    "activity rhythm: 52 commits: 100% at 20:00-06:59 claimed local time (UTC+8)",
    ("FI",),
    (21,),
    date(2024, 2, 1),
    date(2025, 1, 31),
    kind="timezone",
    confidence=0.3,
)
SOURCES = Conflict("roster says IE, tracker time zone Asia/Shanghai says CN", ("CN", "IE"), (3,))


@pytest.mark.parametrize(
    ("conflicts", "changes", "sensitivity", "expected", "confidence", "numbers"),
    [
        # Offsets of two places, on a critical component: medium default raised.
        (
            [TWO_PLACES],
            [change("a1", 1, 40, at(None, 0.3, {"CN", "SG"}))],
            "critical",
            [("PV110", "Gateway OnPrem", "Bo Zhang", "high")],
            "medium",
            ["+0800 × 150", "+0200 × 6", "EET with EU DST", "2022-01-01..2024-12-31", "2 commits"],
        ),
        # A night rhythm alone is low confidence.
        (
            [NIGHT],
            [change("a1", 1, 40, at(None, 0.3, {"CN", "SG"}))],
            "high",
            [("PV110", "Gateway OnPrem", "Bo Zhang", "medium")],
            "low",
            ["100% at 20:00-06:59", "2024-02-01..2025-01-31"],
        ),
    ],
)
def test_flags_timezone_conflicts(  # type: ignore[no-untyped-def]
    conflicts, changes, sensitivity, expected, confidence, numbers
) -> None:
    ctx = context(changes, conflicts={1: conflicts}, sensitivity=sensitivity)
    findings, _ = run(InconsistentTimezoneEvidence, ctx)
    assert summary(findings) == expected
    assert findings[0].confidence == confidence
    for number in numbers:
        assert number in findings[0].message


BO_CHANGES = [change("a1", 1, 40, at(None, 0.3, {"CN", "SG"}))]


def test_no_sensitive_change_no_finding() -> None:
    ctx = context([change("d1", 1, 40, at("CN"), component="Docs")], conflicts={1: [TWO_PLACES]})
    assert run(InconsistentTimezoneEvidence, ctx) == ([], [])


def test_evidence_lists_the_commits_then_the_rows() -> None:
    ctx = context(BO_CHANGES, conflicts={1: [TWO_PLACES, NIGHT]})
    findings, _ = run(InconsistentTimezoneEvidence, ctx)
    assert [(e.kind, e.ref) for e in findings[0].evidence] == [
        ("commit", "c1"),
        ("commit", "c2"),
        ("location_evidence", "11"),
        ("location_evidence", "12"),
        ("location_evidence", "13"),
        ("location_evidence", "21"),
    ]
    assert findings[0].confidence == "medium"  # the surest conflict


def test_source_conflicts_are_pv107s_and_timezone_ones_are_not() -> None:
    ctx = context(BO_CHANGES, conflicts={2: [SOURCES], 1: [TWO_PLACES]})
    assert [f.subject for f in run(InconsistentTimezoneEvidence, ctx)[0]] == ["Bo Zhang"]
    assert [f.subject for f in run(ConflictingLocationEvidence, ctx)[0]] == ["Alice Dunne"]


def test_two_places_of_one_tier_are_low_confidence() -> None:
    pacific_and_eastern = Conflict(
        "offsets of two places: -0700 × 956, -0800 × 150 fit US Pacific with US DST, "
        "-0400 × 6, -0500 × 2 (8 commits in 5 months) fit US Eastern with US DST",
        ("CA", "MX", "US"),
        (5,),
        kind="timezone",
        commits=("c9",),
        confidence=0.6,
    )
    ctx = context([change("a1", 2, 40, at("US"))], conflicts={2: [pacific_and_eastern]})
    findings, _ = run(InconsistentTimezoneEvidence, ctx)
    assert [(f.subject, f.confidence) for f in findings] == [("Alice Dunne", "low")]


def test_silent_without_timezone_conflicts() -> None:
    ctx = context([change("a1", 1, 10, at("CN"))], conflicts={1: [SOURCES]})
    assert run(InconsistentTimezoneEvidence, ctx) == ([], [])


def test_tiers_are_judged_per_conflict() -> None:
    # A trusted-tier trip pattern (medium on its own) and a low rhythm whose band
    # includes RU: neither conflict spans tiers by itself, so the finding stays low.
    trips = Conflict(
        "offsets of two places: -0700 × 900 fit US Pacific with US DST, "
        "+0200 × 30, +0100 × 7 (37 commits in 6 months) fit CET with EU DST",
        ("CA", "DE", "FR", "MX", "US"),
        (5,),
        kind="timezone",
        commits=("c9",),
        confidence=0.6,
    )
    rhythm = Conflict("activity rhythm: night", ("RU",), (6,), kind="timezone", confidence=0.3)
    ctx = context([change("a1", 2, 40, at("US"))], conflicts={2: [trips, rhythm]})
    findings, _ = run(InconsistentTimezoneEvidence, ctx)
    assert [(f.subject, f.confidence) for f in findings] == [("Alice Dunne", "low")]
