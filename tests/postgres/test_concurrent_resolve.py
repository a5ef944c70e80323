"""Jobs that resolve the same store at once (a CI matrix) share one resolution.

On PostgreSQL two transactions both find no resolution with the digest and
would both insert one; the second then failed on the unique digest and the
job exited 2. `resolve_all` now waits on a lock keyed by the digest and finds
the first job's resolution.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from auditor.ingest.collect import collect_all
from auditor.kernel.config import load_config
from auditor.resolve.pipeline import Resolution, resolve_all
from auditor.store import models
from auditor.store.engine import make_engine

AS_OF = date(2026, 6, 30)


@pytest.mark.postgres
def test_four_jobs_resolving_at_once_get_one_resolution(
    sample_workspace: Path, pg_url: str
) -> None:
    loaded = load_config(sample_workspace / "auditor.toml")
    engine = make_engine(pg_url)
    try:
        collect_all(loaded, engine)
        start = threading.Barrier(4)
        got: list[Resolution] = []
        errors: list[BaseException] = []

        def job() -> None:
            start.wait()
            try:
                got.append(resolve_all(engine, loaded, AS_OF))
            except BaseException as exc:  # reported below, with the others
                errors.append(exc)

        threads = [threading.Thread(target=job) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len({r.id for r in got}) == 1
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(models.Resolution)).scalar() == 1
    finally:
        engine.dispose()
