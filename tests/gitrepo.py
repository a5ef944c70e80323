"""Build real git repositories in temporary folders, with fixed authors, dates and offsets.

Used by every test that needs history: no mocks of git.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Tests never read the developer's or the machine's git configuration.
BASE_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "HOME": os.devnull,
    "LC_ALL": "C",
    "TZ": "UTC",
}


@dataclass(frozen=True)
class Who:
    name: str
    email: str


def git(
    repo: Path, *args: str, env: dict[str, str] | None = None, input: bytes | None = None
) -> str:
    full_env = {**os.environ, **BASE_ENV, **(env or {})}
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        env=full_env,
        input=input,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8", "replace")


class GitRepo:
    """A repository under construction. Dates are git dates: '2025-03-01T10:00:00+0800'."""

    def __init__(self, path: Path, *, branch: str = "main"):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", branch)

    def write(self, relative: str | bytes, content: str | bytes) -> None:
        target = Path(os.fsdecode(relative)) if isinstance(relative, bytes) else Path(relative)
        full = self.path / target
        full.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        full.write_bytes(data)

    def commit(
        self,
        message: str | bytes,
        *,
        author: Who,
        date: str,
        committer: Who | None = None,
        commit_date: str | None = None,
        files: dict[str, str | bytes] | None = None,
        remove: list[str] = (),  # type: ignore[assignment]
        encoding: str | None = None,
        allow_empty: bool = False,
    ) -> str:
        for relative, content in (files or {}).items():
            self.write(relative, content)
        for relative in remove:
            git(self.path, "rm", "-q", "--", relative)
        git(self.path, "add", "-A")
        committer = committer or author
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": commit_date or date,
        }
        args = ["-c", f"i18n.commitEncoding={encoding}"] if encoding else []
        body = message if isinstance(message, bytes) else message.encode(encoding or "utf-8")
        git(
            self.path,
            *args,
            "commit",
            "-q",
            "--no-verify",
            *(["--allow-empty"] if allow_empty else []),
            "-F",
            "-",
            env=env,
            input=body,
        )
        return self.head()

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").strip()

    def rev_list_count(self, ref: str = "HEAD") -> int:
        return int(git(self.path, "rev-list", "--count", ref).strip())
