"""The sanitized bare mirror a source is mined from, and the lock that guards it.

A local source is never cloned (a clone runs `git upload-pack` in it, which
reads its config): the mirror is a bare repository we create, its
`objects/pack` holds symbolic links to the source's own pack files, its few
loose objects are copied, and its refs are written from what
`collectors/git_source.py` read. Setting it up costs a directory listing, not
a copy of the history. The mirror has no `objects/info/alternates`: git
follows alternates recursively, so borrowing the source's object folder that
way would also follow the source's own alternates into other repositories.

A remote source is fetched into the mirror (the remote's config is not on
this machine); only branches and tags come along.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from collectors.git_lines import lines
from collectors.git_safety import check_url, run_git
from collectors.git_source import (
    LocalSource,
    is_local,
    loose_objects,
    read_source,
    valid_ref_name,
)

Notify = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Mirror:
    git_dir: Path
    notes: tuple[str, ...] = ()  # what the source held that the mirror left out, and why


def mirror(source: str, cache_dir: Path) -> Mirror:
    """Create or update the sanitized bare mirror of `source` at `cache_dir`."""
    check_url(source)
    if is_local(source):
        local = read_source(source)
        _init(cache_dir, sha256=_uses_sha256(local))
        return Mirror(cache_dir, _sync_local(local, cache_dir))
    _init(cache_dir, sha256=False)
    run_git(
        cache_dir,
        "fetch",
        "--quiet",
        "--prune",
        "--force",
        "--no-recurse-submodules",
        "--end-of-options",
        source,
        "+refs/heads/*:refs/heads/*",
        "+refs/tags/*:refs/tags/*",
    )
    _sync_remote_head(cache_dir, source)
    return Mirror(cache_dir)


def empty_repository(folder: Path) -> Path:
    """An empty bare repository of ours for git commands that need one (`ls-remote`)."""
    git_dir = folder / ".empty.git"
    _init(git_dir, sha256=False)
    return git_dir


def remote_head(source: str, ref: str, scratch: Path) -> str | None:
    """The sha `ref` ("HEAD" or "refs/heads/x") points to in `source`, asked without fetching.

    A local source is read as data; a remote one is asked with `ls-remote` run
    in `scratch`, an empty repository of ours (see `empty_repository`).
    """
    check_url(source)
    if is_local(source):
        local = read_source(source)
        if ref == "HEAD":
            target = local.head_ref
            return local.refs.get(target) if target else local.head
        return local.refs.get(ref)
    result = run_git(scratch, "ls-remote", "--end-of-options", source, ref, check=False)
    if result.returncode != 0:
        return None
    for line in lines(result.stdout.decode("utf-8", "replace")):
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


@contextmanager
def mirror_lock(cache_dir: Path, notify: Notify | None = None) -> Iterator[None]:
    """Hold the mirror for one collect; a second collect of it waits, and says so.

    An advisory `flock` on a file beside the mirror: the kernel drops it when
    the holder dies, even by SIGKILL, so a crashed run never blocks the next.
    """
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = cache_dir.with_name(cache_dir.name + ".lock")
    with open(lock_path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if notify:
                notify(f"waiting for another collect of {cache_dir.name} to finish ({lock_path})")
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            if notify:
                notify(f"{cache_dir.name}: lock acquired after {time.monotonic() - started:.0f} s")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _uses_sha256(local: LocalSource) -> bool:
    return any(len(sha) == 64 for sha in local.refs.values())


def _init(git_dir: Path, *, sha256: bool) -> None:
    """A fresh bare repository from an empty template (no hooks, no info/), made atomically."""
    if (git_dir / "HEAD").exists():
        return
    git_dir.parent.mkdir(parents=True, exist_ok=True)
    template = git_dir.parent / ".empty-template"
    template.mkdir(exist_ok=True)
    # A folder of its own per attempt: parallel collects may create the same repository.
    partial = Path(tempfile.mkdtemp(prefix=f"{git_dir.name}.", dir=git_dir.parent))
    formats = ["--object-format=sha256"] if sha256 else []
    try:
        run_git(partial, "init", "--bare", "--quiet", f"--template={template}", *formats)
        run_git(partial, "config", "gc.auto", "0")
        partial.rename(git_dir)
    except OSError:
        if not (git_dir / "HEAD").exists():
            raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _sync_local(local: LocalSource, git_dir: Path) -> tuple[str, ...]:
    notes = list(local.skipped)
    if local.alternates:
        notes.append(
            f"objects/info/alternates of {local.path} not followed "
            f"({len(local.alternates)} entries): only the repository's own objects are mined"
        )
    _link_packs(local, git_dir / "objects" / "pack")
    _copy_loose(local, git_dir / "objects")
    _write_shallow(local, git_dir / "shallow")
    notes += _write_refs(local, git_dir)
    return tuple(notes)


def _link_packs(local: LocalSource, pack_dir: Path) -> None:
    """Make `pack_dir` hold links to exactly the source's current packs."""
    pack_dir.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, str] = {}
    for pack in local.packs:
        base = os.path.abspath(pack)[: -len(".pack")]
        for suffix in (".pack", ".idx"):
            wanted[Path(base + suffix).name] = base + suffix
    for entry in os.scandir(pack_dir):
        if not entry.is_symlink() or wanted.get(entry.name) != os.readlink(entry.path):
            os.unlink(entry.path)  # a repacked source: its old packs are gone
    for name, target in wanted.items():
        if not os.path.lexists(pack_dir / name):
            # The index after its pack: git only looks at packs whose .idx it sees.
            os.symlink(target, pack_dir / name)


def _copy_loose(local: LocalSource, objects: Path) -> None:
    for folder in local.loose_dirs:
        for path in loose_objects(folder):
            target = objects / folder.name / path.name
            if target.exists():
                continue
            target.parent.mkdir(exist_ok=True)
            partial = target.with_name(target.name + ".tmp")
            shutil.copyfile(path, partial, follow_symlinks=False)
            partial.rename(target)


def _write_shallow(local: LocalSource, path: Path) -> None:
    """A shallow clone's boundary: without it git looks for parents that are not there."""
    if local.shallow:
        path.write_text("".join(f"{sha}\n" for sha in local.shallow), "ascii")
    else:
        path.unlink(missing_ok=True)


def _write_refs(local: LocalSource, git_dir: Path) -> list[str]:
    """Set the mirror's refs to the source's (objects it lacks are reported and left out)."""
    notes: list[str] = []
    listed = run_git(git_dir, "for-each-ref", "--format=%(refname) %(objectname)").stdout
    current = {}
    for line in lines(listed.decode("utf-8", "surrogateescape")):
        name, _, sha = line.rpartition(" ")
        current[name] = sha
    wanted = _present(git_dir, local.refs)
    for name in sorted(set(local.refs) - set(wanted)):
        notes.append(f"ref {name} points at {local.refs[name]}, which is not in the repository")
    commands = [f"delete {name}\0\0" for name in current if name not in wanted]
    commands += [f"update {n}\0{sha}\0\0" for n, sha in wanted.items() if current.get(n) != sha]
    if commands:
        run_git(
            git_dir,
            "update-ref",
            "-z",
            "--stdin",
            input="".join(commands).encode("utf-8", "surrogateescape"),
        )
    head_ref = local.head_ref
    if head_ref is not None:
        if valid_ref_name(head_ref) and head_ref.startswith("refs/heads/"):
            run_git(git_dir, "symbolic-ref", "HEAD", head_ref)
    elif local.head and _present(git_dir, {"HEAD": local.head}):
        # A detached HEAD (a CI checkout of a pull request): the mirror's HEAD is that commit.
        run_git(git_dir, "update-ref", "--no-deref", "HEAD", local.head)
    return notes


def _present(git_dir: Path, refs: dict[str, str]) -> dict[str, str]:
    """The refs whose object the mirror has."""
    if not refs:
        return {}
    shas = list(dict.fromkeys(refs.values()))
    result = run_git(
        git_dir,
        "cat-file",
        "--batch-check=%(objectname) %(objecttype)",
        input="".join(f"{sha}\n" for sha in shas).encode("ascii"),
    )
    found = {
        line.split(" ", 1)[0]
        for line in lines(result.stdout.decode("ascii", "replace"))
        if not line.endswith(" missing")
    }
    return {name: sha for name, sha in refs.items() if sha in found}


def _sync_remote_head(git_dir: Path, source: str) -> None:
    """Point the mirror's HEAD where the remote's HEAD points (its default branch)."""
    result = run_git(
        git_dir, "ls-remote", "--symref", "--end-of-options", source, "HEAD", check=False
    )
    for line in lines(result.stdout.decode("utf-8", "replace")):
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            ref = line[len("ref: ") : -len("\tHEAD")]
            if valid_ref_name(ref):
                run_git(git_dir, "symbolic-ref", "HEAD", ref, check=False)
            return
