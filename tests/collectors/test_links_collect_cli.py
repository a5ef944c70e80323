"""`auditor collect` end to end: a real repository and exports, linked; bad exports exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from auditor.store import warnings as run_warnings
from auditor.store.engine import make_engine
from tests.fixtures.workspace import fixture, rows, workspace
from tests.gitrepo import GitRepo, Who

BO = Who("Bo Zhang", "bo.zhang@contoso.com")


def _auditor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "400"},
        check=False,
    )


def test_collect_imports_exports_links_commits_and_refuses_bad_input(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repos" / "collab-server")
    repo.commit("SPO-1423: harden NTLM fallback", author=BO, date="2026-03-01T10:00:00+0800",
                files={"src/onprem/auth.c": "a\n"})  # fmt: skip
    repo.commit("Fix farm token expiry (#12)", author=BO, date="2026-03-02T10:00:00+0800",
                files={"src/onprem/auth.c": "b\n"})  # fmt: skip
    repo.commit("Closes AB#4411", author=BO, date="2026-03-03T10:00:00+0800",
                files={"src/onprem/farm.c": "c\n"})  # fmt: skip
    repo.commit("Unrelated UTF-8 cleanup", author=BO, date="2026-03-04T10:00:00+0800",
                files={"README": "d\n"})  # fmt: skip
    loaded = workspace(
        tmp_path,
        git=[{"name": "collab-server", "path": "repos/collab-server"}],
        trackers=[
            {"kind": "jira-csv", "fixture": "jira_csv/cloud.csv"},
            {"kind": "ado-csv", "fixture": "ado_csv/export.csv"},
            {"kind": "github-json", "fixture": "github_json/repo.json"},
        ],
        rosters=[{"fixture": "roster/roster.csv"}],
    )
    config = str(loaded.path)
    first = _auditor("collect", "--config", config)
    assert first.returncode == 0, first.stderr
    assert "linked 3 commits to 3 work items (3 links)" in first.stdout
    assert "3 added, 0 updated" in first.stdout

    again = _auditor("collect", "--config", config)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("unchanged file") == 4
    engine = make_engine(loaded.store_url)
    try:
        links = rows(
            engine,
            "SELECT c.message, w.key, l.via FROM commit_work_item l "
            'JOIN "commit" c ON c.id = l.commit_id JOIN work_item w ON w.id = l.work_item_id '
            "ORDER BY c.authored_at",
        )
        assert [(m.splitlines()[0], k, v) for m, k, v in links] == [
            ("SPO-1423: harden NTLM fallback", "SPO-1423", "message"),
            ("Fix farm token expiry (#12)", "contoso/collab-server#12", "message"),
            ("Closes AB#4411", "4411", "message"),
        ]
        work_items_before = rows(engine, "SELECT count(*) FROM work_item")

        shutil.copyfile(
            fixture("jira_csv/malformed_unterminated.csv"), tmp_path / "exports" / "cloud.csv"
        )
        bad = _auditor("collect", "--config", config)
        assert bad.returncode == 2
        assert bad.stderr == (
            f"error: {tmp_path / 'exports' / 'cloud.csv'}:3: field 'Description': "
            "unterminated quoted field (the closing quote is missing)\n"
        )
        assert rows(engine, "SELECT count(*) FROM work_item") == work_items_before
    finally:
        engine.dispose()


def test_collect_prints_each_import_warning_once(tmp_path: Path) -> None:
    workspace(
        tmp_path,
        trackers=[{"kind": "github-json", "fixture": "github_json/search_empty.json"}],
        rosters=[
            {
                "fixture": "roster/entra_users.csv",
                "columns": {"email": "mail", "name": "displayName", "country": "usageLocation"},
            }
        ],
    )
    run = _auditor("collect", "--config", str(tmp_path / "auditor.toml"))
    assert run.returncode == 0, run.stderr
    exports = tmp_path / "exports"
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        f"warning: {exports / 'search_empty.json'}: no work items in this file",
        f"warning: {exports / 'entra_users.csv'}:1: columns ignored: userPrincipalName, "
        "surname, givenName, id, userType, jobTitle, department, accountEnabled, "
        "officeLocation, city",
        f"warning: {exports / 'entra_users.csv'}:3: skipped: no e-mail",
        f"warning: {exports / 'entra_users.csv'}:4: skipped: no country",
        f"warning: {exports / 'entra_users.csv'}:6: skipped: unknown country 'ZZ' "
        "(ISO 3166 code or country name)",
    ]
    again = _auditor("collect", "--config", str(tmp_path / "auditor.toml"))
    assert "warning: " not in again.stderr  # unchanged files are not read again
    # ... but their warnings stay in the store for the commands that report them
    with make_engine(f"sqlite:///{tmp_path / '.auditor' / 'audit.db'}").connect() as conn:
        kept = run_warnings.stored(conn, None)
    assert sorted(f"warning: {line}" for line in kept) == sorted(warnings)
