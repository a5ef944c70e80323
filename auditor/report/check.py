"""`auditor check` as one function: collect, analyze (the window or a commit range), judge.

The CLI parses options into a `CheckRequest` (invalid combinations are refused there,
before the configuration is read) and renders the `CheckOutcome`; everything between
is here, so the same answer comes from any caller. Each finding's status is decided
by `auditor.report.triage` before the run is stored; `judge` only turns an analysis
and the verdicts stored with it into the report `check`, `analyze` and the demo format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from auditor.evaluate.run import AnalyzeResult
from auditor.kernel.config import LoadedConfig
from auditor.kernel.enums import FindingStatus
from auditor.kernel.errors import UsageError
from auditor.kernel.findings import Verdicts
from auditor.report.formats.interface import Report, build_report
from auditor.report.triage import triage

if TYPE_CHECKING:
    from rules.interface import Finding, PolicyFile


@dataclass(frozen=True)
class CheckRequest:
    """What a check was asked for; refuses combinations that cannot be honoured."""

    baseline: Path | None = None
    update_baseline: bool = False
    fail_on: str | None = None  # default: [policy] fail_on
    commit_range: str | None = None  # BASE..HEAD

    def __post_init__(self) -> None:
        if self.update_baseline and self.baseline is None:
            raise UsageError("--update-baseline needs --baseline FILE", field="--update-baseline")
        if self.update_baseline and self.commit_range is not None:
            # A range sees only its own commits: its findings are not the whole baseline.
            raise UsageError("--update-baseline cannot be combined with --range", field="--range")
        if self.commit_range is not None:
            _parse_range(self.commit_range)


@dataclass(frozen=True)
class CheckOutcome:
    report: Report
    baseline_written: int | None = None  # fingerprints written by --update-baseline
    # why the window holds nothing to judge: the caller renders the report, then exits 2
    nothing_to_judge: str | None = None


def judge(
    result: AnalyzeResult,
    loaded: LoadedConfig,
    *,
    fail_on: str | None = None,
    commits_in_window: int | None = None,
    warnings: Sequence[str] = (),
) -> Report:
    """The analysis' findings with the verdicts its run stored, and what fails."""
    policy = loaded.config.policy
    return build_report(
        result.findings,
        result.verdicts,
        as_of=result.as_of,
        fail_on=fail_on if fail_on is not None else policy.fail_on,
        unavailable=result.unavailable,
        main_paths=result.components,
        range_commits=result.range_commits,
        commits_in_window=commits_in_window,
        warnings=warnings,
        fail_on_confidence=policy.fail_on_confidence,
    )


def run_check(
    loaded: LoadedConfig,
    as_of: date,
    request: CheckRequest,
    *,
    jobs: int = 1,
    progress: Callable[[str, int, int | None], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> CheckOutcome:
    """Collect every source, analyze as of `as_of`, judge; with `update_baseline`, accept
    every unwaived finding into the baseline file first.

    A range is judged by the policy as of BASE (a pull request cannot judge itself);
    `notify` hears the collectors' one-line messages (rate-limit waits, retries).
    """
    from auditor.evaluate.coverage import nothing_to_judge, window_coverage
    from auditor.evaluate.run import analyze
    from auditor.ingest.collect import check_sources_exist, collect_all
    from auditor.report.baseline import load_baseline, write_baseline
    from auditor.store import warnings as run_warnings
    from auditor.store.engine import make_engine

    span = _parse_range(request.commit_range) if request.commit_range is not None else None
    accepted = load_baseline(request.baseline) if request.baseline is not None else set()
    check_sources_exist(loaded)  # a configuration that does not hold creates no store
    engine = make_engine(loaded.store_url)
    try:
        collect_all(loaded, engine, jobs=jobs, progress=progress, notify=notify)
        shas = _range_commits(loaded, engine, *span) if span else None
        if shas:
            _require_collected(engine, shas, request.commit_range or "")
        policy_files: tuple[PolicyFile, ...] = ()
        if span is not None:
            loaded, accepted, policy_files = _policy_as_of_base(
                loaded, span, request.baseline, accepted
            )
        waivers = loaded.config.waivers  # a range's: as of BASE

        def decide(findings: Sequence[Finding]) -> Verdicts:
            verdicts = triage(findings, baseline=accepted, waivers=waivers, as_of=as_of)
            if not request.update_baseline:
                return verdicts
            # --update-baseline accepts every unwaived finding: the run stores them so
            return triage(
                findings, baseline=_unwaived(findings, verdicts), waivers=waivers, as_of=as_of
            )

        result = analyze(
            engine,
            loaded,
            as_of,
            triage=decide,
            commit_shas=shas,
            kind="check",
            reuse=True,
            retriage=True,
            policy_files=policy_files,
        )
        # A range judges its own commits; otherwise the window must hold some.
        coverage = window_coverage(engine, loaded, as_of) if shas is None else None
        warnings = run_warnings.read(engine, result.resolution_id)
    finally:
        engine.dispose()
    empty = nothing_to_judge(coverage) if coverage is not None else None
    report = judge(
        result,
        loaded,
        fail_on=request.fail_on,
        commits_in_window=coverage.commits_in_window if coverage is not None else None,
        warnings=warnings,
    )
    if not (request.update_baseline and request.baseline is not None):
        return CheckOutcome(report, nothing_to_judge=empty)
    kept = [item.finding for item in report.findings if item.status != FindingStatus.WAIVED]
    written = write_baseline(request.baseline, kept)
    return CheckOutcome(report, baseline_written=written, nothing_to_judge=empty)


def _unwaived(findings: Sequence[Finding], verdicts: Verdicts) -> set[str]:
    waived = FindingStatus.WAIVED
    return {
        f.fingerprint for f in findings if verdicts.by_fingerprint[f.fingerprint].status != waived
    }


def _policy_as_of_base(
    loaded: LoadedConfig, span: tuple[str, str], baseline: Path | None, accepted: set[str]
) -> tuple[LoadedConfig, set[str], tuple[PolicyFile, ...]]:
    """A range is judged by the policy as of BASE (a pull request cannot judge itself).

    Returns the configuration and baseline to use and the tracked policy files
    for PV111; untracked files are used as given.
    """
    from auditor.report.policy_at_base import policy_at_base

    at_base = policy_at_base(loaded, *span, baseline)
    return (
        at_base.loaded,
        at_base.baseline if at_base.baseline is not None else accepted,
        at_base.files,
    )


def _parse_range(value: str) -> tuple[str, str]:
    base, sep, head = value.partition("..")
    if (
        not sep
        or not base
        or not head
        or head.startswith(".")
        or base.startswith("-")
        or head.startswith("-")
    ):
        raise UsageError(f"--range wants BASE..HEAD, got {value!r}", field="--range")
    return base, head


def _range_commits(loaded: LoadedConfig, engine: Engine, base: str, head: str) -> set[str]:
    """Commits in HEAD but not in BASE, from every configured repository that knows both.

    Revisions are resolved in the collector's mirror of each repository (the
    collect that `check` runs first brings it up to date): git never runs in
    the checkout itself, whose config a pull request may have planted. The
    mirror carries the checkout's branches, tags and remote-tracking refs
    (`origin/main`) and its HEAD, detached or not; a local one is re-synced here
    because a collect that found its head unmoved does not touch the mirror.
    """
    from auditor.ingest.collect import mirrors_dir
    from collectors.git_mirror import mirror, mirror_lock
    from collectors.git_safety import run_git

    found: set[str] = set()
    known = 0
    for repo in loaded.config.git:
        git_dir = mirrors_dir(loaded) / f"{repo.name}.git"
        if not repo.is_remote:
            with mirror_lock(git_dir):
                mirror(loaded.git_location(repo), git_dir)
        if not (git_dir / "HEAD").is_file():
            continue
        result = run_git(
            git_dir, "rev-list", "--no-merges", "--end-of-options", f"{base}..{head}", check=False
        )
        if result.returncode != 0:
            continue
        known += 1
        found |= set(result.stdout.decode("ascii", "replace").split())
    if not known:
        raise UsageError(
            f"--range {base}..{head}: no configured repository knows both revisions",
            field="--range",
        )
    return found


def _require_collected(engine: Engine, shas: set[str], spec: str) -> None:
    """A range whose commits were never mined would pass silently: refuse it instead."""
    from sqlalchemy import select

    from auditor.store import models

    commit = models.Commit
    wanted = sorted(shas)
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found |= set(
                conn.execute(select(commit.c.sha).where(commit.c.sha.in_(chunk))).scalars()
            )
    missing = len(shas) - len(found)
    if missing:
        raise UsageError(
            f"--range {spec}: {missing} of {len(shas)} commits were not collected; the [[git]] "
            "entry must mine the pull request's head (leave out `branch`, and check out a "
            "local branch at the head commit)",
            field="--range",
        )
