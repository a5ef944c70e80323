"""`auditor demo` without a terminal: builds, audits and prints the report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sample_repos.spec import PLANTED, REPOS
from tests.gitrepo import git


def test_demo_runs_end_to_end_without_a_terminal(tmp_path: Path) -> None:
    workspace = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "demo", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    counts = {r: int(git(workspace / "repos" / r, "rev-list", "--count", "HEAD")) for r in REPOS}
    for repo, count in counts.items():
        assert f"commits in {repo}" in out and f"{count:,}" in out
    assert "commits linked to work items" in out
    for rule in PLANTED.expected_rules:
        assert rule in out
    assert (workspace / ".auditor" / "audit.db").is_file()
    lines = out.splitlines()
    # waiver status as `auditor check` judges it: the live waiver applies, the expired one is named
    assert any(
        line.startswith("WAIVED  medium  PV106  Gateway Auth  Alena Kavaliova") for line in lines
    )
    assert any(line.startswith("    waived: until 2027-03-31 by ciso@") for line in lines)
    assert any(line.startswith("NEW  critical  PV101  Collab OnPrem") for line in lines)
    assert "expired waiver: PV101 Collab Cloud expired 2026-06-30" in lines
    assert any(
        line.endswith(
            " 0 baselined, 1 waived; 9 new at or above high with medium confidence or more"
        )
        for line in lines
    )
    # paths are never broken across lines, however long the workspace path
    config = workspace / "auditor.toml"
    assert f"next: auditor tui -c {config}   auditor check -c {config} --as-of 2026-10-01" in lines
    # a second demo rebuilds into the same workspace without duplicating anything
    again = subprocess.run(
        [sys.executable, "-m", "auditor", "demo", "--workspace", str(workspace), "--no-tui"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout == out  # same organisation, same audit: nothing kept or counted twice
