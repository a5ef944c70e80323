"""The audit policy of `check --range BASE..HEAD`, read as of BASE.

A pull request must not judge itself. When the configuration file in use, or
the `--baseline` file, lies inside a local `[[git]]` repository and is tracked
there, the check reads it as of BASE: waivers, overrides, jurisdictions,
components and the baseline the pull request adds or edits take no effect in
its own range, and PV111 reports the change (`rules.PolicyFile`).

Files are read with `git cat-file blob` through `collectors.git_safety.run_git`
from the auditor's own sanitized mirror of the repository (`--git-dir`, as
collected), never from the checkout's `.git`, whose config could run programs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from auditor.kernel.config import LoadedConfig, config_from_bytes
from auditor.kernel.errors import UsageError
from auditor.report.baseline import parse_baseline
from rules.interface import PolicyFile


@dataclass(frozen=True)
class PolicyAtBase:
    loaded: LoadedConfig  # the configuration to judge the range by
    baseline: set[str] | None  # the baseline as of BASE; None: read the file as given
    files: tuple[PolicyFile, ...] = field(default=())


@dataclass(frozen=True)
class _Tracked:
    repository: str
    git_dir: Path
    path: str  # inside the repository, '/'-separated
    base: str  # commit sha
    at_base: bytes | None  # None: the file is not in BASE's tree (added by the range)


def policy_at_base(
    loaded: LoadedConfig, base: str, head: str, baseline_path: Path | None
) -> PolicyAtBase:
    """The policy to judge `base..head` by, and what the range changes in it."""
    files: list[PolicyFile] = []
    config = loaded
    tracked = _tracked(loaded, loaded.path, base, head)
    if tracked is not None:
        if tracked.at_base is None:
            # Added by the range itself: nothing of it was approved before, not even a waiver.
            config = _without_waivers(loaded)
            changed: tuple[str, ...] = ("added",)
        else:
            label = f"{loaded.path} at {tracked.base[:12]}"
            config = config_from_bytes(tracked.at_base, loaded.path, label)
            changed = _changed_sections(config, loaded)
        files.append(_record(tracked, changed, loaded.raw_bytes))
    baseline: set[str] | None = None
    if baseline_path is not None:
        tracked_baseline = _tracked(loaded, baseline_path, base, head)
        if tracked_baseline is not None:
            now = _read(baseline_path)
            if tracked_baseline.at_base is None:
                baseline, changed = set(), ("added",)
            else:
                origin = f"{baseline_path} at {tracked_baseline.base[:12]}"
                baseline = parse_baseline(tracked_baseline.at_base, origin)
                current = parse_baseline(now, baseline_path) if now else set()
                changed = ("baseline",) if current != baseline else ()
            files.append(_record(tracked_baseline, changed, now))
    return PolicyAtBase(config, baseline, tuple(files))


def _record(tracked: _Tracked, changed: tuple[str, ...], now: bytes) -> PolicyFile:
    return PolicyFile(
        path=tracked.path,
        repository=tracked.repository,
        base=tracked.base,
        changed=changed,
        digest=hashlib.sha256(now).hexdigest(),
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror}", location=str(path)) from exc


def _changed_sections(before: LoadedConfig, after: LoadedConfig) -> tuple[str, ...]:
    """Top-level configuration sections whose validated values differ (comments never count)."""
    old = before.config.model_dump(mode="json")
    new = after.config.model_dump(mode="json")
    return tuple(
        key
        for key in sorted(set(old) | set(new))
        if json.dumps(old.get(key), sort_keys=True) != json.dumps(new.get(key), sort_keys=True)
    )


def _without_waivers(loaded: LoadedConfig) -> LoadedConfig:
    config = loaded.config.model_copy(update={"waivers": []})
    return LoadedConfig(config, loaded.path, loaded.raw_bytes)


def _tracked(loaded: LoadedConfig, file: Path, base: str, head: str) -> _Tracked | None:
    """Where `file` is tracked: the first local repository whose tree at BASE or HEAD has it."""
    from auditor.ingest.collect import mirrors_dir

    target = file.absolute().resolve()
    for repo in loaded.config.git:
        if repo.is_remote:
            continue  # a remote repository has no work tree here: the file cannot be in it
        root = loaded.resolve(repo.path).absolute().resolve()
        try:
            inside = target.relative_to(root).as_posix()
        except ValueError:
            continue
        git_dir = mirrors_dir(loaded) / f"{repo.name}.git"
        base_sha = _commit(git_dir, base)
        if base_sha is None:
            raise UsageError(
                f"--range: BASE {base!r} is not a commit in the auditor's mirror of "
                f"{repo.name!r}, so its audit policy cannot be read as of BASE",
                field="--range",
            )
        at_base = _blob(git_dir, base_sha, inside)
        head_sha = _commit(git_dir, head)
        if at_base is None and (head_sha is None or _blob(git_dir, head_sha, inside) is None):
            continue  # in the folder but tracked at neither end: not the repository's policy
        return _Tracked(repo.name, git_dir, inside, base_sha, at_base)
    return None


def _commit(git_dir: Path, revision: str) -> str | None:
    from collectors.git_safety import run_git

    if not (git_dir / "HEAD").exists():
        return None
    result = run_git(
        git_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}",
        check=False,
    )  # fmt: skip
    sha = result.stdout.decode("ascii", "replace").strip()
    return sha if result.returncode == 0 and sha else None


MAX_POLICY_BYTES = 16 * 1024 * 1024  # a policy file is small; a hostile blob is not read whole


def _blob(git_dir: Path, commit: str, path: str) -> bytes | None:
    """The file at `commit:path`, or None when the tree has no such file.

    `cat-file blob` prints the stored bytes: no textconv, no filters, nothing
    from the repository's attributes or config runs.
    """
    from collectors.git_safety import run_git

    spec = f"{commit}:{path}"
    size = run_git(git_dir, "cat-file", "-s", spec, check=False)
    if size.returncode != 0:
        return None
    if int(size.stdout.strip() or 0) > MAX_POLICY_BYTES:
        raise UsageError(f"{path} at {commit[:12]} is larger than {MAX_POLICY_BYTES} bytes")
    kind = run_git(git_dir, "cat-file", "-t", spec, check=False)
    if kind.stdout.strip() != b"blob":
        return None
    return run_git(git_dir, "cat-file", "blob", spec).stdout
