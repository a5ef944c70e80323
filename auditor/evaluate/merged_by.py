"""Who merged a commit: the committers of the merges that brought it into history.

A merge M brings in the commits of `M^1..M^2` (reachable from a later parent,
not from the first): the branch it merged. A `Reviewed-by:` trailer that the
author wrote into their own commit is corroborated when someone other than the
author merged it, so this answers "which people merged commit C?" for the few
commits whose trailers need it.

The walk is git's date-ordered painting over the stored `commit.parents`:
commits are taken newest first from a queue; a commit reached from the first
parent is painted "mainline" and so are its ancestors; the walk stops once the
queue holds only mainline commits. Only commits committed since the oldest
candidate (less a day of clock skew) are loaded: an older commit cannot
reach a candidate by its parents.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from auditor.store import models

CLOCK_SKEW_SECONDS = 86_400
_MAINLINE, _BRANCH = 1, 2


def merged_by(
    conn: Connection, candidates: Collection[int], identities: dict[int, int]
) -> dict[int, set[int]]:
    """candidate commit id -> the people who committed a merge that brought it in."""
    if not candidates:
        return {}
    commit = models.Commit
    wanted = sorted(set(candidates))
    oldest: dict[int, int] = {}  # source id -> oldest candidate's commit time
    for start in range(0, len(wanted), 500):
        for source_id, committed_at in conn.execute(
            select(commit.c.source_id, commit.c.committed_at).where(
                commit.c.id.in_(wanted[start : start + 500])
            )
        ):
            oldest[source_id] = min(oldest.get(source_id, committed_at), committed_at)
    found: dict[int, set[int]] = defaultdict(set)
    wanted_set = set(wanted)
    for source_id in oldest:
        rows = conn.execute(
            select(
                commit.c.id,
                commit.c.sha,
                commit.c.parents,
                commit.c.committer_id,
                commit.c.committed_at,
                commit.c.is_merge,
            ).where(
                commit.c.source_id == source_id,
                commit.c.committed_at >= oldest[source_id] - CLOCK_SKEW_SECONDS,
            )
        ).all()
        graph = _Graph(rows)
        for _merge, parents, committer_id in graph.merges():
            merger = identities.get(committer_id)
            if merger is None:
                continue
            for brought in graph.brought_in(parents) & wanted_set:
                found[brought].add(merger)
    return dict(found)


class _Graph:
    """The loaded commits of one source: sha -> (id, parent shas, committed_at)."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self._by_sha: dict[str, tuple[int, list[str], int]] = {}
        self._merges: list[tuple[int, list[str], int]] = []
        for cid, sha, parents, committer_id, committed_at, is_merge in rows:
            shas = (parents or "").split()
            self._by_sha[sha] = (cid, shas, committed_at)
            if is_merge and len(shas) > 1:
                self._merges.append((cid, shas, committer_id))

    def merges(self) -> list[tuple[int, list[str], int]]:
        """(id, parent shas, committer identity) of each loaded merge."""
        return self._merges

    def brought_in(self, parents: list[str]) -> set[int]:
        """Ids of the loaded commits in `parents[0]..parents[1:]`."""
        paint: dict[str, int] = {}
        queue: list[tuple[int, str, bool]] = []
        brought: set[int] = set()
        branch_only = 0  # queued entries pushed as branch-only: the walk ends when none is left

        def push(sha: str, colour: int) -> None:
            nonlocal branch_only
            known = self._by_sha.get(sha)
            if known is None:
                return  # older than the loaded span, or not mined: cannot lead to a candidate
            before = paint.get(sha, 0)
            after = before | colour
            if after == before:
                return
            paint[sha] = after
            if after & _MAINLINE:
                brought.discard(known[0])  # reached from the first parent after all
            counted = after == _BRANCH
            branch_only += counted
            heapq.heappush(queue, (-known[2], sha, counted))

        push(parents[0], _MAINLINE)
        for sha in parents[1:]:
            push(sha, _BRANCH)
        while queue and branch_only:
            _, sha, counted = heapq.heappop(queue)
            branch_only -= counted
            colour = paint[sha]
            cid, its_parents, _ = self._by_sha[sha]
            if colour == _BRANCH:
                brought.add(cid)
            for parent in its_parents:
                push(parent, colour)
        return brought
