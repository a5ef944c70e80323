"""Shared fixtures: real SQLite stores and real git repositories in tmp dirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.store.engine import make_engine
from tests.gitrepo import GitRepo


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'audit.db'}"


@pytest.fixture
def engine(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Engine]:
    # AUDITOR_TEST_BACKEND=postgresql runs every store test on a fresh PostgreSQL database
    # (tests/postgres/test_suites_on_postgres.py does that for the collector, resolution
    # and rule suites).
    import os

    url = sqlite_url
    if os.environ.get("AUDITOR_TEST_BACKEND") == "postgresql":
        url = str(request.getfixturevalue("pg_url"))
    eng = make_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def make_repo(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _make(name: str = "repo", branch: str = "main") -> GitRepo:
        return GitRepo(tmp_path / name, branch=branch)

    return _make


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample organisation, built once per test process (about 2 s)."""
    from sample_repos.build import build_organisation

    workspace = tmp_path_factory.mktemp("sample-org")
    build_organisation(workspace)
    return workspace


# --- PostgreSQL (issue 9): a server from scripts/ensure-postgres.sh, a fresh database per test.

_PGTEST = Path(__file__).resolve().parent.parent / ".pgtest"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of the PostgreSQL server's maintenance database; skips loudly when there is none."""
    import os

    url = os.environ.get("AUDITOR_TEST_PG_URL")
    if url:
        return url
    if (_PGTEST / "url").is_file():
        return (_PGTEST / "url").read_text().strip()
    reason = (
        (_PGTEST / "skip").read_text().strip()
        if (_PGTEST / "skip").is_file()
        else ("scripts/ensure-postgres.sh has not run (make test runs it)")
    )
    pytest.skip(f"PostgreSQL UNAVAILABLE, postgres tests skipped: {reason}")


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the test server (unique name, dropped afterwards)."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"audit_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url_with_database(postgres_url, name)
    try:
        yield base
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_url_with_database(url: str, database: str) -> str:
    from sqlalchemy.engine.url import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both backends: a fresh SQLite file and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'audit.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def any_engine(store_url: str) -> Iterator[Engine]:
    eng = make_engine(store_url)
    yield eng
    eng.dispose()
