"""`M^1..M^2` over stored parents: which commits a merge brought in."""

from __future__ import annotations

import pytest

from auditor.evaluate.merged_by import _Graph

# sha -> (parents, commit time); ids are the shas' positions in this table
HISTORY = {
    "A": ("", 1),
    "B": ("A", 2),  # mainline
    "C": ("A", 3),  # topic branch forks at A
    "F": ("C B", 4),  # the topic merges main in midway
    "E": ("B", 5),  # mainline moves on
    "D": ("F", 6),
    "M": ("E D", 7),  # main merges the topic
    "X": ("Z", 8),  # parent not loaded (older than the span): ignored
}
IDS = {sha: number for number, sha in enumerate(HISTORY)}


def _graph() -> _Graph:
    rows = [
        (IDS[sha], sha, parents, 1, when, len(parents.split()) > 1)
        for sha, (parents, when) in HISTORY.items()
    ]
    return _Graph(rows)


@pytest.mark.parametrize(
    ("parents", "brought"),
    [
        (["E", "D"], {"C", "F", "D"}),  # not B: main already had it
        (["B", "C"], {"C"}),
        (["E", "B"], set()),  # merging an ancestor brings nothing
        (["A", "X"], {"X"}),
    ],
)
def test_brought_in(parents: list[str], brought: set[str]) -> None:
    assert _graph().brought_in(parents) == {IDS[s] for s in brought}


def test_merges_are_the_commits_with_two_parents() -> None:
    assert sorted(cid for cid, _, _ in _graph().merges()) == [IDS["F"], IDS["M"]]
