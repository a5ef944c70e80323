from __future__ import annotations

from rules.interface import Conflict
from rules.pv107_conflicting_location_evidence import ConflictingLocationEvidence
from tests.rules.support import at, change, context, run, summary

ROSTER_VS_ZONE = Conflict(
    "roster says IE, tracker time zone Asia/Shanghai says CN", ("CN", "IE"), (3, 9)
)


def test_flags_conflict_on_the_component_the_person_changes_most() -> None:
    ctx = context([change("a1", 2, 10, at("IE"))], conflicts={2: [ROSTER_VS_ZONE]})
    findings, _ = run(ConflictingLocationEvidence, ctx)
    assert summary(findings) == [("PV107", "Gateway OnPrem", "Alice Dunne", "high")]
    assert findings[0].message == (
        "Alice Dunne: 1 location conflict(s): "
        "roster says IE, tracker time zone Asia/Shanghai says CN"
    )
    assert [e.ref for e in findings[0].evidence] == ["3", "9"]


def test_conflict_of_a_person_without_sensitive_changes_has_no_component() -> None:
    conflict = Conflict("roster says DE, e-mail domain says FR", ("DE", "FR"), (1,))
    findings, _ = run(ConflictingLocationEvidence, context(conflicts={4: [conflict]}))
    assert summary(findings) == [("PV107", None, "Sam Unknown", "medium")]


def test_silent_without_conflicts() -> None:
    assert run(ConflictingLocationEvidence, context([change("a1", 1, 10, at("CN"))])) == ([], [])


def test_evidence_lists_every_conflicting_row() -> None:
    conflicts = [Conflict(f"conflict {n}", ("CN", "IE"), (100 - n, 200 + n)) for n in range(15)]
    findings, _ = run(ConflictingLocationEvidence, context(conflicts={2: conflicts}))
    refs = [int(e.ref) for e in findings[0].evidence]
    assert refs == sorted({100 - n for n in range(15)} | {200 + n for n in range(15)})
    assert len(refs) == 30
