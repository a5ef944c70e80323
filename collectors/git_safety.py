"""Running git on repositories from strangers without executing anything they contain.

Two layers:
1. No git process ever runs in a repository we did not create: every call
   names an explicit `--git-dir` of ours (a mirror, or an empty bare
   repository for `ls-remote`), so git neither discovers the repository
   around the current directory nor reads a stranger's config. A local source
   is read as data (`collectors/git_source.py`) and its pack files are linked
   into the mirror (`collectors/git_mirror.py`); a remote one is fetched.
2. Every git process runs with system and global config disabled, no prompts,
   no lazy fetch of missing objects, no proxy command, and the keys that make
   git run a program neutralised on the command line (`GIT_CONFIG_COUNT`);
   only the https, ssh, git and file protocols are allowed (never `ext::`).
   There is no blanket `safe.directory`: every repository git opens is ours.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from auditor.kernel.errors import CollectorError

ALLOWED_PROTOCOLS = ("https", "ssh", "git", "file")

# Keys that can make git execute something, set to harmless values.
NEUTRALISED: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.askPass", "true"),
    ("core.editor", "true"),
    ("core.sshCommand", "ssh -o BatchMode=yes"),
    ("core.gitProxy", ""),
    ("core.untrackedCache", "false"),
    ("diff.external", ""),
    ("credential.helper", ""),
    ("gpg.program", "true"),
    ("log.showSignature", "false"),
    ("uploadpack.packObjectsHook", ""),
    ("protocol.allow", "never"),
    *((f"protocol.{name}.allow", "always") for name in ALLOWED_PROTOCOLS),
    ("transfer.fsckObjects", "false"),
    ("submodule.recurse", "false"),
    ("fetch.recurseSubmodules", "false"),
    ("maintenance.auto", "false"),
    ("gc.auto", "0"),
)

# Flags for every command that can produce diffs.
DIFF_FLAGS = ("--no-ext-diff", "--no-textconv", "--no-color")


def git_env(extra_config: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """The environment for a git process: no system/global config, no prompts, safe keys."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_") and key not in ("EDITOR", "VISUAL", "PAGER", "SSH_ASKPASS")
    }
    pairs = [*NEUTRALISED, *extra_config]
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "true",
            "SSH_ASKPASS": "true",
            "GIT_PAGER": "cat",
            "GIT_EDITOR": "true",
            "GIT_PROTOCOL_FROM_USER": "0",
            "GIT_ALLOW_PROTOCOL": ":".join(ALLOWED_PROTOCOLS),
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_LFS_SKIP_SMUDGE": "1",
            # A missing object is reported, never fetched from a promisor remote (git >= 2.44;
            # older git has no promisor in our repositories to fetch from).
            "GIT_NO_LAZY_FETCH": "1",
            "GIT_PROXY_COMMAND": "",
            "LC_ALL": "C",
            "GIT_CONFIG_COUNT": str(len(pairs)),
        }
    )
    for index, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def run_git(
    git_dir: Path,
    *args: str,
    input: bytes | None = None,
    check: bool = True,
    extra_config: Sequence[tuple[str, str]] = (),
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run git on our bare repository `git_dir` with the safe environment; bytes in and out."""
    result = subprocess.run(
        ["git", "--git-dir", str(git_dir), *args],
        env=git_env(extra_config),
        input=input,
        capture_output=True,
        check=False,
        timeout=timeout,
        stdin=None if input is not None else subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {result.returncode}"
        raise CollectorError(f"git {args[0]} failed: {detail}")
    return result


def popen_git(
    git_dir: Path,
    *args: str,
    extra_config: Sequence[tuple[str, str]] = (),
    stdin: IO[bytes] | int = subprocess.DEVNULL,
    buffered: bool = False,
) -> subprocess.Popen[bytes]:
    """Start a streaming git process on a bare repository (stdin: another's stdout).

    `buffered`: git writes its output in full buffers instead of flushing after
    every commit (GIT_FLUSH=0), for a reader that never waits for one record.
    """
    env = git_env(extra_config)
    if buffered:
        env["GIT_FLUSH"] = "0"
    return subprocess.Popen(
        ["git", "--git-dir", str(git_dir), *args],
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


_SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+:")


def check_url(url: str) -> None:
    """Refuse transports outside the allow-list before git sees the URL."""
    if "::" in url.split("/", 1)[0]:
        raise CollectorError(f"transport helper URLs are not allowed: {url!r}")
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", url)
    if match:
        scheme = match.group(1).lower()
        if scheme not in ALLOWED_PROTOCOLS:
            raise CollectorError(
                f"protocol {scheme!r} is not allowed (allowed: {', '.join(ALLOWED_PROTOCOLS)})"
            )
    elif not _SCP_LIKE.match(url) and not Path(url).exists():
        raise CollectorError(f"repository not found: {url!r}")
