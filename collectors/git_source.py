"""A local repository read as data: its refs and object files, without running git in it.

Any git process started in a stranger's repository reads that repository's
config (`remote.*.uploadpack` of a partial-clone promisor runs on lazy fetch,
`safe.directory` decides whose config is trusted). So for a local source no
git process ever gets its path: refs are read from `HEAD`, `packed-refs` and
`refs/` here, and its pack files are linked into a mirror we created.

Only the source's own object directory counts: its `objects/info/alternates`
(objects of other repositories) are reported, never followed, and symlinks
anywhere in `refs/` or `objects/` are ignored (they could lead elsewhere).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from auditor.kernel.errors import CollectorError
from collectors.git_lines import lines

_OBJECT_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_LOOSE_DIR = re.compile(r"^[0-9a-f]{2}$")
_LOOSE_NAME = re.compile(r"^(?:[0-9a-f]{38}|[0-9a-f]{62})$")
_PACK = re.compile(r"^pack-[0-9a-f]{40,64}\.pack$")
# Refs a mirror keeps: branches, tags, and the remote-tracking refs a CI checkout names
# (`origin/main` in `check --range`).
MIRRORED_PREFIXES = ("refs/heads/", "refs/tags/", "refs/remotes/")
_MAX_REF_FILE = 4096
_MAX_PACKED_REFS = 256 << 20


@dataclass(frozen=True, slots=True)
class LocalSource:
    """What a mirror needs from a local repository, read without git."""

    path: Path  # as configured
    git_dir: Path  # HEAD lives here
    common_dir: Path  # objects and refs live here (differs for a linked worktree)
    head: str | None  # "ref: refs/heads/x" target, or a sha when detached, None if unreadable
    refs: dict[str, str] = field(default_factory=dict)  # name -> sha, mirrored prefixes only
    packs: tuple[Path, ...] = ()  # regular .pack files with their .idx beside them
    loose_dirs: tuple[Path, ...] = ()  # objects/xx directories
    alternates: tuple[str, ...] = ()  # entries of objects/info/alternates, not followed
    shallow: tuple[str, ...] = ()  # boundary commits of a shallow clone (its `shallow` file)
    skipped: tuple[str, ...] = ()  # what was ignored and why (symlinks, bad ref names)

    @property
    def head_ref(self) -> str | None:
        return self.head[len("ref: ") :] if self.head and self.head.startswith("ref: ") else None


def is_local(location: str) -> bool:
    """A path (or file:// URL) on this machine, which we read as data rather than fetch."""
    return location.startswith("file://") or ("://" not in location and not _scp_like(location))


def local_path(location: str) -> Path:
    return Path(location[len("file://") :] if location.startswith("file://") else location)


def _scp_like(location: str) -> bool:
    return re.match(r"^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+:", location) is not None


def read_source(location: str) -> LocalSource:
    """Find the repository at `location` and read its refs and object files.

    One clear CollectorError when it cannot be read: not a git repository,
    permission denied, or a ref storage we do not read (reftable).
    """
    path = local_path(location)
    try:
        git_dir = _find_git_dir(path)
        common = _common_dir(git_dir)
        if (common / "reftable").is_dir():
            raise CollectorError(f"{path}: reftable ref storage is not supported")
        head = _read_small(git_dir / "HEAD")
        refs, skipped = _read_refs(common)
        objects = common / "objects"
        packs, loose, more_skipped = _object_files(objects)
        alternates = _alternates(objects)
        shallow = _shallow(common / "shallow")
    except PermissionError as exc:
        raise CollectorError(f"{path}: permission denied ({exc.filename})") from exc
    skips = (*skipped, *more_skipped)
    return LocalSource(path, git_dir, common, head, refs, packs, loose, alternates, shallow, skips)


def _find_git_dir(path: Path) -> Path:
    """`path/.git` (a folder, or a file `gitdir: ...`), or `path` itself when it is bare."""
    if not path.exists():
        raise CollectorError(f"repository not found: {path}")
    if not path.is_dir():
        raise CollectorError(f"not a git repository: {path}")
    dot_git = path / ".git"
    if dot_git.is_file():
        text = _read_small(dot_git) or ""
        if not text.startswith("gitdir: "):
            raise CollectorError(f"not a git repository: {path} (.git file without gitdir)")
        target = Path(text[len("gitdir: ") :])
        candidate = target if target.is_absolute() else path / target
    elif dot_git.is_dir():
        candidate = dot_git
    else:
        candidate = path
    if not ((candidate / "HEAD").is_file() and (_common_dir(candidate) / "objects").is_dir()):
        raise CollectorError(f"not a git repository: {path}")
    return candidate


def _common_dir(git_dir: Path) -> Path:
    """A linked worktree's git dir names the main one in `commondir`."""
    text = _read_small(git_dir / "commondir") if (git_dir / "commondir").is_file() else None
    if not text:
        return git_dir
    target = Path(text)
    return target if target.is_absolute() else git_dir / target


def _read_small(path: Path) -> str | None:
    """A ref-sized text file's first line; None when missing, a symlink or too large."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_REF_FILE:
        return None
    return path.read_text("utf-8", "replace").split("\n", 1)[0].strip()


def valid_ref_name(name: str) -> bool:
    """git check-ref-format's rules, for names we hand to `update-ref`."""
    if not name.startswith(MIRRORED_PREFIXES) or name.endswith(("/", ".", ".lock")):
        return False
    if any(ord(c) < 0x20 or c in " ~^:?*[\\\x7f" for c in name):
        return False
    if ".." in name or "@{" in name or "//" in name:
        return False
    return all(part and not part.startswith(".") for part in name.split("/"))


def _read_refs(common: Path) -> tuple[dict[str, str], list[str]]:
    refs: dict[str, str] = {}
    skipped: list[str] = []
    packed = common / "packed-refs"
    try:
        info = packed.lstat()
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_size <= _MAX_PACKED_REFS:
        for line in lines(packed.read_text("utf-8", "replace")):
            if not line or line[0] in "#^":
                continue
            sha, _, name = line.partition(" ")
            if _OBJECT_ID.match(sha) and name.startswith(MIRRORED_PREFIXES):
                refs[name] = sha
    refs_dir = common / "refs"
    # Loose refs override packed ones; os.walk does not follow symlinked folders.
    for folder, dirs, files in os.walk(refs_dir):
        here = Path(folder)
        for name in [d for d in dirs if (here / d).is_symlink()]:
            dirs.remove(name)
            skipped.append(f"symlinked ref folder {(here / name).relative_to(common)}")
        for name in files:
            full = here / name
            ref = full.relative_to(common).as_posix()
            if not ref.startswith(MIRRORED_PREFIXES):
                continue
            text = _read_small(full)
            if text is None:
                skipped.append(f"ref {ref} (not a regular file)")
            elif _OBJECT_ID.match(text):
                refs[ref] = text
            # symbolic refs inside refs/ (refs/remotes/origin/HEAD) are not needed
    for name in [n for n in refs if not valid_ref_name(n)]:
        del refs[name]
        skipped.append(f"ref with an invalid name {name!r}")
    return refs, skipped


def _object_files(objects: Path) -> tuple[tuple[Path, ...], tuple[Path, ...], list[str]]:
    skipped: list[str] = []
    packs: list[Path] = []
    pack_dir = objects / "pack"
    if pack_dir.is_dir() and not pack_dir.is_symlink():
        for entry in sorted(os.scandir(pack_dir), key=lambda e: e.name):
            if not _PACK.match(entry.name):
                continue
            index = pack_dir / (entry.name[: -len(".pack")] + ".idx")
            if entry.is_symlink() or index.is_symlink():
                skipped.append(f"symlinked pack {entry.name}")
            elif entry.is_file() and index.is_file():
                packs.append(Path(entry.path))
    elif pack_dir.is_symlink():
        skipped.append("symlinked objects/pack")
    loose: list[Path] = []
    for entry in os.scandir(objects):
        if _LOOSE_DIR.match(entry.name):
            if entry.is_symlink():
                skipped.append(f"symlinked object folder {entry.name}")
            elif entry.is_dir():
                loose.append(Path(entry.path))
    return tuple(packs), tuple(sorted(loose)), skipped


def loose_objects(folder: Path) -> list[Path]:
    """The regular loose object files of one objects/xx folder (symlinks ignored)."""
    return [
        Path(e.path)
        for e in os.scandir(folder)
        if _LOOSE_NAME.match(e.name) and e.is_file(follow_symlinks=False)
    ]


def _alternates(objects: Path) -> tuple[str, ...]:
    found: list[str] = []
    for name in ("alternates", "http-alternates"):
        text = objects / "info" / name
        if text.is_file():
            listed = lines(text.read_text("utf-8", "replace"))
            found += [line.strip() for line in listed if line.strip() and not line.startswith("#")]
    return tuple(found)


def _shallow(path: Path) -> tuple[str, ...]:
    if not path.is_file() or path.is_symlink():
        return ()
    lines = path.read_text("ascii", "replace").split()
    return tuple(sha for sha in lines if _OBJECT_ID.match(sha))
