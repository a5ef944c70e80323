"""No data, no clean bill; and every step's warnings reach the user once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo, Who

GIT = '\n[[git]]\nname = "r"\npath = "repo"\n'
CONFIG = """
[store]
url = "sqlite:///audit.db"
{git}
[jurisdictions]
high = ["CN"]

[[components]]
name = "Core"
sensitivity = "critical"
paths = ["r:src/**"]

[[components]]
name = "Docs"
sensitivity = "low"
paths = ["r:guide/**"]
"""
DEAD_GLOB = "component 'Docs': glob 'r:guide/**' matches no path"


def run(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args, "-c", str(workspace / "auditor.toml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=workspace,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(
        "start",
        author=Who("Wei Zhang", "wei@contoso.cn"),
        date="2025-03-01T10:00:00+0800",
        files={"src/a.c": "a\n" * 20},
    )
    (tmp_path / "auditor.toml").write_text(CONFIG.format(git=GIT), encoding="utf-8")
    return tmp_path


def test_check_on_a_window_after_the_last_commit_is_nothing_to_judge(workspace: Path) -> None:
    result = run(workspace, "check", "--as-of", "2026-06-30", "-f", "json")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: nothing to judge: no commits in the policy window 2026-01-02 – 2026-06-30: "
        "the last collected commit is from 2025-03-01"
    )
    data = json.loads(result.stdout)
    assert data["summary"]["commits_in_window"] == 0
    sarif = run(workspace, "check", "--as-of", "2026-06-30", "-f", "sarif")
    assert sarif.returncode == 2
    run_ = json.loads(sarif.stdout)["runs"][0]
    assert run_["properties"]["commits_in_window"] == 0
    # no results is not "no alerts": the invocation failed, and says why
    (invocation,) = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "nothing to judge" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    text = run(workspace, "check", "--as-of", "2026-06-30")
    assert "no commits in the policy window: nothing was judged" in text.stdout
    assert run(workspace, "analyze", "--as-of", "2026-06-30").returncode == 2


def test_nothing_collected_and_no_git_source(workspace: Path) -> None:
    analyzed = run(workspace, "analyze", "--as-of", "2025-06-30")  # never collected
    assert analyzed.returncode == 2
    assert analyzed.stderr.strip().splitlines()[-1] == (
        "error: nothing to judge: no commits are collected (run `auditor collect`)"
    )
    assert "no churn to map" in analyzed.stdout and "coverage 100%" not in analyzed.stdout
    people = run(workspace, "people", "--as-of", "2025-06-30", "-f", "json")
    assert people.returncode == 0
    assert "warning: no commits are collected (run `auditor collect`)" in people.stderr
    (workspace / "auditor.toml").write_text(CONFIG.format(git=""), encoding="utf-8")
    checked = run(workspace, "check", "--as-of", "2025-06-30")
    assert checked.returncode == 2
    assert checked.stderr.strip().splitlines()[-1] == (
        "error: nothing to judge: no [[git]] source is configured"
    )


def test_export_refuses_an_empty_period_unless_allowed(workspace: Path) -> None:
    assert run(workspace, "collect").returncode == 0
    out = workspace / "q.json"
    refused = run(workspace, "export", "--period", "2026-Q1", "-o", str(out))
    assert refused.returncode == 2
    assert "nothing to judge: no commits in the period 2026-01-01 – 2026-03-31" in refused.stderr
    assert not out.exists()
    allowed = run(workspace, "export", "--period", "2026-Q1", "-o", str(out), "--allow-empty")
    assert allowed.returncode == 0, allowed.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["coverage"] == {
        "git_sources": 1,
        "commits": 0,
        "commits_collected": 1,
        "first_commit": "2025-03-01",
        "last_commit": "2025-03-01",
    }
    assert document["warnings"] == [DEAD_GLOB]
    verified = subprocess.run([sys.executable, "-m", "auditor", "verify", str(out)], check=False)
    assert verified.returncode == 0


def test_warnings_reach_check_json_text_and_people_once(workspace: Path) -> None:
    checked = run(workspace, "check", "--as-of", "2025-06-30", "-f", "json")
    assert checked.returncode in (0, 1), checked.stderr
    assert json.loads(checked.stdout)["warnings"] == [DEAD_GLOB]
    assert checked.stderr.count(DEAD_GLOB) == 1
    text = run(workspace, "check", "--as-of", "2025-06-30")
    assert text.stdout.count(DEAD_GLOB) == 1
    assert f"warning: {DEAD_GLOB}" in run(workspace, "people", "--as-of", "2025-06-30").stderr
