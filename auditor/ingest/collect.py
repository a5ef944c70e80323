"""`auditor collect`: every configured source into the store.

Git repositories are mined first (in parallel processes with `jobs > 1`, each
with its own engine: SQLite serialises the writers, PostgreSQL takes them
concurrently), then tracker exports and rosters, then commits are linked to
work items. Each step is idempotent, so a re-run after any failure completes
the store.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select, update

from auditor.ingest.git import (
    GitCollectResult,
    Progress,
    collect_repository,
    head_unmoved,
    stored_boundary,
)
from auditor.ingest.links import LinkSummary, link_commits
from auditor.ingest.trackers import ImportResult, import_rosters, import_trackers, tracker_name
from auditor.ingest.worker_pool import progress_queue, worker_pool
from auditor.kernel.config import GitSource, LoadedConfig
from auditor.kernel.errors import CollectorError, UsageError
from auditor.store import models
from auditor.store import warnings as run_warnings
from auditor.store.engine import make_engine, transaction
from collectors.git_mirror import Notify, empty_repository, remote_head

if TYPE_CHECKING:
    from collectors.http_client import Clock


@dataclass(frozen=True, slots=True)
class CollectSummary:
    git: list[GitCollectResult] = field(default_factory=list)
    trackers: list[ImportResult] = field(default_factory=list)
    rosters: list[ImportResult] = field(default_factory=list)
    links: LinkSummary | None = None


def collect_all(
    loaded: LoadedConfig,
    engine: Engine,
    *,
    only: Collection[str] | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    notify: Notify | None = None,
    clock: Clock | None = None,
) -> CollectSummary:
    """Collect every source (or only those named); link commits to work items at the end.

    `progress(name, count)` follows commits mined and API items listed; `notify`
    receives one-line messages of the API sources (rate-limit waits, retries);
    `clock` times their waits (tests pass one that does not sleep).
    """
    config = loaded.config
    known = {g.name for g in config.git} | {tracker_name(t) for t in config.tracker}
    known |= {tracker_name(r) for r in config.roster}
    unknown = sorted(set(only or ()) - known)
    if unknown:
        raise UsageError(f"--only names unknown sources {unknown}; known: {sorted(known)}")
    check_sources_exist(loaded, only)
    repos = [g for g in config.git if only is None or g.name in only]
    git = collect_git(loaded, engine, repos, jobs=jobs, progress=progress, notify=notify)
    trackers = import_trackers(loaded, engine, only=only)
    if any(t.is_api for t in config.tracker):
        # imported here: the HTTP clients (httpx) are ~70 ms a git-only `check` does not need
        from auditor.ingest.api import import_api_trackers

        trackers += import_api_trackers(
            loaded, engine, only=only, clock=clock, notify=notify, progress=progress
        )
    rosters = import_rosters(loaded, engine, only=only)
    links = link_commits(engine, loaded)
    return CollectSummary(git=git, trackers=trackers, rosters=rosters, links=links)


def check_sources_exist(loaded: LoadedConfig, only: Collection[str] | None = None) -> None:
    """Fail before any work when a configured local repository or file is missing.

    The message names the configuration entry (file, line, key) and the resolved path,
    which is what a user needs to fix it.
    """
    config = loaded.config
    entries: list[tuple[str, int, str, str, bool]] = [
        ("git", i, g.name, g.path, False) for i, g in enumerate(config.git) if not g.is_remote
    ]
    entries += [
        ("tracker", i, tracker_name(t), t.path, True)
        for i, t in enumerate(config.tracker)
        if t.path is not None
    ]
    entries += [("roster", i, tracker_name(r), r.path, True) for i, r in enumerate(config.roster)]
    for section, index, name, relative, is_file in entries:
        if only is not None and name not in only:
            continue
        path = loaded.resolve(relative)
        if not (path.is_file() if is_file else path.exists()):
            what = "export file" if section == "tracker" else f"{section} file"
            kind = "repository" if section == "git" else what
            raise CollectorError(
                f"{kind} not found: {path}",
                location=loaded.where(section, index, "path"),
                field=f"{section}[{index}].path",
            )


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's share)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def mirrors_dir(loaded: LoadedConfig) -> Path:
    return loaded.resolve(loaded.config.store.mirrors)


def collect_git(
    loaded: LoadedConfig,
    engine: Engine,
    repos: list[GitSource],
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    notify: Notify | None = None,
) -> list[GitCollectResult]:
    mirrors = mirrors_dir(loaded)
    settled = _unmoved(loaded, engine, repos)
    moved = [repo for repo in repos if repo.name not in settled]
    if jobs <= 1 or len(moved) <= 1:
        # One repository with several jobs: its history is split into ranges instead.
        results = [
            collect_repository(
                engine,
                name=repo.name,
                location=loaded.git_location(repo),
                branch=repo.branch,
                mirrors=mirrors,
                progress=progress,
                ranges=jobs,
                notify=notify,
            )
            for repo in moved
        ]
    else:
        results = _collect_parallel(loaded, moved, mirrors, jobs, progress, notify)
    found = {result.name: result for result in results} | settled
    return [found[repo.name] for repo in repos]


def _unmoved(
    loaded: LoadedConfig, engine: Engine, repos: list[GitSource]
) -> dict[str, GitCollectResult]:
    """Repositories whose ref still points at the head their last collect stored
    (`head_unmoved`, the predicate `collect_repository` asks for one repository).

    Their refs are asked all at once (one `ls-remote` each, from threads, so the
    processes overlap) and the check is recorded in one transaction: an
    incremental collect over many quiet repositories no longer pays a process
    and two transactions per repository one after another. Anything else (a
    new or moved source, a changed location or branch, a ref that cannot be
    read) goes through `collect_repository`, which reports it.
    """
    src = models.Source
    with engine.connect() as conn:
        stored = {
            row.name: row
            for row in conn.execute(
                select(
                    src.c.id, src.c.name, src.c.location, src.c.ref, src.c.head, src.c.records
                ).where(src.c.kind == "git")
            )
        }
    candidates = []
    for repo in repos:
        row = stored.get(repo.name)
        location = loaded.git_location(repo)
        if row is None or not row.head or (row.location, row.ref) != (location, repo.branch):
            continue
        candidates.append((repo, location, row, stored_boundary(engine, row.id)))
    if not candidates:
        return {}
    started = time.perf_counter()
    scratch = empty_repository(mirrors_dir(loaded))

    def unmoved(item: tuple[GitSource, str, Any, frozenset[str]]) -> bool:
        repo, location, row, boundary = item
        ref = f"refs/heads/{repo.branch}" if repo.branch else "HEAD"

        def current() -> str | None:
            try:
                return remote_head(location, ref, scratch)
            except CollectorError:
                return None  # collect_repository reports it

        return head_unmoved(row.head, boundary, current)

    with ThreadPoolExecutor(max_workers=min(8, len(candidates))) as pool:
        quiet = list(pool.map(unmoved, candidates))
    seconds = time.perf_counter() - started
    settled = {
        repo.name: GitCollectResult(
            repo.name,
            row.head,
            0,
            int(row.records),
            up_to_date=True,
            seconds=seconds,
            shallow=next(iter(run_warnings.of_step(engine, f"collect:{repo.name}")), None),
        )
        for (repo, _location, row, _boundary), settles in zip(candidates, quiet, strict=True)
        if settles
    }
    if settled:
        ids = [row.id for repo, _location, row, _boundary in candidates if repo.name in settled]
        with transaction(engine) as conn:
            conn.execute(update(src).where(src.c.id.in_(ids)).values(updated_at=datetime.now(UTC)))
    return settled


def _collect_parallel(
    loaded: LoadedConfig,
    repos: list[GitSource],
    mirrors: Path,
    jobs: int,
    progress: Progress | None,
    notify: Notify | None,
) -> list[GitCollectResult]:
    results: dict[str, GitCollectResult] = {}
    with worker_pool(jobs) as (pool, queue):
        futures = {
            pool.submit(
                _collect_one,
                loaded.store_url,
                repo.name,
                loaded.git_location(repo),
                repo.branch,
                str(mirrors),
            ): repo.name
            for repo in repos
        }
        pending = set(futures)
        while pending:
            _relay(queue, progress, notify)
            for future in [f for f in pending if f.done()]:
                pending.discard(future)
                results[futures[future]] = future.result()  # re-raises a worker's error
    return [results[repo.name] for repo in repos]


def _relay(queue: Any, progress: Progress | None, notify: Notify | None) -> None:
    """Pass on the workers' messages: block briefly for the first, then take what is queued."""
    timeout: float | None = 0.2
    while True:
        try:
            message = queue.get(timeout=timeout) if timeout else queue.get_nowait()
        except Empty:
            return
        timeout = None
        if message[0] == "progress" and progress:
            progress(*message[1:])
        elif message[0] == "notice" and notify:
            notify(message[1])


def _collect_one(
    url: str, name: str, location: str, branch: str | None, mirrors: str
) -> GitCollectResult:
    engine = make_engine(url)
    queue = progress_queue()
    try:
        return collect_repository(
            engine,
            name=name,
            location=location,
            branch=branch,
            mirrors=Path(mirrors),
            progress=lambda n, c, t: queue.put(("progress", n, c, t)),
            notify=lambda text: queue.put(("notice", text)),
        )
    finally:
        engine.dispose()
