"""Populate the collected tables of a real store directly, for resolution tests.

End-to-end tests go through the real collectors; these builders let unit tests
state exactly the history they need (authors, offsets, paths, roster rows).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from auditor.kernel.config import LoadedConfig, load_config
from auditor.store import models
from auditor.store.engine import transaction


class StoreBuilder:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._shas = 0

    def _insert(self, model: type, **values: Any) -> int:
        with transaction(self.engine) as conn:
            result = conn.execute(model.insert().values(**values))
            return int(result.inserted_primary_key[0])

    def source(self, name: str, kind: str = "git", location: str | None = None) -> int:
        return self._insert(models.Source, name=name, kind=kind, location=location or name)

    def identity(self, kind: str, key: str, **fields: Any) -> int:
        return self._insert(models.Identity, kind=kind, key=key, **fields)

    def git_identity(self, name: str, email: str, *, mapped: tuple[str, str] | None = None) -> int:
        mapped_name, mapped_email = mapped or (name, email)
        return self.identity(
            "git",
            f"{name} <{email}>",
            name=name,
            email=email,
            mapped_name=mapped_name,
            mapped_email=mapped_email,
        )

    def path_id(self, path: str) -> int:
        tbl = models.Path
        with transaction(self.engine) as conn:
            found = conn.execute(select(tbl.c.id).where(tbl.c.path == path)).scalar()
            if found is not None:
                return int(found)
            return int(conn.execute(tbl.insert().values(path=path)).inserted_primary_key[0])

    def commit(
        self,
        source_id: int,
        author_id: int,
        when: str,
        files: dict[str, tuple[int, int]] | None = None,
        *,
        merge: bool = False,
    ) -> int:
        """`when`: ISO date-time with offset, e.g. '2025-03-01T10:00:00+08:00'."""
        moment = datetime.fromisoformat(when)
        offset = moment.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        self._shas += 1
        files = files or {}
        commit_id = self._insert(
            models.Commit,
            source_id=source_id,
            sha=f"{self._shas:040x}",
            author_id=author_id,
            committer_id=author_id,
            authored_at=int(moment.timestamp()),
            author_offset=minutes,
            committed_at=int(moment.timestamp()),
            committer_offset=minutes,
            is_merge=merge,
            parents="a b" if merge else "",
            added=sum(a for a, _ in files.values()),
            deleted=sum(d for _, d in files.values()),
            files=len(files),
        )
        for path, (added, deleted) in files.items():
            self._insert(
                models.FileChange,
                commit_id=commit_id,
                path_id=self.path_id(path),
                added=added,
                deleted=deleted,
            )
        return commit_id

    def roster(
        self,
        source_id: int,
        line: int,
        email: str,
        name: str,
        country: str,
        valid_from: date | None = None,
        valid_to: date | None = None,
    ) -> int:
        return self._insert(
            models.RosterEntry,
            source_id=source_id,
            line=line,
            email=email,
            name=name,
            country=country,
            valid_from=valid_from,
            valid_to=valid_to,
        )

    def work_item(self, source_id: int, key: str, **fields: Any) -> int:
        return self._insert(models.WorkItem, source_id=source_id, key=key, kind="Bug", **fields)


def write_config(directory: Path, body: str) -> LoadedConfig:
    path = directory / "auditor.toml"
    path.write_text(body, encoding="utf-8")
    return load_config(path)


def newest_resolution(engine: Engine) -> int:
    """The id of the resolution `resolve_all` wrote last (readers select by it)."""
    from sqlalchemy import func, select

    with engine.connect() as conn:
        return int(conn.execute(select(func.max(models.Resolution.c.id))).scalar_one())
