"""Mining a hostile repository executes nothing it contains.

Every vector below would touch a marker file if git ran it; after collection
(mirror, incremental fetch, log, cat-file, mailmap) no marker may exist.
"""

from __future__ import annotations

import ast
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from auditor.cli.entrypoint import app
from auditor.ingest.git import collect_repository
from auditor.kernel.errors import CollectorError, MissingObjectError, UsageError
from auditor.store import models
from collectors.git_mirror import empty_repository, mirror, remote_head
from collectors.git_paths import is_safe_repo_path
from collectors.git_safety import check_url, run_git
from tests.collectors.git_helpers import partial_clone
from tests.gitrepo import GitRepo, Who, git

EVE = Who("Eve", "eve@example.org")


def _touch(markers: Path, name: str) -> str:
    return f"touch {markers / name}"


def _hostile_repo(repo: GitRepo, markers: Path) -> None:
    markers.mkdir()
    evil_script = markers.parent / "evil.sh"
    evil_script.write_text(f'#!/bin/sh\ntouch {markers}/script-$(basename "$0")\nexit 0\n')
    evil_script.chmod(0o755)
    include = markers.parent / "included.cfg"
    include.write_text(f"[core]\n\tfsmonitor = {_touch(markers, 'include-fsmonitor')}\n")
    config = {
        "core.fsmonitor": _touch(markers, "fsmonitor"),
        "core.pager": _touch(markers, "pager"),
        "core.sshCommand": _touch(markers, "sshcommand"),
        "core.askPass": _touch(markers, "askpass"),
        "diff.external": str(evil_script),
        "diff.evil.textconv": _touch(markers, "textconv") + " ;cat",
        "filter.evil.clean": _touch(markers, "clean") + " ;cat",
        "filter.evil.smudge": _touch(markers, "smudge") + " ;cat",
        "filter.evil.process": _touch(markers, "process"),
        "filter.evil.required": "true",
        "include.path": str(include),
        "uploadpack.packObjectsHook": _touch(markers, "packobjectshook"),
        "gpg.program": _touch(markers, "gpg"),
        "log.showSignature": "true",
        "core.hooksPath": str(markers.parent / "hooks"),
    }
    repo.commit(
        "Innocent",
        author=EVE,
        date="2025-01-01T10:00:00+0000",
        files={
            "a.txt": "1\n",
            ".gitattributes": "* filter=evil diff=evil\n",
            ".mailmap": "Eve <eve@example.org> <x@y>\n",
        },
    )
    hooks = [repo.path / ".git" / "hooks", markers.parent / "hooks"]
    for hook_dir in hooks:
        hook_dir.mkdir(parents=True, exist_ok=True)
        for hook in (
            "post-checkout",
            "pre-commit",
            "post-commit",
            "reference-transaction",
            "post-merge",
            "pre-push",
            "post-rewrite",
            "fsmonitor-watchman",
        ):
            path = hook_dir / hook
            path.write_text(f"#!/bin/sh\ntouch {markers}/hook-{hook}\n")
            path.chmod(path.stat().st_mode | stat.S_IXUSR)
    for key, value in config.items():
        git(repo.path, "config", key, value)
    assert not list(markers.iterdir())


def _commit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(models.Commit)).scalar_one()


def test_hostile_repository_executes_nothing(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    repo = make_repo("hostile")
    markers = tmp_path / "markers"
    _hostile_repo(repo, markers)

    # a `.git` file pointing at the hostile repository's git dir
    pointer = tmp_path / "pointer"
    pointer.mkdir()
    (pointer / ".git").write_text(f"gitdir: {repo.path / '.git'}\n")
    # core.worktree pointing at a checkout with filters in .gitattributes
    git(repo.path, "config", "core.worktree", str(repo.path))

    mirrors = tmp_path / "mirrors"
    for name, location in (("hostile", repo.path), ("pointer", pointer)):
        result = collect_repository(
            engine, name=name, location=str(location), branch=None, mirrors=mirrors
        )
        assert result.new_commits == 1
    # an incremental run (fetch into the mirror) after a new commit
    safe = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")
    author = {
        "GIT_AUTHOR_NAME": "Eve",
        "GIT_AUTHOR_EMAIL": "eve@example.org",
        "GIT_COMMITTER_NAME": "Eve",
        "GIT_COMMITTER_EMAIL": "eve@example.org",
    }
    second = git(
        repo.path, *safe, "commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "second", env=author
    ).strip()
    git(repo.path, *safe, "update-ref", "refs/heads/main", second)
    again = collect_repository(
        engine, name="hostile", location=str(repo.path), branch=None, mirrors=mirrors
    )
    assert again.new_commits == 1
    assert _commit_count(engine) == 3  # the same first commit in two sources, then one more
    assert sorted(p.name for p in markers.iterdir()) == []


def test_branch_named_like_an_option_writes_no_file(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    repo = make_repo()
    repo.commit("one", author=EVE, date="2025-01-01T10:00:00+0000", files={"a": "1\n"})
    target = tmp_path / "written-by-option"
    with pytest.raises(CollectorError, match="branch"):
        collect_repository(
            engine,
            name="r",
            location=str(repo.path),
            branch=f"--output={target}",
            mirrors=tmp_path / "mirrors",
        )
    assert not target.exists()


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "EXT::sh -c id",
        "fd::17",
        "ftp://example.com/repo.git",
        "http+evil://x/y",
    ],
)
def test_disallowed_transports_are_refused(url: str) -> None:
    with pytest.raises(CollectorError):
        check_url(url)
    assert not os.path.exists("/tmp/pwned")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/r.git",
        "ssh://git@example.com/r.git",
        "git://example.com/r.git",
        "git@example.com:org/r.git",
    ],
)
def test_allowed_transports_pass_the_check(url: str) -> None:
    check_url(url)


# --- #13.1: no git process reads a repository config we did not write ---------------------

_PACKAGES = ("auditor", "collectors", "rules", "tui")
_ROOT = Path(__file__).resolve().parents[2]


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


def test_every_git_process_names_an_explicit_git_dir() -> None:
    """Every subprocess in the product is started in git_safety with `--git-dir`; every
    run_git/popen_git call passes a repository (never None: that would let git discover one)."""
    offenders = []
    spawners = ("subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call")
    spawners += ("subprocess.check_output", "os.system", "os.popen", "os.execvp", "os.spawnlp")
    for package in _PACKAGES:
        for path in sorted((_ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            where = path.relative_to(_ROOT)
            for call in _calls(tree):
                name = _name(call)
                if name in spawners:
                    command = call.args[0] if call.args else None
                    literal = (
                        [e.value for e in command.elts if isinstance(e, ast.Constant)]
                        if isinstance(command, ast.List)
                        else []
                    )
                    if where.as_posix() != "collectors/git_safety.py" or literal[:2] != [
                        "git",
                        "--git-dir",
                    ]:
                        offenders.append(f"{where}:{call.lineno} {name}")
                if name.split(".")[-1] in ("run_git", "popen_git"):
                    first = call.args[0] if call.args else None
                    if first is None or (isinstance(first, ast.Constant) and first.value is None):
                        offenders.append(f"{where}:{call.lineno} {name} without a repository")
    assert offenders == []


def _evil_script(markers: Path, name: str) -> Path:
    script = markers.parent / f"{name}.sh"
    script.write_text(f'#!/bin/sh\ntouch {markers / name}\nexec git-upload-pack "$@"\n')
    script.chmod(0o755)
    return script


def test_promisor_upload_pack_of_a_partial_clone_never_runs(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    """A partial clone fetches missing objects lazily by running `remote.origin.uploadpack`:
    mining it (and resolving a --range in it) must not, though most blobs are missing."""
    partial = partial_clone(make_repo, tmp_path)
    markers = tmp_path / "markers"
    markers.mkdir()
    git(partial, "config", "remote.origin.uploadpack", str(_evil_script(markers, "uploadpack")))
    result = collect_repository(
        engine, name="partial", location=str(partial), branch=None, mirrors=tmp_path / "m"
    )
    assert result.new_commits == 4
    # A revision the partial clone lacks: git in the clone would fetch it from the promisor.
    (tmp_path / "auditor.toml").write_text(
        f'[[git]]\nname = "partial"\npath = "{partial}"\n', encoding="utf-8"
    )
    absent = "1234567890" * 4
    outcome = CliRunner().invoke(
        app, ["check", "-c", str(tmp_path / "auditor.toml"), "--range", f"{absent}..HEAD"]
    )
    assert isinstance(outcome.exception, UsageError)
    assert "no configured repository knows both revisions" in str(outcome.exception)
    assert list(markers.iterdir()) == []


def test_ls_remote_does_not_read_the_repository_around_the_current_directory(
    make_repo: Callable[..., GitRepo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`core.gitProxy` / `core.sshCommand` of a repository the auditor merely runs in."""
    here = make_repo("cwd")
    markers = tmp_path / "markers"
    markers.mkdir()
    proxy = markers.parent / "proxy.sh"  # run as a program, with host and port
    proxy.write_text(f"#!/bin/sh\ntouch {markers / 'gitproxy'}\n")
    proxy.chmod(0o755)
    git(here.path, "config", "core.gitProxy", str(proxy))
    git(here.path, "config", "core.sshCommand", _touch(markers, "sshcommand"))
    git(here.path, "config", "safe.directory", "*")
    monkeypatch.chdir(here.path)
    scratch = empty_repository(tmp_path / "mirrors")
    assert remote_head("git://127.0.0.1:9/nothing.git", "HEAD", scratch) is None
    assert remote_head("ssh://git@127.0.0.1:9/nothing.git", "HEAD", scratch) is None
    assert list(markers.iterdir()) == []


# --- #13.2: objects from elsewhere are not mined as this repository ------------------------


def test_source_alternates_are_not_followed_into_another_repository(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    other = make_repo("other")
    secret = other.commit(
        "internal", author=EVE, date="2025-01-01T10:00:00+0000", files={"s.txt": "s\n"}
    )
    borrowing = tmp_path / "borrowing"
    git(tmp_path, "clone", "-q", "--shared", str(other.path), str(borrowing))
    assert (borrowing / ".git" / "objects" / "info" / "alternates").exists()
    git(borrowing, "commit", "-q", "--allow-empty", "-m", "on top", env=_author_env())
    with pytest.raises(MissingObjectError) as caught:
        collect_repository(
            engine, name="b", location=str(borrowing), branch=None, mirrors=tmp_path / "m"
        )
    assert caught.value.object_id == secret
    assert str(borrowing) in str(caught.value)
    with engine.connect() as conn:
        shas = set(conn.execute(select(models.Commit.c.sha)).scalars())  # type: ignore[call-overload]
    assert secret not in shas


def test_mirror_links_the_source_packs_and_has_no_alternates(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    repo.commit("one", author=EVE, date="2025-01-01T10:00:00+0000", files={"a": "1\n"})
    git(repo.path, "gc", "-q")
    repo.commit("two", author=EVE, date="2025-01-02T10:00:00+0000", files={"a": "2\n"})  # loose
    mirrored = mirror(str(repo.path), tmp_path / "m" / "r.git")
    packs = list((mirrored.git_dir / "objects" / "pack").iterdir())
    assert packs and all(p.is_symlink() for p in packs)
    assert all(
        Path(os.readlink(p)).parent == repo.path / ".git" / "objects" / "pack" for p in packs
    )
    assert not (mirrored.git_dir / "objects" / "info" / "alternates").exists()
    assert run_git(mirrored.git_dir, "rev-list", "--count", "HEAD").stdout.strip() == b"2"


def test_symlinked_pack_from_another_repository_is_not_borrowed(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    other = make_repo("other")
    secret = other.commit("internal", author=EVE, date="2025-01-01T10:00:00+0000", files={"s": ""})
    git(other.path, "gc", "-q")
    repo = make_repo("repo")
    repo.commit("one", author=EVE, date="2025-01-01T10:00:00+0000", files={"a": "1\n"})
    pack_dir = repo.path / ".git" / "objects" / "pack"
    pack_dir.mkdir(parents=True, exist_ok=True)
    for found in (other.path / ".git" / "objects" / "pack").glob("pack-*"):
        (pack_dir / found.name).symlink_to(found)
    git(repo.path, "update-ref", "refs/heads/stolen", secret)
    mirrored = mirror(str(repo.path), tmp_path / "m" / "r.git")
    assert any("symlinked pack" in note for note in mirrored.notes)
    assert any("refs/heads/stolen" in note for note in mirrored.notes)
    found = run_git(mirrored.git_dir, "cat-file", "-e", secret, check=False)
    assert found.returncode != 0


def test_tree_entries_outside_the_repository_are_rejected(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    """Trees with `..` (fsck is off) would make the catalog import read outside the repo."""
    repo = make_repo()
    blob = git(repo.path, "hash-object", "-w", "--stdin", input=b"kind: Component\n").strip()
    raw = bytes.fromhex(blob)
    inner = _literal_tree(repo.path, b"100644 ..\0" + raw)
    outer = _literal_tree(
        repo.path,
        b"40000 ..\0" + bytes.fromhex(inner) + b"40000 .git\0" + bytes.fromhex(inner)
        + b"100644 catalog-info.yaml\0" + raw,
    )  # fmt: skip
    sha = git(repo.path, "commit-tree", outer, "-m", "planted", env=_author_env()).strip()
    git(repo.path, "update-ref", "refs/heads/main", sha)
    result = collect_repository(
        engine, name="r", location=str(repo.path), branch=None, mirrors=tmp_path / "m"
    )
    assert result.new_commits == 1
    assert any("outside the repository" in note for note in result.notes)
    with engine.connect() as conn:
        paths = set(conn.execute(select(models.Path.c.path)).scalars())  # type: ignore[call-overload]
        flags = conn.execute(select(models.Commit.c.flags)).scalar_one()  # type: ignore[call-overload]
    assert paths == {"catalog-info.yaml"}
    assert "rejected-path" in flags


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("src/a.c", True),
        ("a/../b", False),
        ("..", False),
        ("/etc/passwd", False),
        ("a/.git/config", False),
        (".GIT/x", False),
        ("a//b", False),
        ("./a", False),
        ("a\0b", False),
        (".github/CODEOWNERS", True),
        ("latin-\\xe9.txt", True),
    ],
)
def test_repo_path_validation(path: str, safe: bool) -> None:
    assert is_safe_repo_path(path) is safe


def _literal_tree(repo: Path, body: bytes) -> str:
    return git(
        repo, "hash-object", "-t", "tree", "-w", "--literally", "--stdin", input=body
    ).strip()


def _author_env() -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": "Eve",
        "GIT_AUTHOR_EMAIL": "eve@example.org",
        "GIT_COMMITTER_NAME": "Eve",
        "GIT_COMMITTER_EMAIL": "eve@example.org",
        "GIT_AUTHOR_DATE": "2025-02-01T10:00:00+0000",
        "GIT_COMMITTER_DATE": "2025-02-01T10:00:00+0000",
    }


# line breaks to Python's `splitlines`, ordinary characters in a git ref name
_SEPARATORS = ("\u2028", "\u2029", "\u0085")


def test_a_branch_named_with_a_line_separator_is_mirrored_as_it_is(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    """A hostile branch name once cut the mirror's own ref listing in two: the next collect
    asked git to delete a ref named "" and failed (anyone who can push a branch stopped it)."""
    repo = make_repo()
    repo.commit("one", author=EVE, date="2025-01-01T10:00:00+0000", files={"a": "1\n"})
    names = [f"refs/heads/x{sep}refs/heads/main" for sep in _SEPARATORS]
    for name in names:
        git(repo.path, "update-ref", name, "HEAD")
    mirrors = tmp_path / "mirrors"
    for day in (2, 3):
        repo.commit(
            f"day {day}", author=EVE, date=f"2025-01-0{day}T10:00:00+0000", files={"a": f"{day}\n"}
        )
        result = collect_repository(
            engine, name="r", location=str(repo.path), branch=None, mirrors=mirrors
        )
        assert result.new_commits == (2 if day == 2 else 1)
    mirrored = next(p for p in mirrors.iterdir() if p.is_dir())
    listed = git(mirrored, "for-each-ref", "--format=%(refname)").split("\n")
    assert set(names) <= set(listed) and "refs/heads/main" in listed
    assert _commit_count(engine) == 3


def test_a_line_separator_in_a_trailer_starts_no_trailer_where_git_sees_none(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    """`Reviewed-by` after a U+2028 is part of the line before it, for git and for us."""
    from collectors.git_objects import parse_trailers

    message = (
        "fix\n\nbody\n\nSigned-off-by: Eve <eve@example.org>\u2028"
        "Reviewed-by: Mallory <mallory@example.org>\n"
    )
    repo = make_repo()
    parsed = git(repo.path, "interpret-trailers", "--parse", input=message.encode())
    by_git = [tuple(line.split(": ", 1)) for line in parsed.split("\n") if line]
    assert [key for key, _ in by_git] == ["Signed-off-by"]
    assert [key for key, _ in parse_trailers(message)] == ["Signed-off-by"]
