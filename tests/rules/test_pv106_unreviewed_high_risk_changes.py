from __future__ import annotations

from dataclasses import replace

import pytest

from rules.interface import Reviewer
from rules.pv106_unreviewed_high_risk_changes import UnreviewedHighRiskChanges
from tests.rules.support import at, change, context, run, summary

CN, IE, RU = at("CN", 0.9), at("IE"), at("RU", 0.9)
TRUSTED_COMMITTER = Reviewer(2, "committer", IE)
TRUSTED_TRAILER = Reviewer(2, "reviewed-by", IE)
TRUSTED_APPROVAL = Reviewer(2, "pr-approval", IE)
RISKY_REVIEW = Reviewer(3, "reviewed-by", RU)


@pytest.mark.parametrize(
    ("rows", "expected", "numbers"),
    [
        (
            [("a1", 1, 10, CN, ()), ("a2", 1, 20, CN, ()), ("a3", 1, 5, CN, (TRUSTED_TRAILER,))],
            [("PV106", "Gateway OnPrem", "Bo Zhang", "critical")],
            ["2 of 3 changes", "Bo Zhang in CN", "30 lines"],
        ),
        # a review from another high-risk person is no supervision
        (
            [("a1", 1, 10, CN, (RISKY_REVIEW,))],
            [("PV106", "Gateway OnPrem", "Bo Zhang", "critical")],
            ["1 of 1 changes"],
        ),
    ],
)
def test_flags_unreviewed(rows, expected, numbers) -> None:  # type: ignore[no-untyped-def]
    changes = [
        change(sha, who, churn, where, reviewers=rev) for sha, who, churn, where, rev in rows
    ]
    findings, _ = run(UnreviewedHighRiskChanges, context(changes))
    assert summary(findings) == expected
    for number in numbers:
        assert number in findings[0].message
    assert {e.ref for e in findings[0].evidence} == {"a1", "a2"} or len(rows) == 1


@pytest.mark.parametrize(
    "reviewer",
    [TRUSTED_COMMITTER, TRUSTED_TRAILER, TRUSTED_APPROVAL],
)
def test_each_kind_of_trusted_review_counts(reviewer) -> None:  # type: ignore[no-untyped-def]
    changes = [change("a1", 1, 10, CN, reviewers=[reviewer])]
    assert run(UnreviewedHighRiskChanges, context(changes)) == ([], [])


def test_a_trusted_reviewer_on_one_change_does_not_cover_another() -> None:
    changes = [
        change("a1", 1, 10, CN, reviewers=[TRUSTED_APPROVAL]),
        change("a2", 3, 10, RU, reviewers=[RISKY_REVIEW]),
    ]
    findings, _ = run(UnreviewedHighRiskChanges, context(changes))
    assert summary(findings) == [("PV106", "Gateway OnPrem", "Ivan Petrov", "critical")]
    assert [e.ref for e in findings[0].evidence] == ["a2"]


def test_silent_for_trusted_authors() -> None:
    assert run(UnreviewedHighRiskChanges, context([change("a1", 2, 99, IE)])) == ([], [])


def test_not_available() -> None:
    _, notes = run(UnreviewedHighRiskChanges, context([], has_locations=False))
    assert [n.rule for n in notes] == ["PV106"]


@pytest.mark.parametrize(
    ("claimed", "flagged", "note"),
    [
        ((TRUSTED_TRAILER,), True, True),  # a trusted name the author wrote: not review
        ((RISKY_REVIEW,), True, False),  # an untrusted name: unreviewed, nothing to note
        ((), True, False),
    ],
)
def test_claimed_trailers_do_not_count_and_are_named(  # type: ignore[no-untyped-def]
    claimed, flagged, note
) -> None:
    changes = [replace(change("a1", 1, 10, CN), claimed_reviewers=claimed)]
    findings, _ = run(UnreviewedHighRiskChanges, context(changes))
    assert bool(findings) == flagged
    assert ("claimed, not corroborated" in findings[0].message) == note
    assert findings[0].data["claimed_not_corroborated"] == int(note)
