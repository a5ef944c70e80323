"""Workspaces of synthetic repositories and `auditor collect` processes for the stress tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.synthetic import synthetic_repo

AUDITOR = str(Path(sys.executable).with_name("auditor"))


def repos(cache: Path, count: int, commits: int) -> list[Path]:
    """`count` distinct repositories: one synthetic history, each with its own extra commit."""
    base = synthetic_repo(cache, commits)
    out = []
    for i in range(count):
        path = cache / f"repo{i}.git"
        if not (path / "done").exists():
            subprocess.run(["git", "clone", "-q", "--bare", str(base), str(path)], check=True)
            env = {
                **os.environ,
                "GIT_AUTHOR_NAME": f"Owner {i}",
                "GIT_AUTHOR_EMAIL": f"owner{i}@example.org",
                "GIT_AUTHOR_DATE": "1700000000 +0100",
                "GIT_COMMITTER_NAME": f"Owner {i}",
                "GIT_COMMITTER_EMAIL": f"owner{i}@example.org",
                "GIT_COMMITTER_DATE": "1700000000 +0100",
            }
            git = ["git", "--git-dir", str(path)]
            tree = subprocess.run(
                [*git, "rev-parse", "main^{tree}"], check=True, capture_output=True, text=True
            ).stdout.strip()
            sha = subprocess.run(
                [*git, "commit-tree", tree, "-p", "main", "-m", f"repo {i}"],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            ).stdout.strip()
            subprocess.run([*git, "update-ref", "refs/heads/main", sha], check=True)
            (path / "done").write_text("ok\n")
        out.append(path)
    return out


def workspace(root: Path, store_url: str, repo_paths: list[Path]) -> Path:
    """An auditor.toml naming each repository r0, r1, ... and the store."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["[store]", f'url = "{store_url}"', ""]
    for i, path in enumerate(repo_paths):
        lines += ["[[git]]", f'name = "r{i}"', f'path = "{path}"', 'branch = "main"', ""]
    config = root / "auditor.toml"
    config.write_text("\n".join(lines))
    return config


def collect(config: Path, *only: str) -> subprocess.Popen[str]:
    args = [AUDITOR, "collect", "--config", str(config)]
    for name in only:
        args += ["--only", name]
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=config.parent
    )


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> None:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}: {err}{out}"
