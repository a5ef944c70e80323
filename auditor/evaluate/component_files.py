"""Each component's most-changed file in the policy window: where a SARIF result points.

Code scanning shows a result on a file and line; a component is a set of globs,
so the file that carries most of the component's churn (added + deleted lines
of non-merge commits in the window) stands for it. Ties go to the path that
sorts first, so the location, and the alert it keys, is stable between runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from auditor.kernel.window import Window
from auditor.store import models
from auditor.store.resolutions import of


def most_changed_files(
    conn: Connection, start: date, end: date, resolution_id: int
) -> dict[str, str]:
    """'repo:path' of the file with most churn per component of resolution `resolution_id`
    in [start, end]."""
    commit, change, path = models.Commit, models.FileChange, models.Path
    pc, component, source = (
        models.PathComponent,
        models.Component,
        models.Source,
    )
    low, high = Window(start, end).bounds()
    churn = func.sum(func.coalesce(change.c.added, 0) + func.coalesce(change.c.deleted, 0))
    stmt = (
        select(component.c.name, source.c.name, path.c.path, churn.label("churn"))
        .select_from(change)
        .join(commit, commit.c.id == change.c.commit_id)
        .join(pc, and_(pc.c.source_id == commit.c.source_id, pc.c.path_id == change.c.path_id))
        .join(component, component.c.id == pc.c.component_id)
        .join(source, source.c.id == commit.c.source_id)
        .join(path, path.c.id == change.c.path_id)
        .where(
            commit.c.authored_at >= low,
            commit.c.authored_at < high,
            ~commit.c.is_merge,
            of(pc, resolution_id),
            of(component, resolution_id),
        )
        .group_by(component.c.name, source.c.name, path.c.path)
    )
    best: dict[str, tuple[int, str]] = {}
    for name, repo, file, n in conn.execute(stmt):
        candidate = (-int(n or 0), f"{repo}:{file}")
        if name not in best or candidate < best[name]:
            best[name] = candidate
    return {name: where for name, (_, where) in best.items()}


def component_locations(
    conn: Connection,
    as_of: date,
    window_days: int,
    main_paths: Mapping[str, str | None],
    resolution_id: int,
) -> dict[str, str | None]:
    """Each component's most-changed file in the window, else its main directory."""
    start = as_of - timedelta(days=window_days - 1)
    files = most_changed_files(conn, start, as_of, resolution_id)
    return {name: files.get(name, main) for name, main in main_paths.items()}
