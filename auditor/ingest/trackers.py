"""Store tracker exports and HR rosters: one transaction per file.

A file is parsed completely before anything is written, then written in one
transaction, so a malformed export leaves the store as it was. Re-importing:

- a file whose bytes (sha256) match the last import of that source is skipped;
- otherwise work items are upserted on (source, key) and only those whose
  content hash changed are rewritten, with their assignees and reviews;
  items no longer in the export are kept (exports are often filtered queries,
  and commits may link to them);
- a roster replaces the source's previous roster rows entirely (a roster is a
  snapshot; a person who left must not keep a stale location).

Identities are upserted on (kind, key); a later file never blanks a value an
earlier one knew (e.g. a Jira CSV without e-mails after a Jira JSON with them).

Concurrent imports of one source (PostgreSQL, several collectors) serialise on
the source row: its upsert is the transaction's first statement and locks it,
and the changed items are computed after that, from committed data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig, RosterSource, TrackerSource
from auditor.kernel.errors import ConfigError
from auditor.store import models
from auditor.store import warnings as run_warnings
from auditor.store.engine import (
    BATCH_SIZE,
    bulk_insert,
    dialect_insert,
    transaction,
    upsert,
)
from collectors.files import FileCollector
from collectors.interface import RosterRecord, TrackerUser, WorkItemRecord
from collectors.registry import tracker_collector
from collectors.roster_csv import RosterCsvCollector

ROSTER_KIND = "roster"
_IDENTITY_FIELDS = ("name", "email", "time_zone", "location_text", "login")
_ITEM_FIELDS = (
    "kind", "title", "status", "created_at", "resolved_at", "assignee_id", "reporter_id",
    "components", "labels", "area_path", "merge_commit_sha", "head_commit_sha", "content_hash",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportResult:
    name: str
    kind: str
    location: str
    sha256: str
    records: int  # records in the file
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: bool = False  # same bytes as the last import: nothing read or written
    encoding: str | None = None  # CSV: "utf-8", "utf-16" or "cp1252"
    note: str | None = None  # API sources: requests, pages, retries, rate-limit waits
    # Said once to the user by `collect`: rows skipped, columns ignored, an empty export.
    warnings: tuple[str, ...] = ()


def tracker_name(source: TrackerSource | RosterSource) -> str:
    if isinstance(source, TrackerSource):
        return source.name or source.default_name
    return source.name or Path(source.path).name


def import_trackers(
    loaded: LoadedConfig, engine: Engine, *, only: Collection[str] | None = None
) -> list[ImportResult]:
    """Import every `[[tracker]]` export file (or those named in `only`), in configuration order."""
    _check_names(loaded)
    results = []
    for src in loaded.config.tracker:
        if src.is_api or (only is not None and tracker_name(src) not in only):
            continue  # API sources: auditor.ingest.api
        assert src.path is not None
        path = loaded.resolve(src.path)
        collector = tracker_collector(src.kind)(
            path,
            name=tracker_name(src),
            display=str(path),
            date_format=src.date_format,
            columns=src.columns,
        )
        results.append(import_file(engine, collector))
    return results


def import_rosters(
    loaded: LoadedConfig, engine: Engine, *, only: Collection[str] | None = None
) -> list[ImportResult]:
    """Import every `[[roster]]` file (or those named in `only`), in configuration order."""
    _check_names(loaded)
    results = []
    for src in loaded.config.roster:
        if only is not None and tracker_name(src) not in only:
            continue
        path = loaded.resolve(src.path)
        collector = RosterCsvCollector(
            path,
            name=tracker_name(src),
            display=str(path),
            columns=src.columns,
            strict=src.strict,
        )
        results.append(import_file(engine, collector))
    return results


def _check_names(loaded: LoadedConfig) -> None:
    """Source names must be unique across git, tracker and roster sources."""
    seen = {g.name: "git" for g in loaded.config.git}
    entries: list[tuple[str, int, TrackerSource | RosterSource]] = [
        *(("tracker", i, t) for i, t in enumerate(loaded.config.tracker)),
        *(("roster", i, r) for i, r in enumerate(loaded.config.roster)),
    ]
    for section, index, src in entries:
        name = tracker_name(src)
        if name in seen:
            raise ConfigError(
                f"source name {name!r} is already used by a [[{seen[name]}]] source; "
                f"give this one a distinct 'name'",
                location=str(loaded.path),
                field=f"{section}[{index}].name",
            )
        seen[name] = section


def import_file(engine: Engine, collector: FileCollector) -> ImportResult:
    """Parse one export completely, then write it in one transaction (or skip it if unchanged)."""
    file = collector.file()
    kind = collector.kind
    src = models.Source
    with engine.connect() as conn:
        existing = conn.execute(
            select(src.c.id, src.c.kind, src.c.sha256, src.c.records).where(
                src.c.name == collector.name
            )
        ).first()
    if existing is not None and existing.kind != kind:
        raise ConfigError(
            f"source name {collector.name!r} is already used in the store by a {existing.kind} "
            f"source; give this one a distinct 'name'",
            location=collector.display,
        )
    if existing is not None and existing.sha256 == file.sha256:
        return ImportResult(
            collector.name, kind, str(collector.path), file.sha256, existing.records, skipped=True
        )
    records = list(collector.collect())  # everything parsed before anything is written
    info = collector.source_info()
    warnings = list(collector.warnings)
    if not records:
        what = "roster rows" if kind == ROSTER_KIND else "work items"
        warnings.append(f"{collector.display}: no {what} in this file")
    with transaction(engine) as conn:
        source_id = _upsert_source(conn, collector.name, kind, str(collector.path), info.extra)
        if kind == ROSTER_KIND:
            roster = [r for r in records if isinstance(r, RosterRecord)]
            added, updated, unchanged = _write_roster(conn, source_id, roster), 0, 0
        else:
            items = [r for r in records if isinstance(r, WorkItemRecord)]
            added, updated, unchanged = _write_items(
                conn, source_id, collector.identity_kind, items
            )
        conn.execute(
            update(models.Source)
            .where(models.Source.c.id == source_id)
            .values(sha256=file.sha256, records=len(records), updated_at=datetime.now(UTC))
        )
        # kept with the import they describe: later commands (check, export, TUI) list them
        run_warnings.record(conn, f"collect:{collector.name}", warnings)
    return ImportResult(
        collector.name,
        kind,
        str(collector.path),
        file.sha256,
        len(records),
        added=added,
        updated=updated,
        unchanged=unchanged,
        encoding=info.extra.get("encoding"),
        warnings=tuple(warnings),
    )


def _upsert_source(
    conn: Connection, name: str, kind: str, location: str, extra: dict[str, str]
) -> int:
    # github-json: `ref` holds the export's repository ("org/repo"), which links use.
    ref = extra.get("repository") or None
    upsert(
        conn,
        models.Source,
        [{"name": name, "kind": kind, "location": location, "ref": ref, "records": 0}],
        key=["name"],
        update=["location", "ref"],
    )
    tbl = models.Source
    source_id = conn.execute(select(tbl.c.id).where(tbl.c.name == name)).scalar_one()
    return int(source_id)


def upsert_identities(
    conn: Connection, kind: str, rows: Sequence[dict[str, Any]]
) -> dict[str, int]:
    """Upsert identities of one kind (rows: key + _IDENTITY_FIELDS); return key -> id.

    A null in a new row keeps the stored value: files that know less never erase.
    """
    tbl = models.Identity
    if not rows:
        return {}
    full = [
        {
            "kind": kind,
            **{f: row.get(f) for f in ("key", *_IDENTITY_FIELDS)},
            "bot": bool(row.get("bot")),
        }
        for row in rows
    ]
    for start in range(0, len(full), BATCH_SIZE):
        stmt = dialect_insert(conn, tbl)
        stmt = stmt.on_conflict_do_update(
            index_elements=["kind", "key"],
            set_={
                **{f: func.coalesce(stmt.excluded[f], tbl.c[f]) for f in _IDENTITY_FIELDS},
                # once any export said "bot", a file that does not say it keeps the flag
                "bot": or_(stmt.excluded.bot, tbl.c.bot),
            },
        )
        conn.execute(stmt, full[start : start + BATCH_SIZE])
    keys = [row["key"] for row in full]
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(tbl.c.id, tbl.c.key).where(tbl.c.kind == kind, tbl.c.key.in_(chunk))
        found.update({key: row_id for row_id, key in conn.execute(query)})
    return found


def _user_row(user: TrackerUser) -> dict[str, Any]:
    return {
        "key": user.key,
        "name": user.display_name,
        "email": user.email,
        "time_zone": user.time_zone,
        "location_text": user.location,
        "login": user.login,
        "bot": user.bot,
    }


def _people(items: Iterable[WorkItemRecord]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        users = [item.assignee, item.reporter, *item.assignees, *(r.reviewer for r in item.reviews)]
        for user in users:
            if user is None:
                continue
            row = _user_row(user)
            known = merged.setdefault(user.key, row)
            for field in _IDENTITY_FIELDS:
                known[field] = known[field] or row[field]
            known["bot"] = known["bot"] or row["bot"]
    return list(merged.values())


def content_hash(item: WorkItemRecord) -> str:
    """Digest of everything stored about an item (not where it sits in the file)."""
    data = dataclasses.asdict(item)
    data.pop("line", None)
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_items(
    conn: Connection, source_id: int, identity_kind: str, items: list[WorkItemRecord]
) -> tuple[int, int, int]:
    ids = upsert_identities(conn, identity_kind, _people(items))
    wi = models.WorkItem
    stored = {
        key: digest
        for key, digest in conn.execute(
            select(wi.c.key, wi.c.content_hash).where(wi.c.source_id == source_id)
        )
    }
    changed: list[WorkItemRecord] = []
    rows = []
    for item in items:
        digest = content_hash(item)
        if stored.get(item.key) == digest:
            continue
        changed.append(item)
        rows.append(
            {
                "source_id": source_id,
                "key": item.key,
                "kind": item.kind,
                "title": item.title,
                "status": item.status,
                "created_at": item.created_at,
                "resolved_at": item.resolved_at,
                "assignee_id": ids[item.assignee.key] if item.assignee else None,
                "reporter_id": ids[item.reporter.key] if item.reporter else None,
                "components": list(item.components),
                "labels": list(item.labels),
                "area_path": item.area_path,
                "merge_commit_sha": item.merge_commit_sha,
                "head_commit_sha": item.head_commit_sha,
                "content_hash": digest,
            }
        )
    upsert(conn, wi, rows, key=["source_id", "key"], update=_ITEM_FIELDS)
    item_ids: dict[str, int] = {}
    keys = [item.key for item in changed]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(wi.c.id, wi.c.key).where(wi.c.source_id == source_id, wi.c.key.in_(chunk))
        item_ids.update({key: row_id for row_id, key in conn.execute(query)})
    changed_ids = list(item_ids.values())
    assignees_tbl, review_tbl = models.WorkItemAssignee, models.Review
    for start in range(0, len(changed_ids), 500):
        id_chunk = changed_ids[start : start + 500]
        conn.execute(delete(assignees_tbl).where(assignees_tbl.c.work_item_id.in_(id_chunk)))
        conn.execute(delete(review_tbl).where(review_tbl.c.work_item_id.in_(id_chunk)))
    assignee_rows = {
        (item_ids[item.key], ids[user.key])
        for item in changed
        for user in (*item.assignees, *((item.assignee,) if item.assignee else ()))
    }
    bulk_insert(
        conn,
        assignees_tbl,
        ({"work_item_id": w, "identity_id": i} for w, i in sorted(assignee_rows)),
    )
    bulk_insert(
        conn,
        review_tbl,
        (
            {
                "work_item_id": item_ids[item.key],
                "reviewer_id": ids[review.reviewer.key],
                "state": review.state,
                "submitted_at": review.submitted_at,
                "commit_sha": review.commit_sha,
            }
            for item in changed
            for review in item.reviews
        ),
    )
    added = sum(1 for item in changed if item.key not in stored)
    return added, len(changed) - added, len(items) - len(changed)


def _write_roster(conn: Connection, source_id: int, entries: list[RosterRecord]) -> int:
    people: dict[str, dict[str, Any]] = {}
    for entry in entries:
        people[entry.email.lower()] = {
            "key": entry.email.lower(),
            "name": entry.name,
            "email": entry.email,
        }
    upsert_identities(conn, ROSTER_KIND, list(people.values()))
    roster = models.RosterEntry
    conn.execute(delete(roster).where(roster.c.source_id == source_id))
    return bulk_insert(
        conn,
        roster,
        (
            {
                "source_id": source_id,
                "line": entry.line,
                "email": entry.email,
                "name": entry.name,
                "country": entry.country,
                "office": entry.office,
                "valid_from": entry.valid_from,
                "valid_to": entry.valid_to,
                "account": entry.account,
            }
            for entry in entries
        ),
    )
