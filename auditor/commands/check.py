from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cliapp import (
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

    from auditor.config import LoadedConfig
    from auditor.exporters.interface import Report


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
    from auditor.analyze import analyze
    from auditor.baseline import load_baseline, write_baseline
    from auditor.collect import collect_all
    from auditor.errors import UsageError
    from auditor.exporters import exporter_for
    from auditor.exporters.interface import build_report
    from auditor.store import make_engine

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
    engine = make_engine(loaded.store_url)
    try:
        collect_all(loaded, engine)
        shas = _range_commits(loaded, engine, *span) if span else None
        if shas:
            _require_collected(engine, shas, commit_range or "")
        result = analyze(engine, loaded, day, commit_shas=shas, kind="check")
    finally:
        engine.dispose()
    waivers = loaded.config.waivers
    report = build_report(
        result.findings,
        as_of=day,
        baseline=accepted,
        waivers=waivers,
        fail_on=threshold,
        unavailable=result.unavailable,
        main_paths=result.components,
        range_commits=result.range_commits,
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
    if report.failing:
        raise typer.Exit(1)


def _parse_range(value: str) -> tuple[str, str]:
    from auditor.errors import UsageError

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

    Local repositories are asked directly (the PR checkout has the refs a CI job
    names, e.g. `origin/main`); remote ones through the collector's sanitized
    mirror. git runs through `collectors.git_safety.run_git`: no repository
    config that executes, no prompts.
    """
    from auditor.collect import mirrors_dir
    from auditor.errors import UsageError
    from collectors.git_safety import run_git

    found: set[str] = set()
    known = 0
    for repo in loaded.config.git:
        if repo.is_remote:
            git_dir = mirrors_dir(loaded) / f"{repo.name}.git"
        else:
            path = loaded.resolve(repo.path)
            git_dir = path / ".git" if (path / ".git").is_dir() else path
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

    from auditor import models
    from auditor.errors import UsageError
    from auditor.store import table

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
    from auditor.exporters.text import report_blocks, report_renderable
    from auditor.safe_text import visible

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
    if output is not None:
        from auditor.export.files import write_atomically

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
