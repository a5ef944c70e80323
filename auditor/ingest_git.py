"""Mining one git source into the store: incremental, idempotent, crash-safe.

- The repository is mined from a sanitized bare mirror (see collectors/git_safety.py).
- `source.head` is the last commit mined on the source's ref. A run with the
  same head walks no history; a fast-forward mines `old..new` only; a rewritten
  history (force push) deletes the stored commits no longer reachable and mines
  what is new.
- Commits go in batches, one transaction each, skipping shas already stored,
  and `source.head` moves only after every batch is in: a run killed at any
  point (even SIGKILL) is completed by the next one without duplicates.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.engine import Connection

from auditor import models
from auditor.errors import CollectorError
from auditor.store import id_map, table, transaction, upsert
from collectors.git import GitCollector, Revisions
from collectors.git_safety import mirror, run_git
from collectors.interface import CommitRecord, Signature

BATCH = 1000
Progress = Callable[[str, int], None]  # (source name, commits written so far)

_PERSON = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<email>[^<>]*)>\s*$")


@dataclass(frozen=True, slots=True)
class GitCollectResult:
    name: str
    head: str | None
    new_commits: int
    total_commits: int
    rewritten: bool = False  # history was rewritten (force push) since the last run
    removed: int = 0  # commits deleted because no longer reachable
    up_to_date: bool = False  # nothing new: no history was walked
    seconds: float = 0.0


def identity_key(name: str, email: str) -> str:
    return f"{name} <{email}>"


def collect_repository(
    engine: Engine,
    *,
    name: str,
    location: str,
    branch: str | None,
    mirrors: Path,
    progress: Progress | None = None,
) -> GitCollectResult:
    started = time.perf_counter()
    git_dir = mirror(location, mirrors / f"{name}.git")
    ref = f"refs/heads/{branch}" if branch else "HEAD"
    new_head = _resolve(git_dir, ref)
    if branch and new_head is None:
        raise CollectorError(f"branch {branch!r} not found", location=location, field="branch")
    source_id, old_head = _ensure_source(engine, name, location, branch)

    def finish(
        new: int, *, rewritten: bool = False, removed: int = 0, idle: bool = False
    ) -> GitCollectResult:
        total = _set_head(engine, source_id, new_head)
        return GitCollectResult(
            name, new_head, new, total, rewritten, removed, idle, time.perf_counter() - started
        )

    if new_head == old_head:
        return finish(0, idle=True)
    if new_head is None:  # the branch became empty: keep nothing
        removed = _delete_unreachable(engine, source_id, set())
        return finish(0, rewritten=True, removed=removed)

    rewritten = False
    removed = 0
    revisions = Revisions((new_head,))
    if old_head is not None:
        if _is_ancestor(git_dir, old_head, new_head):
            revisions = Revisions((new_head,), (old_head,))
        else:
            rewritten = True
            reachable = _rev_list(git_dir, new_head)
            removed = _delete_unreachable(engine, source_id, reachable)
            if _exists(git_dir, old_head):
                revisions = Revisions((new_head,), (old_head,))

    collector = GitCollector(git_dir, revisions, mailmap_ref=new_head)
    written = 0
    batch: list[CommitRecord] = []
    for record in collector.collect():
        batch.append(record)
        if len(batch) >= BATCH:
            written += write_commits(engine, source_id, batch)
            batch = []
            if progress:
                progress(name, written)
    if batch:
        written += write_commits(engine, source_id, batch)
    if progress:
        progress(name, written)
    return finish(written, rewritten=rewritten, removed=removed)


def _resolve(git_dir: Path, ref: str) -> str | None:
    result = run_git(
        git_dir,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        check=False,
    )
    sha = result.stdout.decode("ascii", "replace").strip()
    return sha if result.returncode == 0 and sha else None


def _is_ancestor(git_dir: Path, old: str, new: str) -> bool:
    result = run_git(
        git_dir, "merge-base", "--is-ancestor", "--end-of-options", old, new, check=False
    )
    return result.returncode == 0


def _exists(git_dir: Path, sha: str) -> bool:
    return run_git(git_dir, "cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0


def _rev_list(git_dir: Path, head: str) -> set[str]:
    out = run_git(git_dir, "rev-list", "--end-of-options", head).stdout
    return set(out.decode("ascii").split())


def _ensure_source(
    engine: Engine, name: str, location: str, branch: str | None
) -> tuple[int, str | None]:
    src = table(models.Source)
    with transaction(engine) as conn:
        row = conn.execute(
            select(src.c.id, src.c.kind, src.c.head).where(src.c.name == name)
        ).first()
        if row is None:
            upsert(
                conn,
                src,
                [{"name": name, "kind": "git", "location": location, "ref": branch}],
                key=["name"],
            )
            row = conn.execute(
                select(src.c.id, src.c.kind, src.c.head).where(src.c.name == name)
            ).one()
        elif row.kind != "git":
            raise CollectorError(
                f"source name {name!r} is already used by a {row.kind} source", field="git.name"
            )
        conn.execute(update(src).where(src.c.id == row.id).values(location=location, ref=branch))
    return row.id, row.head


def _set_head(engine: Engine, source_id: int, head: str | None) -> int:
    src, com = table(models.Source), table(models.Commit)
    with transaction(engine) as conn:
        total = conn.execute(
            select(func.count()).select_from(com).where(com.c.source_id == source_id)
        ).scalar_one()
        conn.execute(
            update(src)
            .where(src.c.id == source_id)
            .values(head=head, records=total, updated_at=datetime.now(UTC))
        )
    return int(total)


def _delete_unreachable(engine: Engine, source_id: int, reachable: set[str]) -> int:
    com = table(models.Commit)
    with transaction(engine) as conn:
        stored = conn.execute(select(com.c.id, com.c.sha).where(com.c.source_id == source_id)).all()
        gone = [row.id for row in stored if row.sha not in reachable]
        for start in range(0, len(gone), 500):
            delete_commits(conn, gone[start : start + 500])
    return len(gone)


def delete_commits(conn: Connection, commit_ids: Sequence[int]) -> None:
    """Delete commits and every row that refers to them."""
    for model in (models.FileChange, models.Trailer, models.CommitWorkItem):
        tbl = table(model)
        conn.execute(delete(tbl).where(tbl.c.commit_id.in_(commit_ids)))
    com = table(models.Commit)
    conn.execute(delete(com).where(com.c.id.in_(commit_ids)))


def _identity_row(sig: Signature) -> dict[str, Any]:
    return {
        "kind": "git",
        "key": identity_key(sig.name, sig.email),
        "name": sig.name,
        "email": sig.email,
        "mapped_name": sig.mapped_name,
        "mapped_email": sig.mapped_email,
    }


def _trailer_identity(value: str) -> dict[str, Any] | None:
    match = _PERSON.match(value)
    if not match:
        return None
    name, email = match.group("name").strip(), match.group("email").strip()
    return {"kind": "git", "key": identity_key(name, email), "name": name, "email": email}


def write_commits(engine: Engine, source_id: int, records: Sequence[CommitRecord]) -> int:
    """Write one batch in one transaction, skipping stored commits; returns how many were new."""
    com = table(models.Commit)
    with transaction(engine) as conn:
        shas = [r.sha for r in records]
        existing = set(
            conn.execute(
                select(com.c.sha).where(com.c.source_id == source_id, com.c.sha.in_(shas))
            ).scalars()
        )
        fresh = [r for r in records if r.sha not in existing]
        if not fresh:
            return 0
        identities = _write_identities(conn, fresh)
        paths = _write_paths(
            conn,
            (c.path for r in fresh for c in r.changes),
            (c.old_path for r in fresh for c in r.changes),
        )
        conn.execute(com.insert(), [_commit_row(source_id, r, identities) for r in fresh])
        ids = dict(
            conn.execute(
                select(com.c.sha, com.c.id).where(
                    com.c.source_id == source_id, com.c.sha.in_([r.sha for r in fresh])
                )
            ).all()
        )
        changes = [
            {
                "commit_id": ids[r.sha],
                "path_id": paths[c.path],
                "old_path_id": paths[c.old_path] if c.old_path is not None else None,
                "added": c.added,
                "deleted": c.deleted,
                "binary": c.binary,
            }
            for r in fresh
            for c in r.changes
        ]
        if changes:
            conn.execute(table(models.FileChange).insert(), changes)
        trailers = []
        for r in fresh:
            for key, value in r.trailers:
                ident = _trailer_identity(value)
                trailers.append(
                    {
                        "commit_id": ids[r.sha],
                        "key": key.lower(),
                        "value": value,
                        "identity_id": identities.get(ident["key"]) if ident else None,
                    }
                )
        if trailers:
            conn.execute(table(models.Trailer).insert(), trailers)
    return len(fresh)


def _write_identities(conn: Connection, records: Sequence[CommitRecord]) -> dict[str, int]:
    ident = table(models.Identity)
    signers = {
        row["key"]: row
        for r in records
        for row in (_identity_row(r.author), _identity_row(r.committer))
    }
    mentioned = {
        row["key"]: row
        for r in records
        for _, value in r.trailers
        if (row := _trailer_identity(value)) is not None and row["key"] not in signers
    }
    # Trailer-only people first (no mailmap known), then signers with their mailmap result.
    upsert(conn, ident, list(mentioned.values()), key=["kind", "key"])
    upsert(
        conn,
        ident,
        list(signers.values()),
        key=["kind", "key"],
        update=["mapped_name", "mapped_email"],
    )
    keys = list(signers) + list(mentioned)
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(
            conn.execute(
                select(ident.c.key, ident.c.id).where(ident.c.kind == "git", ident.c.key.in_(chunk))
            ).all()
        )
    return found


def _write_paths(conn: Connection, *groups: Iterable[str | None]) -> dict[str, int]:
    wanted = {p for group in groups for p in group if p is not None}
    if not wanted:
        return {}
    tbl = table(models.Path)
    upsert(conn, tbl, [{"path": p} for p in wanted], key=["path"])
    return id_map(conn, tbl, "path", wanted)


def _commit_row(source_id: int, record: CommitRecord, identities: dict[str, int]) -> dict[str, Any]:
    text_changes = [c for c in record.changes if not c.binary]
    return {
        "source_id": source_id,
        "sha": record.sha,
        "parents": " ".join(record.parents),
        "author_id": identities[identity_key(record.author.name, record.author.email)],
        "committer_id": identities[identity_key(record.committer.name, record.committer.email)],
        "authored_at": record.author.timestamp,
        "author_offset": record.author.offset_minutes,
        "committed_at": record.committer.timestamp,
        "committer_offset": record.committer.offset_minutes,
        "message": record.message,
        "encoding": record.encoding,
        "is_merge": record.is_merge,
        "added": sum(c.added or 0 for c in text_changes),
        "deleted": sum(c.deleted or 0 for c in text_changes),
        "files": len(record.changes),
        "flags": list(record.flags),
    }
