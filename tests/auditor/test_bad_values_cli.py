"""Bad values on the command line and in the store: exit 2 with one line, never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.store.models import SCHEMA_VERSION
from tests.gitrepo import GitRepo, Who

CONFIG = """
[store]
url = "{url}"

[[git]]
name = "r"
path = "repo"
{extra}
[[components]]
name = "Core"
sensitivity = "critical"
paths = ["r:src/**"]
"""
JIRA = (
    "Summary,Issue key,Issue id,Issue Type,Status,Assignee,Created,Components\n"
    "Fix,CORE-1,1,Bug,Done,Ann,{created},Core\n"
)


def run(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args, "-c", str(workspace / "auditor.toml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=workspace,
    )


def one_clean_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(
        "start",
        author=Who("Ann Lee", "ann@corp.example"),
        date="2025-03-01T10:00:00+0100",
        files={"src/a.c": "a\n"},
    )
    write(tmp_path)
    return tmp_path


def write(workspace: Path, url: str = "sqlite:///audit.db", extra: str = "") -> None:
    (workspace / "auditor.toml").write_text(CONFIG.format(url=url, extra=extra), encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("analyze", "--as-of", "9999-12-31"), "--as-of 9999-12-31 is outside the supported days"),
        (("check", "--as-of", "0001-01-01"), "--as-of 0001-01-01 is outside the supported days"),
        (("people", "--as-of", "0001-01-01"), "--as-of 0001-01-01 is outside the supported days"),
        (("export", "-o", "e.json", "--period", "9999-Q4"), "--period 9999-Q4: years 1900–2999"),
        (
            ("export", "-o", "e.json", "--from", "0001-01-01", "--to", "0001-03-31"),
            "--from 0001-01-01 is outside the supported days",
        ),
        (
            ("export", "-o", "e.json", "--from", "9999-10-01", "--to", "9999-12-31"),
            "--from 9999-10-01 is outside the supported days",
        ),
    ],
)
def test_days_at_the_calendars_edges(workspace: Path, args: tuple[str, ...], expected: str) -> None:
    assert expected in one_clean_line(run(workspace, *args))
    assert not (workspace / "e.json").exists()


def test_unsupported_store_url_names_the_supported_ones(workspace: Path) -> None:
    write(workspace, url="mysql://auditor:secret@db.example/audit")
    line = one_clean_line(run(workspace, "analyze", "--as-of", "2025-06-01"))
    assert line.endswith(
        "unsupported store URL 'mysql://auditor:***@db.example/audit'; "
        "use sqlite:/// or postgresql+psycopg://"
    )


def test_store_file_that_is_not_a_database(workspace: Path) -> None:
    (workspace / "audit.db").write_bytes(b"not a database at all" * 100)
    assert one_clean_line(run(workspace, "people")).endswith(
        "cannot open store: file is not a database"
    )


def test_corrupt_schema_version(workspace: Path) -> None:
    assert run(workspace, "collect").returncode == 0
    with sqlite3.connect(workspace / "audit.db") as db:
        db.execute("UPDATE store_meta SET value = 'v1; DROP' WHERE key = 'schema_version'")
    line = one_clean_line(run(workspace, "analyze", "--as-of", "2025-06-01"))
    assert f"store has schema version 'v1; DROP', this auditor needs {SCHEMA_VERSION}" in line


@pytest.mark.parametrize("created", ["31/Dec/9999 11:00 PM", "0001-01-01T00:00:00+05:00"])
def test_tracker_dates_at_the_calendars_edges(workspace: Path, created: str) -> None:
    (workspace / "jira.csv").write_text(JIRA.format(created=created), encoding="utf-8")
    write(workspace, extra='\n[[tracker]]\nkind = "jira-csv"\npath = "jira.csv"\n')
    line = one_clean_line(run(workspace, "collect"))
    assert "jira.csv:2" in line and "outside the supported years" in line


def test_configuration_that_does_not_hold_creates_no_store(workspace: Path) -> None:
    (workspace / "repo").rename(workspace / "gone")
    for command in ("collect", "check"):
        line = one_clean_line(
            run(workspace, command, *(["--as-of", "2025-06-01"] if command == "check" else []))
        )
        assert "repository not found" in line
    assert not (workspace / "audit.db").exists()
