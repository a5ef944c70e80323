"""Build the read-only `RuleContext` the rules evaluate, from the store.

SQL does the aggregation: one grouped query yields (commit, component, churn)
over mapped paths for non-merge commits by non-bot authors; reviewers,
committers and work-item handlers come from small joins; locations are looked
up per person and day in `LocationIndex`. Nothing here writes to the store.

Windows: the policy window is the `window_days` days ending at `as_of`
(inclusive); the previous window is the same length just before it. In range
mode (`commit_shas` given, from `auditor check --range`) only those commits
are changes, all treated as inside the window, and "earlier authors" are the
authors of every other commit up to `as_of`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from types import MappingProxyType
from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.kernel.window import Window, day_number, day_of_number, day_start
from auditor.resolve.locations.index import LocationIndex, ResolvedAt
from auditor.store import models
from auditor.store.activity import BINARY, CHURN, authored_changes, by_people
from auditor.store.resolutions import of
from rules.interface import (
    UNKNOWN,
    Change,
    Component,
    Conflict,
    Handler,
    Location,
    LocationPeriod,
    Person,
    Policy,
    PolicyFile,
    Reviewer,
    RuleContext,
    WorkItem,
)

_REVIEW_TRAILERS = ("reviewed-by", "approved-by")


def build_policy(loaded: LoadedConfig, as_of: date) -> Policy:
    cfg = loaded.config
    days = cfg.policy.window_days
    start = Window.ending(as_of, days).start
    jur = cfg.jurisdictions
    return Policy(
        window_start=start,
        window_end=as_of,
        previous_start=start - timedelta(days=days),
        previous_end=start - timedelta(days=1),
        high=frozenset(jur.high),
        elevated=frozenset(jur.elevated),
        trusted=frozenset(jur.trusted) if jur.trusted is not None else None,
        reasons=dict(jur.reasons),
        sensitive=frozenset(cfg.policy.sensitive),
        high_risk_share=cfg.policy.high_risk_share,
        ambiguous_share=cfg.policy.ambiguous_share,
        unknown_share=cfg.policy.unknown_share,
        share_rise=cfg.policy.share_rise,
        min_churn=cfg.policy.min_churn,
    )


def main_path(globs: Iterable[str]) -> str | None:
    """'repo:dir' of the first glob: the directory before its first wildcard."""
    for item in globs:
        repo, _, glob = item.partition(":")
        parts = []
        for part in glob.strip("/").split("/"):
            if any(ch in part for ch in "*?[") or not part:
                break
            parts.append(part)
        return f"{repo}:{'/'.join(parts)}" if parts else f"{repo}:"
    return None


def _day(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.date()
    return value


def _location(index: LocationIndex, person: int, day: date) -> Location:
    return _converted(index.at(person, day))


def _converted(where: ResolvedAt) -> Location:
    if not where.known and not where.confidence:
        return UNKNOWN
    return Location(where.country, where.candidates, where.confidence, where.evidence_ids)


def build_context(
    engine: Engine,
    loaded: LoadedConfig,
    as_of: date,
    *,
    resolution_id: int,
    commit_shas: Collection[str] | None = None,
    index: LocationIndex | None = None,
    all_components: bool = False,
    policy_files: Sequence[PolicyFile] = (),
) -> RuleContext:
    """The rules' context as of `as_of`, from the derived rows of resolution `resolution_id`.

    Changes and earlier authors cover the sensitive components only (all the
    built-in rules judge) unless `all_components`: at a million commits the
    other nine tenths of the history would cost most of the analysis.
    """
    policy = build_policy(loaded, as_of)
    with engine.connect() as conn:
        index = index or LocationIndex.load(conn, resolution_id)
        components, component_names = _components(conn, resolution_id)
        scope = None
        if not all_components:
            scope = {
                cid
                for cid, name in component_names.items()
                if components[name].sensitivity in policy.sensitive
            }
        identities = _identity_people(conn, resolution_id)
        people = _people(conn, index, resolution_id)
        bots = {pid for pid, p in people.items() if p.bot}
        changes, earlier = _changes(
            conn,
            resolution_id,
            index,
            policy,
            as_of,
            component_names,
            commit_shas,
            scope,
            identities,
            bots,
        )
        work_items, any_items = _work_items(
            conn, resolution_id, index, component_names, identities, as_of
        )
    return RuleContext(
        as_of=as_of,
        policy=policy,
        components=MappingProxyType(components),
        people=MappingProxyType(people),
        changes=tuple(changes),
        work_items=tuple(work_items),
        earlier_authors=MappingProxyType(earlier),
        has_locations=bool(index.people()),
        has_work_items=any_items,
        range_mode=commit_shas is not None,
        policy_files=tuple(policy_files),
    )


def _components(
    conn: Connection, resolution_id: int
) -> tuple[dict[str, Component], dict[int, str]]:
    comp = models.Component
    rows = conn.execute(
        select(comp.c.id, comp.c.name, comp.c.sensitivity, comp.c.tags, comp.c.paths).where(
            of(comp, resolution_id)
        )
    )
    components: dict[str, Component] = {}
    names: dict[int, str] = {}
    for cid, name, sensitivity, tags, paths in rows:
        components[name] = Component(name, sensitivity, tuple(tags or ()), main_path(paths or ()))
        names[cid] = name
    return components, names


def _people(conn: Connection, index: LocationIndex, resolution_id: int) -> dict[int, Person]:
    person, conflict = models.Person, models.LocationConflict
    conflicts: dict[int, list[Conflict]] = defaultdict(list)
    for row in conn.execute(
        select(
            conflict.c.person_id,
            conflict.c.description,
            conflict.c.countries,
            conflict.c.evidence_ids,
            conflict.c.valid_from,
            conflict.c.valid_to,
            conflict.c.kind,
            conflict.c.commits,
            conflict.c.confidence,
        )
        .where(of(conflict, resolution_id))
        .order_by(conflict.c.id)
    ):
        conflicts[row.person_id].append(
            Conflict(
                row.description,
                tuple(row.countries or ()),
                tuple(row.evidence_ids or ()),
                row.valid_from,
                row.valid_to,
                row.kind,
                tuple(row.commits or ()),
                float(row.confidence),
            )
        )
    people: dict[int, Person] = {}
    for pid, key, name, bot in conn.execute(
        select(person.c.id, person.c.key, person.c.name, person.c.bot).where(
            of(person, resolution_id)
        )
    ):
        periods = tuple(
            LocationPeriod(
                start, end, Location(r.country, r.candidates, r.confidence, r.evidence_ids)
            )
            for start, end, r in index.periods(pid)
        )
        people[pid] = Person(pid, name, key, bool(bot), periods, tuple(conflicts.get(pid, ())))
    return people


class _Places:
    """`_location` memoised per (person, day number), converted once per resolved period."""

    def __init__(self, index: LocationIndex) -> None:
        self._index = index
        self._seen: dict[tuple[int, int], Location] = {}
        # keyed by id() of the index's period objects; each kept here so its id stays its own
        self._converted: dict[int, tuple[ResolvedAt, Location]] = {}

    def at(self, person: int, day_number: int) -> Location:
        key = (person, day_number)
        found = self._seen.get(key)
        if found is None:
            where = self._index.at(person, day_of_number(day_number))
            known = self._converted.get(id(where))
            if known is None:
                known = self._converted[id(where)] = (where, _converted(where))
            found = self._seen[key] = known[1]
        return found


def _at(places: _Places, day_number: int, person: int) -> Location:
    return places.at(person, day_number)


def _other_reviewers(
    cid: int,
    author: int,
    committer: int | None,
    reviewers: Iterable[tuple[int, str]],
    vouched: _ReviewCorroboration,
    at: Callable[[int], Location],
) -> tuple[tuple[Reviewer, ...], tuple[Reviewer, ...]]:
    """A change's second pairs of eyes, the author not counted: (corroborated, claimed only).

    `at(person)` places a reviewer on the change's day.
    """
    found: list[Reviewer] = []
    claimed: list[Reviewer] = []
    if committer is not None and committer != author:
        found.append(Reviewer(committer, "committer", at(committer)))
    for reviewer, via in reviewers:
        if reviewer != author:
            named = Reviewer(reviewer, via, at(reviewer))
            counted = vouched.counts(cid, author, committer, reviewer, via)
            (found if counted else claimed).append(named)
    return tuple(found), tuple(claimed)


def _changes(
    conn: Connection,
    resolution_id: int,
    index: LocationIndex,
    policy: Policy,
    as_of: date,
    component_names: dict[int, str],
    commit_shas: Collection[str] | None,
    scope: set[int] | None,
    identities: dict[int, int],
    bots: set[int],
) -> tuple[list[Change], dict[str, frozenset[int]]]:
    commit, pc, pi = models.Commit, models.PathComponent, models.PersonIdentity
    window = Window(policy.previous_start, as_of)
    lo, hi = window.bounds()
    wanted = sorted(set(commit_shas)) if commit_shas is not None else None
    conditions: list[Any] = by_people(window if wanted is None else None, resolution_id)
    if scope is not None:
        # `+ 0`: a filter on the joined row, not an index probe per listed component
        # (SQLite otherwise probes path_component once per id for every file change).
        conditions.append((pc.c.component_id + 0).in_(sorted(scope)))
    query = (
        select(
            commit.c.id,
            commit.c.sha,
            commit.c.authored_at,
            commit.c.committer_id,
            pi.c.person_id,
            pc.c.component_id,
            func.sum(CHURN),
            func.sum(BINARY),
        )
        .select_from(authored_changes())
        .where(*conditions)
        .group_by(
            commit.c.id,
            commit.c.sha,
            commit.c.authored_at,
            commit.c.committer_id,
            pi.c.person_id,
            pc.c.component_id,
        )
    )
    rows: list[Any] = []
    scoped_earlier: set[tuple[int, int]] = set()
    if wanted is None and scope is not None:
        # One pass over the scope's history up to as_of serves both the windows and
        # the earlier authors below.
        first = day_start(policy.window_start)
        rows, scoped_earlier = _scoped_history(
            conn, resolution_id, scope, (lo, first, hi), identities, bots
        )
    elif wanted is None:
        rows = list(conn.execute(query))
    else:
        for start in range(0, len(wanted), 500):
            rows += list(conn.execute(query.where(commit.c.sha.in_(wanted[start : start + 500]))))
    commit_ids = {r[0] for r in rows}
    reviewed_in = None if wanted is not None else (lo, hi)
    reviewers = _reviewers(conn, resolution_id, commit_ids, reviewed_in)
    vouched = _ReviewCorroboration(conn, rows, reviewers, identities)
    places = _Places(index)
    days: dict[int, date] = {}
    changes: list[Change] = []
    for cid, sha, authored_at, committer_id, author, component_id, lines, binaries in rows:
        number = day_number(authored_at)
        authored = days.get(number)
        if authored is None:
            authored = days[number] = day_of_number(number)
        day = authored
        if wanted is not None:
            # A range is judged inside the current window whatever its author dates say;
            # people are still placed where they were on the day they wrote the change.
            day = min(max(day, policy.window_start), policy.window_end)
        committer = identities.get(committer_id)
        found, claimed = _other_reviewers(
            cid, author, committer, reviewers.get(cid, ()), vouched, partial(_at, places, number)
        )
        changes.append(
            Change(
                sha=sha,
                day=day,
                author=author,
                component=component_names[component_id],
                churn=int(lines or 0),
                author_location=places.at(author, number),
                reviewers=found,
                committer=committer,
                claimed_reviewers=claimed,
                binary=int(binaries or 0),
            )
        )
    changes.sort(key=lambda c: (c.component, c.day, c.sha))
    pairs: Iterable[Any] = scoped_earlier
    if wanted is not None or scope is None:
        earlier_query = (
            select(pc.c.component_id, pi.c.person_id)
            .select_from(authored_changes())
            .where(*by_people(None, resolution_id))
            .distinct()
        )
        if scope is not None:
            earlier_query = earlier_query.where((pc.c.component_id + 0).in_(sorted(scope)))
        if wanted is None:
            first = day_start(policy.window_start)
            earlier_query = earlier_query.where(commit.c.authored_at < first)
        else:
            # Everything already on the branch before the range (by date, up to as_of).
            earlier_query = earlier_query.where(commit.c.authored_at < hi)
            in_range = sorted(commit_ids)
            if in_range:
                earlier_query = earlier_query.where(commit.c.id.not_in(in_range))
        pairs = conn.execute(earlier_query)
    earlier: dict[str, set[int]] = defaultdict(set)
    for component_id, pid in pairs:
        earlier[component_names[component_id]].add(pid)
    return changes, {name: frozenset(ids) for name, ids in earlier.items()}


def _scoped_history(
    conn: Connection,
    resolution_id: int,
    scope: set[int],
    bounds: tuple[int, int, int],
    identities: dict[int, int],
    bots: set[int],
) -> tuple[list[tuple[int, str, int, int | None, int, int, int, int]], set[tuple[int, int]]]:
    """The changes query's rows and the earlier (component, person) pairs for `scope`.

    `bounds` = (lo, first, hi) in author-time seconds: rows are (commit id, sha,
    authored_at, committer identity, author person, component, churn, binary files) per commit
    and component authored in [lo, hi); pairs are the components' authors before
    `first`. Non-merge commits by non-bot authors only. The file changes of the
    scope's paths are found through the path index and joined to components and
    people here: scanning every commit of a large history and probing the
    component index per file change costs several times more.
    """
    if not scope:
        return [], set()
    commit, fc, pc = models.Commit, models.FileChange, models.PathComponent
    wanted = sorted(scope)
    components: dict[tuple[int, int], list[int]] = defaultdict(list)
    for source_id, path_id, component_id in conn.execute(
        select(pc.c.source_id, pc.c.path_id, pc.c.component_id).where(
            of(pc, resolution_id), pc.c.component_id.in_(wanted)
        )
    ):
        components[(source_id, path_id)].append(component_id)
    lo, first, hi = bounds
    query = (
        select(
            commit.c.id,
            commit.c.sha,
            commit.c.authored_at,
            commit.c.committer_id,
            commit.c.author_id,
            commit.c.source_id,
            fc.c.path_id,
            CHURN,
            fc.c.binary,
        )
        .select_from(fc.join(commit, commit.c.id == fc.c.commit_id))
        .where(
            fc.c.path_id.in_(
                select(pc.c.path_id).where(of(pc, resolution_id), pc.c.component_id.in_(wanted))
            ),
            ~commit.c.is_merge,
            commit.c.authored_at < hi,
        )
    )
    grouped: dict[tuple[int, int], list[Any]] = {}
    earlier: set[tuple[int, int]] = set()
    # .all(): one fetchall instead of a fetch per row (a third of the time at 150k rows)
    for (
        cid, sha, authored_at, committer_id, author_id, source_id, path_id, lines, is_binary
    ) in conn.execute(query).all():  # fmt: skip
        person = identities.get(author_id)
        if person is None or person in bots:
            continue
        mapped = components.get((source_id, path_id), ())
        if authored_at < first:
            earlier.update((component_id, person) for component_id in mapped)
        if authored_at < lo:
            continue
        for component_id in mapped:
            row = grouped.get((cid, component_id))
            if row is None:
                grouped[(cid, component_id)] = [
                    cid, sha, authored_at, committer_id, person, component_id, int(lines or 0),
                    1 if is_binary else 0,
                ]  # fmt: skip
            else:
                row[6] += int(lines or 0)
                row[7] += 1 if is_binary else 0
    return [tuple(row) for row in grouped.values()], earlier


def _identity_people(conn: Connection, resolution_id: int) -> dict[int, int]:
    """identity id -> person id, for every resolved identity (one small table)."""
    pi = models.PersonIdentity
    query = select(pi.c.identity_id, pi.c.person_id).where(of(pi, resolution_id))
    return {ident: pid for ident, pid in conn.execute(query)}


class _ReviewCorroboration:
    """Whether a review trailer counts: the author may have written it themselves.

    A `Reviewed-by:`/`Approved-by:` trailer is text in the commit message, which
    the author can write naming anyone. It counts as review only when something
    the author does not control backs it: the named reviewer committed the
    change, approved a pull request that covers it, or the change was committed
    or merged by someone other than its author. Otherwise it is *claimed, not
    corroborated*: shown, never counted.
    """

    def __init__(
        self,
        conn: Connection,
        rows: list[Any],
        reviewers: dict[int, list[tuple[int, str]]],
        identities: dict[int, int],
    ) -> None:
        from auditor.evaluate.merged_by import merged_by

        self._approvers: dict[int, set[int]] = defaultdict(set)
        for cid, found in reviewers.items():
            for person, via in found:
                if via == "pr-approval":
                    self._approvers[cid].add(person)
        # Only commits whose trailers nothing else backs need the merge walk.
        self_committed: set[int] = set()
        for cid, _sha, _at, committer_id, author, *_ in rows:  # component, lines, binaries
            committer = identities.get(committer_id)
            if (committer is None or committer == author) and any(
                via in _REVIEW_TRAILERS and person != author and person not in self._approvers[cid]
                for person, via in reviewers.get(cid, ())
            ):
                self_committed.add(cid)
        self._mergers = merged_by(conn, self_committed, identities)

    def counts(self, cid: int, author: int, committer: int | None, reviewer: int, via: str) -> bool:
        if via not in _REVIEW_TRAILERS:
            return True  # a PR approval is recorded by the forge, not written by the author
        return (
            reviewer == committer
            or reviewer in self._approvers.get(cid, ())
            or (committer is not None and committer != author)
            or any(merger != author for merger in self._mergers.get(cid, ()))
        )


def _reviewers(
    conn: Connection, resolution_id: int, commit_ids: set[int], window: tuple[int, int] | None
) -> dict[int, list[tuple[int, str]]]:
    """commit id -> [(person, via)] from review trailers and approved pull requests.

    With `window` (author-time seconds [lo, hi)) the review rows of every commit in
    it come in one query each and are kept for `commit_ids`; without, the ids are
    asked for in chunks (a `--range` holds few commits).
    """
    trailer, pi, commit = models.Trailer, models.PersonIdentity, models.Commit
    cwi, review = models.CommitWorkItem, models.Review
    trailers = (
        select(trailer.c.commit_id, pi.c.person_id, trailer.c.key)
        .select_from(trailer.join(pi, pi.c.identity_id == trailer.c.identity_id))
        .where(of(pi, resolution_id), trailer.c.key.in_(_REVIEW_TRAILERS))
        .order_by(trailer.c.id)
    )
    approvals = (
        select(cwi.c.commit_id, pi.c.person_id)
        .select_from(
            cwi.join(review, review.c.work_item_id == cwi.c.work_item_id).join(
                pi, pi.c.identity_id == review.c.reviewer_id
            )
        )
        .where(of(pi, resolution_id), func.upper(review.c.state) == "APPROVED")
        .order_by(review.c.id, cwi.c.commit_id)
    )
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if window is not None:
        lo, hi = window
        timed = and_(commit.c.authored_at >= lo, commit.c.authored_at < hi)
        on_trailer, on_link = commit.c.id == trailer.c.commit_id, commit.c.id == cwi.c.commit_id
        batches = [
            (
                trailers.join_from(trailer, commit, on_trailer).where(timed),
                approvals.join_from(cwi, commit, on_link).where(timed),
            )
        ]
    else:
        ids = sorted(commit_ids)
        batches = [
            (
                trailers.where(trailer.c.commit_id.in_(ids[start : start + 500])),
                approvals.where(cwi.c.commit_id.in_(ids[start : start + 500])),
            )
            for start in range(0, len(ids), 500)
        ]
    for trailer_query, approval_query in batches:
        for commit_id, pid, key in conn.execute(trailer_query):
            if commit_id in commit_ids:
                found[commit_id].append((pid, key))
        for commit_id, pid in conn.execute(approval_query):
            if commit_id in commit_ids:
                found[commit_id].append((pid, "pr-approval"))
    return found


def _work_items(
    conn: Connection,
    resolution_id: int,
    index: LocationIndex,
    component_names: dict[int, str],
    people: dict[int, int],
    as_of: date,
) -> tuple[list[WorkItem], bool]:
    """The work items mapped to components; an undated one is placed as of `as_of`."""
    wi, wic = models.WorkItem, models.WorkItemComponent
    wia, pi = models.WorkItemAssignee, models.PersonIdentity
    any_items = conn.execute(select(func.count()).select_from(wi)).scalar_one() > 0
    rows = list(
        conn.execute(
            select(
                wi.c.id,
                wi.c.key,
                wi.c.created_at,
                wi.c.resolved_at,
                wi.c.assignee_id,
                wi.c.reporter_id,
                wic.c.component_id,
            )
            .select_from(wi.join(wic, wic.c.work_item_id == wi.c.id))
            .where(of(wic, resolution_id))
            .order_by(wi.c.key)
        )
    )
    assignees: dict[int, set[int]] = defaultdict(set)
    for item_id, pid in conn.execute(
        select(wia.c.work_item_id, pi.c.person_id)
        .select_from(wia.join(pi, pi.c.identity_id == wia.c.identity_id))
        .where(of(pi, resolution_id))
    ):
        assignees[item_id].add(pid)
    items: list[WorkItem] = []
    for item_id, key, created, resolved, assignee, reporter, component_id in rows:
        day = _day(resolved) or _day(created)
        when = day or as_of
        handlers: list[Handler] = []
        chosen = set(assignees.get(item_id, ()))
        if assignee is not None and assignee in people:
            chosen.add(people[assignee])
        for pid in sorted(chosen):
            handlers.append(Handler(pid, "assignee", _location(index, pid, when)))
        if reporter is not None and reporter in people:
            handlers.append(
                Handler(people[reporter], "reporter", _location(index, people[reporter], when))
            )
        items.append(WorkItem(key, component_names[component_id], day, tuple(handlers)))
    return items, any_items
