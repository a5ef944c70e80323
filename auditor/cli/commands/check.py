from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli.common import (
    DEFAULT_CONFIG,
    AsOfOption,
    ConfigOption,
    app,
    err,
    load,
    out,
    parse_as_of,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from auditor.kernel.config import LoadedConfig, WaiverConfig
    from auditor.report.formats.interface import Report
    from rules.interface import Finding, PolicyFile


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class Severity(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"


@app.command()
def check(
    config: ConfigOption = DEFAULT_CONFIG,
    as_of: AsOfOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="JSON file of accepted finding fingerprints.", dir_okay=False
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option("--update-baseline", help="Accept every current unwaived finding."),
    ] = False,
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="text, json, sarif or github.")
    ] = CheckFormat.text,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="Lowest severity that fails (default: [policy] fail_on)."),
    ] = None,
    commit_range: Annotated[
        str | None,
        typer.Option("--range", help="BASE..HEAD: evaluate only these commits (pull requests)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here.", dir_okay=False)
    ] = None,
) -> None:
    """Collect, analyze, compare with baseline and waivers; exit 1 on a new finding."""
    from auditor.evaluate.coverage import nothing_to_judge, window_coverage
    from auditor.evaluate.run import analyze
    from auditor.ingest.collect import check_sources_exist, collect_all
    from auditor.kernel.errors import NothingToJudgeError, UsageError
    from auditor.report.baseline import load_baseline, write_baseline
    from auditor.report.display_text import visible
    from auditor.report.formats import exporter_for
    from auditor.report.formats.interface import build_report
    from auditor.store import warnings as run_warnings
    from auditor.store.engine import make_engine

    day = parse_as_of(as_of)
    if update_baseline and baseline is None:
        raise UsageError("--update-baseline needs --baseline FILE", field="--update-baseline")
    if update_baseline and commit_range is not None:
        # A range sees only its own commits: its findings are not the whole baseline.
        raise UsageError("--update-baseline cannot be combined with --range", field="--range")
    span = _parse_range(commit_range) if commit_range is not None else None
    loaded = load(config)
    threshold = fail_on.value if fail_on is not None else loaded.config.policy.fail_on
    accepted = load_baseline(baseline) if baseline is not None else set()
    check_sources_exist(loaded)  # a configuration that does not hold creates no store
    engine = make_engine(loaded.store_url)
    try:
        # API sources' rate-limit waits and retries, so a waiting CI job says why
        collect_all(loaded, engine, notify=lambda m: err.print(visible(m), markup=False))
        shas = _range_commits(loaded, engine, *span) if span else None
        if shas:
            _require_collected(engine, shas, commit_range or "")
        policy_files: tuple[PolicyFile, ...] = ()
        if span is not None:
            loaded, accepted, policy_files = _policy_as_of_base(loaded, span, baseline, accepted)
            threshold = fail_on.value if fail_on is not None else loaded.config.policy.fail_on
        result = analyze(
            engine, loaded, day, commit_shas=shas, kind="check", policy_files=policy_files
        )
        # A range judges its own commits; otherwise the window must hold some.
        coverage = window_coverage(engine, loaded, day) if shas is None else None
        warnings = run_warnings.read(engine)
    finally:
        engine.dispose()
    window_commits = coverage.commits_in_window if coverage is not None else None
    waivers = _waivers_that_may_apply(loaded, result.findings)
    report = build_report(
        result.findings,
        as_of=day,
        baseline=accepted,
        waivers=waivers,
        fail_on=threshold,
        unavailable=result.unavailable,
        main_paths=result.components,
        range_commits=result.range_commits,
        commits_in_window=window_commits,
        warnings=warnings,
        fail_on_confidence=loaded.config.policy.fail_on_confidence,
    )
    if update_baseline and baseline is not None:
        kept = [item.finding for item in report.findings if item.status != "waived"]
        count = write_baseline(baseline, kept)
        err.print(f"baseline {baseline}: {count} fingerprints", markup=False)
        report = build_report(
            result.findings,
            as_of=day,
            baseline={f.fingerprint for f in kept},
            waivers=waivers,
            fail_on=threshold,
            unavailable=result.unavailable,
            main_paths=result.components,
            range_commits=result.range_commits,
            fail_on_confidence=loaded.config.policy.fail_on_confidence,
        )
    _emit(report, format, output, exporter_for(format.value).render(report))
    empty = nothing_to_judge(coverage) if coverage is not None else None
    if empty is not None:  # the report says so too; the exit status must not read as clean
        raise NothingToJudgeError(empty)
    if report.failing:
        raise typer.Exit(1)


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


def _waivers_that_may_apply(
    loaded: LoadedConfig, findings: Sequence[Finding]
) -> list[WaiverConfig]:
    """Every configured waiver but those for PV111 (by rule or by fingerprint): a standing
    waiver for "the policy changed" would let every later policy change through unseen."""
    policy_changes = {f.fingerprint for f in findings if f.rule == "PV111"}
    return [
        w
        for w in loaded.config.waivers
        if w.rule != "PV111" and (w.fingerprint is None or w.fingerprint not in policy_changes)
    ]


def _parse_range(value: str) -> tuple[str, str]:
    from auditor.kernel.errors import UsageError

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
    from auditor.kernel.errors import UsageError
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

    from auditor.kernel.errors import UsageError
    from auditor.store import models
    from auditor.store.engine import table

    commit = table(models.Commit)
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


def _emit(report: Report, format: CheckFormat, output: Path | None, rendered: str) -> None:
    from auditor.report.formats.text import report_blocks, report_renderable
    from auditor.report.formats.workflow_commands import log_safe as visible

    if format is not CheckFormat.text and format is not CheckFormat.github:
        # Machine formats keep to their contract; the notes go to stderr.
        for note in report.unavailable:
            where = f" {note.component}" if note.component else ""
            err.print(f"not available: {note.rule}{where}: {visible(note.reason)}", markup=False)
        for waiver in report.unmatched_waivers:
            label = waiver.fingerprint or f"{waiver.rule} {waiver.component}"
            err.print(f"waiver matches nothing: {visible(label)}", markup=False)
        for waiver in report.expired_waivers:
            label = waiver.fingerprint or f"{waiver.rule} {waiver.component}"
            err.print(f"expired waiver: {visible(label)} ({waiver.expires})", markup=False)
        for line in report.warnings:
            err.print(f"warning: {visible(line)}", markup=False)
    if output is not None:
        from auditor.kernel.files import write_atomically

        # Atomic, and an unwritable path is exit 2 with one line, never exit 1.
        write_atomically(output, rendered.encode("utf-8"))
        return
    if format is CheckFormat.text and out.is_terminal:
        out.print(report_renderable(report))
    elif format is CheckFormat.text:
        # CI logs: whole lines, one block per finding, instead of an 80-column table.
        out.print(report_blocks(report), soft_wrap=True)
    else:
        typer.echo(rendered, nl=False)
