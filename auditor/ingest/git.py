"""Mining one git source into the store: incremental, idempotent, crash-safe.

- The repository is mined from a sanitized bare mirror (see collectors/git_mirror.py),
  locked for the run: a second collect of the same workspace waits.
- `source.head` is the last commit mined on the source's ref. A run with the
  same head walks no history; a fast-forward mines `old..new` only; a rewritten
  history (force push) deletes the stored commits no longer reachable and mines
  what is new.
- Commits go in batches, one transaction each, skipping shas already stored,
  and `source.head` moves only after every batch is in: a run killed at any
  point (even SIGKILL) is completed by the next one without duplicates.
"""

from __future__ import annotations

import atexit
import gc
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty
from typing import Any

from sqlalchemy import Engine, Table, delete, func, select, update
from sqlalchemy.engine import Connection

from auditor.ingest.worker_pool import progress_queue, start_workers, worker_pool
from auditor.kernel.errors import CollectorError, MissingObjectError
from auditor.store import models
from auditor.store import warnings as run_warnings
from auditor.store.deletions import note_deletion
from auditor.store.engine import id_map, make_engine, transaction, upsert
from collectors.git import GitCollector, MailMap, Revisions
from collectors.git_lines import lines
from collectors.git_mirror import Notify, empty_repository, mirror, mirror_lock, remote_head
from collectors.git_paths import REJECTED_FLAG
from collectors.git_safety import check_url, popen_git, run_git
from collectors.interface import CommitRecord, Signature

BATCH = 1000  # the first batch; each next one is twice as large, up to BATCH_MAX
BATCH_MAX = 8000  # fewer, larger transactions: each rewrites the index pages it touches
SQLITE_CACHE_KIB = 16384  # room for a large batch's dirty pages (SQLite's default: 2 MB)
RANGE_MIN_COMMITS = 20_000  # below this, starting more processes costs more than it saves
RANGES_PER_WORKER = 4  # ranges handed out one at a time, so that the workers finish together
RANGE_MIN_PIECE = 5000  # commits: a smaller range costs more in start-up than it balances
# (source name, commits written so far, commits to write or None when not counted)
Progress = Callable[[str, int, int | None], None]

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
    shallow: str | None = None  # the warning when the history is cut short (a shallow clone)
    notes: tuple[str, ...] = ()  # what the mirror left out (alternates, refs without objects)


@dataclass(frozen=True, slots=True)
class Mined:
    """What mining one history (or one range of it) wrote, and what it could not fully read."""

    written: int = 0
    lines_unknown: int = 0  # commits stored without line counts (a blob was missing)
    rejected: int = 0  # commits whose tree held paths outside the repository (not stored)
    missing_object: str | None = None  # the first object git could not read

    def __add__(self, other: Mined) -> Mined:
        return Mined(
            self.written + other.written,
            self.lines_unknown + other.lines_unknown,
            self.rejected + other.rejected,
            self.missing_object or other.missing_object,
        )

    def notes(self) -> tuple[str, ...]:
        notes = []
        if self.lines_unknown:
            notes.append(
                f"line counts unknown for {self.lines_unknown:,} commits: objects missing "
                f"(first: {self.missing_object or 'unknown'}); their paths are recorded"
            )
        if self.rejected:
            notes.append(
                f"{self.rejected:,} commits have tree entries outside the repository "
                "('..', '.git', absolute): those paths were not stored"
            )
        return tuple(notes)


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
    ranges: int = 1,
    notify: Notify | None = None,
) -> GitCollectResult:
    """Mine `location` into the store; `ranges > 1` splits a long history across processes.

    The mirror is locked for the whole run: a second collect of the same
    workspace waits (and `notify` says so) instead of racing on the mirror.
    """
    cache = mirrors / f"{name}.git"
    check_url(location)  # before anything is written
    with mirror_lock(cache, notify):
        try:
            return _collect_locked(engine, name, location, branch, cache, progress, ranges)
        except MissingObjectError as exc:
            raise MissingObjectError(exc.message, exc.object_id, location=location) from exc


def _collect_locked(
    engine: Engine,
    name: str,
    location: str,
    branch: str | None,
    cache: Path,
    progress: Progress | None,
    ranges: int,
) -> GitCollectResult:
    started = time.perf_counter()
    ref = f"refs/heads/{branch}" if branch else "HEAD"
    source_id, old_head = _ensure_source(engine, name, location, branch)
    scratch = empty_repository(cache.parent)
    previous_boundary = stored_boundary(engine, source_id)
    if head_unmoved(old_head, previous_boundary, lambda: remote_head(location, ref, scratch)):
        # No fetch, no history walked.
        total = _set_head(engine, source_id, old_head)
        kept = run_warnings.of_step(engine, f"collect:{name}")  # a shallow history stays so
        return GitCollectResult(
            name,
            old_head,
            0,
            total,
            up_to_date=True,
            seconds=time.perf_counter() - started,
            shallow=kept[0] if kept else None,
        )
    mirrored = mirror(location, cache)
    git_dir = mirrored.git_dir
    new_head = _resolve(git_dir, ref)
    boundary = shallow_boundary(git_dir)
    if branch and new_head is None:
        raise CollectorError(f"branch {branch!r} not found", location=location, field="branch")
    if new_head is None and old_head is None:
        raise CollectorError("no commits", location=location)

    def finish(
        mined: Mined, *, rewritten: bool = False, removed: int = 0, idle: bool = False
    ) -> GitCollectResult:
        if new_head is not None:
            remap_identities(engine, source_id, git_dir, new_head)
        total = _set_head(engine, source_id, new_head)
        shallow = _record_shallow(engine, name, git_dir, new_head, boundary)
        _store_boundary(engine, source_id, boundary)
        notes = mirrored.notes + mined.notes()
        with transaction(engine) as conn:  # later commands (check, export, TUI) list them too
            run_warnings.record(conn, f"collect:{name}:history", [f"{name}: {n}" for n in notes])
        return GitCollectResult(
            name,
            new_head,
            mined.written,
            total,
            rewritten,
            removed,
            idle,
            time.perf_counter() - started,
            shallow,
            notes,
        )

    # Commits that were a shallow clone's boundary have their parents now (`git fetch
    # --deepen`/`--unshallow`): stored without changes, they are mined again, with the
    # history that was cut off below them.
    deepened = sorted(previous_boundary - boundary)
    if deepened:
        _delete_shas(engine, source_id, deepened)
    if new_head == old_head and not deepened:
        return finish(Mined(), idle=True)
    if new_head is None:  # the branch became empty: keep nothing
        removed = _delete_unreachable(engine, source_id, set())
        return finish(Mined(), rewritten=True, removed=removed)

    rewritten = False
    removed = 0
    revisions = Revisions((new_head,))
    if old_head is not None and not deepened:
        if _is_ancestor(git_dir, old_head, new_head):
            revisions = Revisions((new_head,), (old_head,))
        else:
            rewritten = True
            reachable = _rev_list(git_dir, new_head)
            removed = _delete_unreachable(engine, source_id, reachable)
            if _exists(git_dir, old_head):
                revisions = Revisions((new_head,), (old_head,))

    assert new_head is not None
    expected: int | None = None
    if ranges > 1:
        with _CommitLister(git_dir, revisions) as lister:
            first = lister.take(RANGE_MIN_COMMITS)
            if len(first) >= RANGE_MIN_COMMITS:
                with worker_pool(ranges) as (pool, updates):
                    start_workers(pool, ranges, _worker_ready)  # while the rest is listed
                    listed = first + lister.take(None)
                    mined = _mine_ranges(
                        pool, updates, engine, name, source_id, git_dir, listed, new_head,
                        ranges, progress, boundary,
                    )  # fmt: skip
                return finish(mined, rewritten=rewritten, removed=removed)
        expected = len(first)
    elif progress:
        expected = _count(git_dir, revisions)
    collector = GitCollector(git_dir, revisions, mailmap_ref=new_head)
    report = (lambda count: progress(name, count, expected)) if progress else None
    mined = _write_all(engine, source_id, collector, report, boundary)
    return finish(mined, rewritten=rewritten, removed=removed)


def _write_all(
    engine: Engine,
    source_id: int,
    collector: GitCollector,
    report: Callable[[int], None] | None,
    boundary: frozenset[str] = frozenset(),
    writer: CommitWriter | None = None,
) -> Mined:
    """Write everything `collector` yields in batches, one transaction each (with `writer`,
    one that already knows ids from earlier ranges of the same source and store)."""
    writer = writer or CommitWriter(engine, source_id, boundary)
    written = unknown = rejected = 0
    size = BATCH
    batch: list[CommitRecord] = []
    with _fewer_gc_passes():
        for record in collector.collect():
            if record.flags:
                unknown += "lines-unknown" in record.flags
                rejected += REJECTED_FLAG in record.flags
            batch.append(record)
            if len(batch) >= size:
                written += writer.write(batch)
                batch = []
                size = min(2 * size, BATCH_MAX)
                if report:
                    report(written)
        if batch:
            written += writer.write(batch)
    if report:
        report(written)
    return Mined(written, unknown, rejected, collector.missing_object)


@contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """Run the cycle collector every 50,000 new objects instead of every 700.

    Mining allocates millions of short-lived objects that form no cycles (records,
    rows); by default every tenth pass of the collector walks the whole heap,
    which cost about 0.9 CPU s per 100,000 commits for nothing.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class _CommitLister:
    """`git rev-list` of what a walk will mine, read as far as the caller asks.

    Whether a history is long enough for ranges is known after RANGE_MIN_COMMITS
    lines: the workers start then, while git lists the rest.
    """

    def __init__(self, git_dir: Path, revisions: Revisions):
        self.proc = popen_git(git_dir, "rev-list", "--end-of-options", *revisions.args(), "--")

    def __enter__(self) -> _CommitLister:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def take(self, count: int | None) -> list[str]:
        """The next `count` commits (all the rest when None); fewer when the list ends."""
        assert self.proc.stdout is not None and self.proc.stderr is not None
        if count is None:
            taken = self.proc.stdout.read().decode("ascii").split()
        else:
            lines = (self.proc.stdout.readline() for _ in range(count))
            taken = [sha for line in lines if (sha := line.decode("ascii").strip())]
        if (count is None or len(taken) < count) and self.proc.wait() != 0:
            detail = self.proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
            raise CollectorError(f"git rev-list failed: {detail[-1] if detail else 'no output'}")
        return taken


def _worker_ready() -> None:
    """Nothing: a worker that runs it has imported this module (see start_workers)."""


def _mine_ranges(
    pool: ProcessPoolExecutor,
    updates: Any,
    engine: Engine,
    name: str,
    source_id: int,
    git_dir: Path,
    commits: list[str],
    mailmap_ref: str,
    workers: int,
    progress: Progress | None,
    boundary: frozenset[str] = frozenset(),
) -> Mined:
    """Mine one history split into contiguous ranges across the `workers` processes of `pool`.

    Git computes diffs on one core per range while Python parses beside it; the
    writers queue on the store (SQLite: BEGIN IMMEDIATE). There are a few more
    ranges than workers, each worker taking the next when it is done: eras of a
    history differ in diff cost, and equal halves would leave one core idle
    while the other finishes the expensive one. The head moves only after every
    range is in, so an interrupted run is completed by the next.
    """
    pieces = max(workers, min(workers * RANGES_PER_WORKER, len(commits) // RANGE_MIN_PIECE))
    size = -(-len(commits) // pieces)
    chunks = [commits[i : i + size] for i in range(0, len(commits), size)]
    url = engine.url.render_as_string(hide_password=False)
    done: dict[int, int] = {}
    pending = {
        pool.submit(_mine_chunk, url, source_id, str(git_dir), chunk, mailmap_ref, index, boundary)
        for index, chunk in enumerate(chunks)
    }
    futures = list(pending)
    while pending:
        # Woken by a range that finishes, not only by the timeout: no idle wait at the end.
        _finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        heard = False
        while True:
            try:
                index, count = updates.get_nowait()
            except Empty:
                break
            done[index], heard = count, True
        if progress and heard:
            progress(name, sum(done.values()), len(commits))
    mined = sum((f.result() for f in futures), Mined())  # re-raises a worker's error
    if progress:
        progress(name, mined.written, len(commits))
    return mined


@dataclass(frozen=True, slots=True)
class _RangeWorker:
    """What a worker keeps between the ranges of one source it mines: its engine, the
    writer's identity and path ids, the mailmap's answers. Starting each range afresh
    cost about 0.2 CPU s a range on git/git (engine, ids upserted again, more
    `check-mailmap` runs)."""

    engine: Engine
    writer: CommitWriter
    mailmap: MailMap


_range_workers: dict[tuple[str, int, str, str, frozenset[str]], _RangeWorker] = {}


def _range_worker(
    url: str, source_id: int, git_dir: str, mailmap_ref: str, boundary: frozenset[str]
) -> _RangeWorker:
    key = (url, source_id, git_dir, mailmap_ref, boundary)
    if key not in _range_workers:
        engine = make_engine(url)
        atexit.register(engine.dispose)  # the worker exits when the pool is done with it
        _range_workers[key] = _RangeWorker(
            engine, CommitWriter(engine, source_id, boundary), MailMap(Path(git_dir), mailmap_ref)
        )
    return _range_workers[key]


def _mine_chunk(
    url: str,
    source_id: int,
    git_dir: str,
    commits: list[str],
    mailmap_ref: str,
    index: int,
    boundary: frozenset[str] = frozenset(),
) -> Mined:
    worker = _range_worker(url, source_id, git_dir, mailmap_ref, boundary)
    updates = progress_queue()
    collector = GitCollector(
        Path(git_dir),
        Revisions(commits=tuple(commits)),
        mailmap_ref=mailmap_ref,
        mailmap=worker.mailmap,
    )
    return _write_all(
        worker.engine,
        source_id,
        collector,
        lambda count: updates.put((index, count)),
        boundary,
        worker.writer,
    )


def remap_identities(engine: Engine, source_id: int, git_dir: Path, head: str) -> int:
    """Apply the `.mailmap` of `head` to every signer of this source's commits.

    New commits are mapped as they are mined; when the committed `.mailmap` changed
    since the last run (its blob id, kept in `store_meta`), the identities of older
    commits are mapped again, so the store equals a clean collect of the same
    history. Returns how many identities changed.
    """
    found = run_git(
        git_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{head}:.mailmap",
        check=False,
    )  # fmt: skip
    blob = found.stdout.decode("ascii", "replace").strip() if found.returncode == 0 else ""
    meta, ident, com = models.StoreMeta, models.Identity, models.Commit
    key = f"mailmap.blob:{source_id}"
    with engine.connect() as conn:
        known = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    if known == blob:
        return 0
    mailmap = MailMap(git_dir, head)
    changed = 0
    with transaction(engine) as conn:
        signer_ids = (
            select(com.c.author_id.label("id")).where(com.c.source_id == source_id)
        ).union(select(com.c.committer_id).where(com.c.source_id == source_id))
        rows = conn.execute(
            select(
                ident.c.id, ident.c.name, ident.c.email, ident.c.mapped_name, ident.c.mapped_email
            ).where(ident.c.id.in_(select(signer_ids.subquery().c.id)))
        ).all()
        mailmap.resolve((row.name or "", row.email or "") for row in rows)
        for row in rows:
            mapped = mailmap.map(row.name or "", row.email or "")
            if mapped != (row.mapped_name, row.mapped_email):
                conn.execute(
                    update(ident)
                    .where(ident.c.id == row.id)
                    .values(mapped_name=mapped[0], mapped_email=mapped[1])
                )
                changed += 1
        upsert(conn, meta, [{"key": key, "value": blob}], key=["key"], update=["value"])
    return changed


def shallow_boundary(git_dir: Path) -> frozenset[str]:
    """The commits a shallow clone cut off from their parents (empty for a full history)."""
    found = run_git(git_dir, "rev-parse", "--git-path", "shallow", check=False)
    relative = found.stdout.decode("utf-8", "replace").strip()
    if found.returncode != 0 or not relative:
        return frozenset()
    path = Path(relative) if Path(relative).is_absolute() else git_dir / relative
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    return frozenset(line.strip() for line in lines(text) if line.strip())


def _record_shallow(
    engine: Engine, name: str, git_dir: Path, head: str | None, boundary: frozenset[str]
) -> str | None:
    """Keep (or clear) the source's shallow-history warning; return it."""
    line = None
    if boundary and head is not None:
        depth = run_git(git_dir, "rev-list", "--count", "--end-of-options", head, check=False)
        count = depth.stdout.decode("ascii", "replace").strip() or "?"
        com = models.Commit
        with engine.connect() as conn:
            oldest = conn.execute(
                select(func.min(com.c.committed_at)).where(com.c.sha.in_(sorted(boundary)))
            ).scalar()
        since = datetime.fromtimestamp(oldest, UTC).date().isoformat() if oldest else "?"
        line = (
            f"{name}: shallow clone ({count} commits deep, history from {since}): changes before "
            "it are unknown and the boundary commits' changes are not counted; fetch the whole "
            "history (git fetch --unshallow; CI: fetch-depth: 0)"
        )
    with transaction(engine) as conn:
        run_warnings.record(conn, f"collect:{name}", [line] if line else [])
    return line


def _count(git_dir: Path, revisions: Revisions) -> int | None:
    """How many commits a walk will yield (for progress), None when git cannot say."""
    result = run_git(
        git_dir, "rev-list", "--count", "--end-of-options", *revisions.args(), "--", check=False
    )
    text = result.stdout.decode("ascii", "replace").strip()
    return int(text) if result.returncode == 0 and text.isdigit() else None


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
    src = models.Source
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
    src, com = models.Source, models.Commit
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


def head_unmoved(
    stored_head: str | None, boundary: frozenset[str], current_head: Callable[[], str | None]
) -> bool:
    """Whether a source has nothing to mine: its ref still points at the head the last
    collect stored. One repository (`collect_repository`) and many quiet ones at once
    (`auditor.ingest.collect`) ask this alike.

    Never for a history stored with a shallow boundary: `git fetch --deepen` or
    `--unshallow` brings the history below it without moving the head. `current_head`
    (which runs git or reads the source) is asked only when the answer depends on it.
    """
    if stored_head is None or boundary:
        return False
    return current_head() == stored_head


def stored_boundary(engine: Engine, source_id: int) -> frozenset[str]:
    """The shallow boundary the source had when it was last mined."""
    meta = models.StoreMeta
    with engine.connect() as conn:
        value = conn.execute(
            select(meta.c.value).where(meta.c.key == f"shallow.boundary:{source_id}")
        ).scalar()
    return frozenset(value.split()) if value else frozenset()


def _store_boundary(engine: Engine, source_id: int, boundary: frozenset[str]) -> None:
    meta = models.StoreMeta
    key = f"shallow.boundary:{source_id}"
    with transaction(engine) as conn:
        if boundary:
            value = " ".join(sorted(boundary))
            upsert(conn, meta, [{"key": key, "value": value}], key=["key"], update=["value"])
        else:
            conn.execute(delete(meta).where(meta.c.key == key))


def _delete_shas(engine: Engine, source_id: int, shas: Sequence[str]) -> None:
    com = models.Commit
    with transaction(engine) as conn:
        for start in range(0, len(shas), 500):
            chunk = list(shas[start : start + 500])
            ids = conn.execute(
                select(com.c.id).where(com.c.source_id == source_id, com.c.sha.in_(chunk))
            ).scalars()
            delete_commits(conn, list(ids))


def _delete_unreachable(engine: Engine, source_id: int, reachable: set[str]) -> int:
    com = models.Commit
    with transaction(engine) as conn:
        stored = conn.execute(select(com.c.id, com.c.sha).where(com.c.source_id == source_id)).all()
        gone = [row.id for row in stored if row.sha not in reachable]
        for start in range(0, len(gone), 500):
            delete_commits(conn, gone[start : start + 500])
    return len(gone)


def delete_commits(conn: Connection, commit_ids: Sequence[int]) -> None:
    """Delete commits and every row that refers to them (and say so: `note_deletion`)."""
    if not commit_ids:
        return
    note_deletion(conn)
    for model in (models.FileChange, models.Trailer, models.CommitWorkItem):
        tbl = model
        conn.execute(delete(tbl).where(tbl.c.commit_id.in_(commit_ids)))
    com = models.Commit
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


_COMMIT_COLUMNS = (
    "source_id", "sha", "parents", "author_id", "committer_id", "authored_at", "author_offset",
    "committed_at", "committer_offset", "message", "encoding", "is_merge", "added", "deleted",
    "files", "flags",
)  # fmt: skip
_CHANGE_COLUMNS = ("commit_id", "path_id", "old_path_id", "added", "deleted", "binary")
_TRAILER_COLUMNS = ("commit_id", "key", "value", "identity_id")


class CommitWriter:
    """Writes batches of one source's commits, one transaction per batch.

    Identity and path ids are remembered between batches (they are never
    deleted), so a batch only upserts the identities and paths it is the first
    to see. On SQLite rows go straight to the driver's `executemany`: building
    SQLAlchemy parameters per row cost more than SQLite itself.
    """

    def __init__(self, engine: Engine, source_id: int, boundary: frozenset[str] = frozenset()):
        self.engine = engine
        self.source_id = source_id
        # Shallow-clone boundary commits: git diffs them against nothing, as if they added
        # every file they inherit. Their metadata stays; their changes are unknown.
        self.boundary = boundary
        self.identities: dict[str, int] = {}  # identity key -> id
        # The same ids by (name, e-mail) as commits carry them: no key string built per commit.
        self.signers: dict[tuple[str, str], int] = {}
        self.mentions: dict[str, dict[str, Any] | None] = {}  # trailer value -> identity row
        # Keys written as signers, with their mailmap result. A key first met in a trailer is
        # known without one: its first commit, in whatever batch, still records the mapping.
        self.mapped: set[str] = set()
        self.paths: dict[str, int] = {}
        # SQLite rows go to the driver, which wants the JSON column as text.
        self.sqlite = engine.dialect.name == "sqlite"

    def _commit_ids(self, conn: Connection, shas: Sequence[str]) -> dict[str, int]:
        """{sha: id} of this source's stored commits among `shas`."""
        com = models.Commit
        found: dict[str, int] = {}
        for start in range(0, len(shas), 500):
            chunk = shas[start : start + 500]
            if self.sqlite:  # plain SQL: compiling 500 bound parameters cost more than the query
                marks = ", ".join("?" * len(chunk))
                rows = conn.exec_driver_sql(
                    f'SELECT sha, id FROM "commit" WHERE source_id = ? AND sha IN ({marks})',
                    (self.source_id, *chunk),
                )
            else:
                rows = conn.execute(
                    select(com.c.sha, com.c.id).where(
                        com.c.source_id == self.source_id, com.c.sha.in_(chunk)
                    )
                )
            found.update(rows.all())
        return found

    def write(self, records: Sequence[CommitRecord]) -> int:
        """Write one batch, skipping commits already stored; returns how many were new."""
        com = models.Commit
        with transaction(self.engine) as conn:
            if self.sqlite:
                # Per connection; without it a large batch spills its dirty pages mid-way.
                conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            existing = self._commit_ids(conn, [r.sha for r in records])
            fresh = [
                _cut_off(r) if r.sha in self.boundary else r
                for r in records
                if r.sha not in existing
            ]
            if not fresh:
                return 0
            self._identities(conn, fresh)
            self._paths(conn, fresh)
            _insert(conn, com, _COMMIT_COLUMNS, [self._commit_row(r) for r in fresh])
            ids = self._commit_ids(conn, [r.sha for r in fresh])
            paths = self.paths
            changes = [
                (
                    ids[r.sha],
                    paths[c.path],
                    None if c.old_path is None else paths[c.old_path],
                    c.added,
                    c.deleted,
                    c.binary,
                )
                for r in fresh
                for c in r.changes
            ]
            # Numbers only (ids, counts, flags): nothing for the store's text escaping to check.
            _insert(conn, models.FileChange, _CHANGE_COLUMNS, changes, text=False)
            trailers = []
            for r in fresh:
                for key, value in r.trailers:
                    ident = self._mention(value)
                    who = self.identities.get(ident["key"]) if ident else None
                    trailers.append((ids[r.sha], key.lower(), value, who))
            _insert(conn, models.Trailer, _TRAILER_COLUMNS, trailers)
        return len(fresh)

    def _mention(self, value: str) -> dict[str, Any] | None:
        """The identity a trailer value names, if it has the form "Name <email>" (cached)."""
        if value not in self.mentions:
            self.mentions[value] = _trailer_identity(value)
        return self.mentions[value]

    def _identities(self, conn: Connection, records: Sequence[CommitRecord]) -> None:
        known, by_pair = self.identities, self.signers
        signers: dict[str, dict[str, Any]] = {}
        new_pairs: dict[tuple[str, str], str] = {}
        for r in records:
            for sig in (r.author, r.committer):
                pair = (sig.name, sig.email)
                if pair in by_pair or pair in new_pairs:
                    continue
                key = new_pairs[pair] = identity_key(sig.name, sig.email)
                if key not in self.mapped and key not in signers:
                    signers[key] = _identity_row(sig)
        mentioned = {
            row["key"]: row
            for r in records
            for _, value in r.trailers
            if (row := self._mention(value)) is not None
            and row["key"] not in known
            and row["key"] not in signers
        }
        self._upsert_identities(conn, signers, mentioned)
        self.mapped.update(signers)
        by_pair.update((pair, known[key]) for pair, key in new_pairs.items())

    def _upsert_identities(
        self,
        conn: Connection,
        signers: dict[str, dict[str, Any]],
        mentioned: dict[str, dict[str, Any]],
    ) -> None:
        known = self.identities
        if not (signers or mentioned):
            return
        ident = models.Identity
        # Trailer-only people first (no mailmap known), then signers with their mailmap result.
        upsert(conn, ident, list(mentioned.values()), key=["kind", "key"])
        upsert(
            conn,
            ident,
            list(signers.values()),
            key=["kind", "key"],
            update=["mapped_name", "mapped_email"],
        )
        keys = [*signers, *mentioned]
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            known.update(
                conn.execute(
                    select(ident.c.key, ident.c.id).where(
                        ident.c.kind == "git", ident.c.key.in_(chunk)
                    )
                ).all()
            )

    def _paths(self, conn: Connection, records: Sequence[CommitRecord]) -> None:
        known = self.paths
        wanted = {
            p
            for r in records
            for c in r.changes
            for p in (c.path, c.old_path)
            if p is not None and p not in known
        }
        if wanted:
            tbl = models.Path
            upsert(conn, tbl, [{"path": p} for p in wanted], key=["path"])
            known.update(id_map(conn, tbl, "path", wanted))

    def _commit_row(self, record: CommitRecord) -> tuple[Any, ...]:
        added = deleted = 0
        for change in record.changes:
            if not change.binary:
                added += change.added or 0
                deleted += change.deleted or 0
        author, committer = record.author, record.committer
        return (
            self.source_id,
            record.sha,
            " ".join(record.parents),
            self.signers[author.name, author.email],
            self.signers[committer.name, committer.email],
            author.timestamp,
            author.offset_minutes,
            committer.timestamp,
            committer.offset_minutes,
            record.message,
            record.encoding,
            len(record.parents) > 1,
            added,
            deleted,
            len(record.changes),
            _flags_text(record.flags) if self.sqlite else list(record.flags),
        )


def _cut_off(record: CommitRecord) -> CommitRecord:
    return replace(record, changes=(), flags=(*record.flags, "shallow-boundary"))


def write_commits(engine: Engine, source_id: int, records: Sequence[CommitRecord]) -> int:
    """Write one batch in one transaction, skipping stored commits; returns how many were new."""
    return CommitWriter(engine, source_id).write(records)


def _flags_text(flags: tuple[str, ...]) -> str:
    return json.dumps(list(flags)) if flags else "[]"


def _insert(
    conn: Connection,
    tbl: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    text: bool = True,
) -> None:
    """Plain inserts of tuples (JSON columns already as text on SQLite).

    `text=False`: the rows hold no strings, so on SQLite they go to the driver's own
    cursor, past the store's per-row text escaping (which would find nothing to do).
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(tbl.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{tbl.name}" ({names}) VALUES ({marks})'
    if text:
        conn.exec_driver_sql(sql, list(rows))
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
