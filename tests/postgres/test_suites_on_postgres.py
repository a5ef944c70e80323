"""Collector, import, link, resolution (and its reuse), attribution and rule suites on PostgreSQL.

Their `engine` fixture gives a fresh PostgreSQL database per test when
AUDITOR_TEST_BACKEND=postgresql (tests/conftest.py). Modules left out assert
SQLite's own column representations in raw SQL (JSON as text, dates as
strings) or point the CLI at a SQLite store, which says nothing about the
product on PostgreSQL; the whole pipeline on both backends is compared in
test_pipeline_backends.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITES = [
    "tests/collectors/test_git_collector.py",
    "tests/collectors/test_jira_json.py",
    "tests/collectors/test_links.py",
    "tests/auditor/test_resolve.py",
    "tests/auditor/test_identity.py",
    "tests/auditor/test_resolve_inputs.py",
    "tests/auditor/test_attribution.py",
    "tests/auditor/test_prune.py",
    "tests/auditor/test_run_warnings.py",
    "tests/rules",
]


@pytest.mark.postgres
def test_store_suites_pass_on_postgres(postgres_url: str) -> None:
    env = {**os.environ, "AUDITOR_TEST_BACKEND": "postgresql", "AUDITOR_TEST_PG_URL": postgres_url}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *SUITES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary, summary
