"""`rebuild`: one resolution's derived rows written from the collected tables.

Apart from `auditor.resolve.pipeline` so that a command whose resolution is
already stored (`resolve_all` finds its inputs digest) does not import the
identity and location inference, the holiday calendars among them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePath
from typing import Any

from sqlalchemy import BigInteger, Table, and_, case, cast, func, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.resolve.components import (
    ChangedPaths,
    ComponentPlan,
    changed_paths,
    coverage_of,
    map_paths,
    map_work_items,
    unmatched_globs,
)
from auditor.resolve.identity import (
    IdentityRow,
    PersonDraft,
    RosterPerson,
    merged_identity_warnings,
    normal_email,
    unify,
)
from auditor.resolve.incremental import Base, KeptPerson, kept_people
from auditor.resolve.locations.evidence import (
    EvidenceDraft,
    IdentityFacts,
    RosterRow,
    evidence_order,
    identity_evidence,
    offset_evidence,
    override_evidence,
    roster_evidence,
)
from auditor.resolve.locations.resolution import Evidence, resolve_person
from auditor.resolve.locations.zones import catalog_for
from auditor.resolve.pipeline import ResolveSummary
from auditor.store import models
from auditor.store.engine import bulk_insert, reads_beside_writer, side_reader


def rebuild(
    conn: Connection,
    loaded: LoadedConfig,
    plan: ComponentPlan,
    as_of: date,
    limit: int,
    resolution_id: int,
    base: Base | None = None,
) -> ResolveSummary:
    """Write the derived rows of resolution `resolution_id` (its row is inserted already)
    from the collected tables, in `conn`'s transaction; other resolutions' rows stay.
    With `base`, the people it holds unchanged are copied from it
    (`auditor.resolve.incremental`)."""
    # The two full passes (over commits, over file changes) run at once: the second on
    # its own connection in a thread, while sqlite3/psycopg release the GIL in the query.
    with ThreadPoolExecutor(max_workers=1) as pool:
        changes_pass = pool.submit(_changed_paths_beside, conn)
        # extending `base`: only the changed people's commits are read, after unification
        months = _commit_months(conn, limit) if base is None else None
        counts = _identity_commits(conn, limit) if months is None else _counts_of(months)
        changed = changes_pass.result()
    drafts = _people(conn, loaded, counts)
    person_ids = _fresh_ids(conn, models.Person, [d.key for d in drafts])
    component_ids = _fresh_ids(conn, models.Component, [c.name for c in plan.components])
    _write_people(conn, drafts, person_ids, resolution_id)
    identity_person = {iid: person_ids[d.key] for d in drafts for iid, _via in d.identities}
    stated = _stated_evidence(conn, loaded, as_of, drafts, person_ids, identity_person)
    kept = {} if base is None else kept_people(conn, base, drafts, person_ids, stated, as_of)
    if months is None:
        inferred = [iid for iid, person in identity_person.items() if person not in kept]
        # most people changed: one scan beats the index
        few = len(inferred) * 2 < len(identity_person)
        months = _commit_months(conn, limit, inferred if few else None)
    evidence = _write_evidence(
        conn,
        stated + _commit_evidence(conn, loaded, months, identity_person, kept),
        resolution_id,
    )
    periods, conflicts = _resolve(conn, evidence, as_of, resolution_id, kept)
    bulk_insert(
        conn,
        models.Component,
        [
            {
                "id": component_ids[c.name],
                "resolution_id": resolution_id,
                "name": c.name,
                "sensitivity": c.sensitivity,
                "tags": c.tags,
                "paths": c.paths,
                "jira": c.jira,
                "ado_area": c.ado_area,
                "github_labels": c.github_labels,
                "origin": c.origin,
            }
            for c in plan.components
        ],
    )
    path_rows = map_paths(conn, plan, component_ids, changed)
    bulk_insert(
        conn,
        models.PathComponent,
        ({**r, "resolution_id": resolution_id} for r in path_rows),
    )
    item_rows = map_work_items(conn, plan.components, component_ids)
    bulk_insert(
        conn,
        models.WorkItemComponent,
        ({**r, "resolution_id": resolution_id} for r in item_rows),
    )
    cov = coverage_of(changed, path_rows)
    dead_globs = unmatched_globs(conn, plan, component_ids, path_rows, changed)
    return ResolveSummary(
        people=sum(1 for d in drafts if not d.bot),
        bots=sum(1 for d in drafts if d.bot),
        identities=len(identity_person),
        evidence=len(evidence),
        periods=periods,
        conflicts=conflicts,
        components=len(plan.components),
        mapped_paths=len({(r["source_id"], r["path_id"]) for r in path_rows}),
        mapped_work_items=len({r["work_item_id"] for r in item_rows}),
        total_churn=cov.total_churn,
        unmapped_churn=cov.unmapped_churn,
        warnings=(*plan.warnings, *dead_globs),
        identity_warnings=tuple(merged_identity_warnings(drafts)),
    )


def _changed_paths_beside(conn: Connection) -> ChangedPaths:
    """`changed_paths` read on a second connection (the writer's own one for in-memory SQLite)."""
    if not reads_beside_writer(conn.engine):
        return changed_paths(conn)
    with side_reader(conn.engine) as reader:
        return changed_paths(reader)


@dataclass(frozen=True, slots=True)
class _AuthorMonth:
    """Commits of one author identity before the as-of limit, per offset and local hour.

    `hour` (hours since 1970-01-01 00:00 in the commit's local time) is None for commits
    without an offset or dated before 1970: they count for the author but give no
    offset evidence. The hour is what zone inference needs (a DST switch happens at
    an hour) and what the activity rhythm is made of.
    """

    author_id: int
    offset: int | None
    hour: int | None
    commits: int


def _commit_months(
    conn: Connection, limit: int, identities: Sequence[int] | None = None
) -> list[_AuthorMonth]:
    """One pass over the commits (of `identities` only, if given), aggregated in SQL
    per author, offset and local hour."""
    commit = models.Commit
    usable = and_(commit.c.author_offset.is_not(None), commit.c.authored_at >= 86400)
    local = commit.c.authored_at + commit.c.author_offset * 60
    day = case((usable, cast(local / 3600, BigInteger)), else_=None).label("hour")
    # `+ 0`: on SQLite, grouping by the bare column makes the planner walk the author index
    # and fetch every row by id (3x slower than one scan of the table).
    author = (commit.c.author_id + 0).label("author")
    query = (
        select(author, commit.c.author_offset, day, func.count())
        .where(commit.c.authored_at < limit)
        .group_by(author, commit.c.author_offset, day)
    )
    if identities is None:
        chunks: Iterable[Any] = [conn.execute(query)]
    else:
        # a few people's commits: through the author index, a chunk of authors at a time
        ids = sorted(identities)
        chunks = (
            conn.execute(query.where(commit.c.author_id.in_(ids[i : i + 500])))
            for i in range(0, len(ids), 500)
        )
    return [
        _AuthorMonth(int(a), None if o is None else int(o), None if d is None else int(d), int(n))
        for rows in chunks
        for a, o, d, n in rows
    ]


def _counts_of(months: Iterable[_AuthorMonth]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for m in months:
        counts[m.author_id] += m.commits
    return counts


def _identity_commits(conn: Connection, limit: int) -> dict[int, int]:
    """Commits per author identity before the limit (what unification weighs e-mails by)."""
    commit = models.Commit
    author = (commit.c.author_id + 0).label("author")  # one scan, as in `_commit_months`
    rows = conn.execute(
        select(author, func.count()).where(commit.c.authored_at < limit).group_by(author)
    )
    return {int(a): int(n) for a, n in rows}


def _people(conn: Connection, loaded: LoadedConfig, counts: dict[int, int]) -> list[PersonDraft]:
    ident, roster = models.Identity, models.RosterEntry
    rows = [
        IdentityRow(
            id=r.id,
            kind=r.kind,
            key=r.key,
            name=r.name,
            email=r.email,
            mapped_name=r.mapped_name,
            mapped_email=r.mapped_email,
            login=r.login,
            commits=int(counts.get(r.id, 0)),
            bot=bool(r.bot),
        )
        for r in conn.execute(
            select(
                ident.c.id,
                ident.c.kind,
                ident.c.key,
                ident.c.name,
                ident.c.email,
                ident.c.mapped_name,
                ident.c.mapped_email,
                ident.c.login,
                ident.c.bot,
            )
        )
    ]
    roster_people = [
        RosterPerson(email=e, name=n, line=line, account=account)
        for e, n, line, account in conn.execute(
            select(roster.c.email, roster.c.name, roster.c.line, roster.c.account).order_by(
                roster.c.source_id, roster.c.line
            )
        )
    ]
    return unify(rows, roster_people, loaded.config.identity)


def _fresh_ids(conn: Connection, model: Table, keys: list[str]) -> dict[str, int]:
    """New ids, above every stored one, for the rows of one resolution (in `keys` order).

    Ids are unique across resolutions, so a row's id alone says which resolution it
    belongs to (a finding's evidence ids point into its run's resolution).
    """
    tbl = model
    top = int(conn.execute(select(func.max(tbl.c.id))).scalar() or 0)
    return {key: top + n for n, key in enumerate(dict.fromkeys(keys), start=1)}


def _write_people(
    conn: Connection, drafts: list[PersonDraft], ids: dict[str, int], resolution_id: int
) -> None:
    bulk_insert(
        conn,
        models.Person,
        [
            {
                "id": ids[d.key],
                "resolution_id": resolution_id,
                "key": d.key,
                "name": d.name,
                "primary_email": d.primary_email,
                "bot": d.bot,
            }
            for d in drafts
        ],
    )
    bulk_insert(
        conn,
        models.PersonIdentity,
        [
            {
                "resolution_id": resolution_id,
                "identity_id": iid,
                "person_id": ids[d.key],
                "via": via,
            }
            for d in drafts
            for iid, via in d.identities
        ],
    )


def _stated_evidence(
    conn: Connection,
    loaded: LoadedConfig,
    as_of: date,
    drafts: list[PersonDraft],
    person_ids: dict[str, int],
    identity_person: dict[int, int],
) -> list[EvidenceDraft]:
    """The evidence not made from commits: roster, overrides, tracker zones, profiles, e-mails."""
    by_email = {e: person_ids[d.key] for d in drafts for e in d.emails}
    roster, src = models.RosterEntry, models.Source
    roster_rows = []
    for location, line, email, country, office, start, end in conn.execute(
        select(
            src.c.location,
            roster.c.line,
            roster.c.email,
            roster.c.country,
            roster.c.office,
            roster.c.valid_from,
            roster.c.valid_to,
        )
        .join(src, src.c.id == roster.c.source_id)
        .order_by(roster.c.source_id, roster.c.line)
    ):
        person = by_email.get(normal_email(email) or "")
        if person is None or (start is not None and start > as_of):
            continue
        roster_rows.append(RosterRow(person, location, line, country, office, start, end))
    drafts_out: list[EvidenceDraft] = roster_evidence(roster_rows)
    drafts_out += override_evidence(
        loaded.config.overrides, by_email, PurePath(str(loaded.path)).name
    )

    ident = models.Identity
    default_zones = set(loaded.config.identity.tracker_default_zones)
    # a bot's profile zone is its site's default or its operator's, never a person's place
    bot_people = {person_ids[d.key] for d in drafts if d.bot}
    facts = []
    for iid, email, mapped, zone, location in conn.execute(
        select(
            ident.c.id,
            ident.c.email,
            ident.c.mapped_email,
            ident.c.time_zone,
            ident.c.location_text,
        )
    ):
        person = identity_person.get(iid)
        if person is None or person in bot_people:
            continue
        emails = tuple(sorted({e for e in (normal_email(email), normal_email(mapped)) if e}))
        if zone and zone.strip() in default_zones:
            zone = None
        facts.append(IdentityFacts(person, iid, emails, zone, location))
    for d in drafts:
        for email in d.roster_emails:
            facts.append(
                IdentityFacts(person_ids[d.key], 0, (email,), None, None, ref=f"roster:{email}")
            )
    drafts_out += identity_evidence(facts, loaded.config.identity.corporate_domains)
    return drafts_out


def _commit_evidence(
    conn: Connection,
    loaded: LoadedConfig,
    months: list[_AuthorMonth],
    identity_person: dict[int, int],
    kept: dict[int, KeptPerson],
) -> list[EvidenceDraft]:
    """Offsets, rhythm and holidays from the commits; the kept people's rows as stored."""
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    for m in months:
        person = identity_person.get(m.author_id)
        if person is None or person in kept or m.offset is None or m.hour is None:
            continue
        counts[(person, m.offset, m.hour)] += m.commits
    catalog = catalog_for(loaded.config.locations.exclude_countries)
    inferred = _with_outlier_commits(
        conn,
        offset_evidence(((p, o, h, n) for (p, o, h), n in counts.items()), catalog),
        identity_person,
    )
    return inferred + [e for person in kept.values() for e in person.commit_evidence()]


def _write_evidence(
    conn: Connection, drafts: list[EvidenceDraft], resolution_id: int
) -> list[tuple[int, EvidenceDraft]]:
    drafts = sorted(drafts, key=evidence_order)
    first = int(conn.execute(select(func.max(models.LocationEvidence.c.id))).scalar() or 0)
    numbered = list(enumerate(drafts, start=first + 1))
    bulk_insert(
        conn,
        models.LocationEvidence,
        [
            {
                "id": i,
                "resolution_id": resolution_id,
                "person_id": e.person_id,
                "kind": e.kind,
                "value": e.value,
                "countries": list(e.countries),
                "weight": e.weight,
                "valid_from": e.valid_from,
                "valid_to": e.valid_to,
                "ref": e.ref,
            }
            for i, e in numbered
        ],
    )
    return numbered


def _with_outlier_commits(
    conn: Connection, drafts: list[EvidenceDraft], identity_person: dict[int, int]
) -> list[EvidenceDraft]:
    """Offset rows outside their period's zones get the shas of their commits in `ref`.

    Only people with such rows are queried, one indexed look-up per author identity.
    """
    wanted = [d for d in drafts if not d.fits and d.outlier_hours]
    if not wanted:
        return drafts
    commit = models.Commit
    identities: dict[int, list[int]] = defaultdict(list)
    for iid, person in identity_person.items():
        identities[person].append(iid)
    found: dict[int, list[str]] = {}
    for draft in wanted:
        hours = set(draft.outlier_hours)
        low, high = min(hours) * 3600, (max(hours) + 1) * 3600
        offset = draft.offset or 0
        shas = [
            sha
            for sha, at in conn.execute(
                select(commit.c.sha, commit.c.authored_at).where(
                    commit.c.author_id.in_(identities.get(draft.person_id, [])),
                    commit.c.author_offset == offset,
                    commit.c.authored_at >= low - offset * 60,
                    commit.c.authored_at < high - offset * 60,
                )
            )
            if (int(at) + offset * 60) // 3600 in hours
        ]
        found[id(draft)] = sorted(set(shas))
    return [
        replace(d, ref="commit:" + " ".join(found[id(d)])) if id(d) in found else d for d in drafts
    ]


def _resolve(
    conn: Connection,
    evidence: list[tuple[int, EvidenceDraft]],
    as_of: date,
    resolution_id: int,
    kept: dict[int, KeptPerson],
) -> tuple[int, int]:
    per_person: dict[int, list[Evidence]] = defaultdict(list)
    ids: dict[int, list[int]] = defaultdict(list)  # a kept person's new evidence ids, in order
    for eid, e in evidence:
        if e.person_id in kept:
            ids[e.person_id].append(eid)
            continue
        per_person[e.person_id].append(
            Evidence(
                eid,
                e.kind,
                e.value,
                e.countries,
                e.weight,
                e.valid_from,
                e.valid_to,
                e.offset,
                e.commits,
                zone_pattern=e.zone_pattern,
                fits=e.fits,
                months=e.months,
                joint=e.joint,
                night=e.night,
                commit_refs=tuple(e.ref.removeprefix("commit:").split())
                if e.ref and e.ref.startswith("commit:")
                else (),
            )
        )
    period_rows = []
    conflict_rows = []
    for person in sorted(per_person.keys() | kept.keys()):
        mine = {"resolution_id": resolution_id, "person_id": person}
        if person in kept:
            copy = kept[person]
            # the same rows in the same order: the stored ids map one to one
            renumber = {old: new for (old, _), new in zip(copy.evidence, ids[person], strict=True)}
            period_rows += [
                {**p, **mine, "evidence_ids": [renumber[i] for i in p["evidence_ids"]]}
                for p in copy.periods
            ]
            conflict_rows += [
                {**c, **mine, "evidence_ids": [renumber[i] for i in c["evidence_ids"]]}
                for c in copy.conflicts
            ]
            continue
        periods, conflicts = resolve_person(per_person[person], as_of)
        period_rows += [
            {
                **mine,
                "country": p.country,
                "candidates": list(p.candidates),
                "confidence": p.confidence,
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
                "evidence_ids": list(p.evidence_ids),
                "zone_pattern": p.zone_pattern or None,
            }
            for p in periods
        ]
        conflict_rows += [
            {
                **mine,
                "description": c.description,
                "countries": list(c.countries),
                "evidence_ids": list(c.evidence_ids),
                "valid_from": c.valid_from,
                "valid_to": c.valid_to,
                "kind": c.kind,
                "commits": list(c.commits),
                "confidence": c.confidence,
            }
            for c in conflicts
        ]
    bulk_insert(conn, models.ResolvedLocation, period_rows)
    bulk_insert(conn, models.LocationConflict, conflict_rows)
    return len(period_rows), len(conflict_rows)
