from __future__ import annotations

from auditor.cli.common import (
    DEFAULT_CONFIG,
    AsOfOption,
    ConfigOption,
    app,
    load,
    out,
    parse_as_of,
)
from auditor.kernel.wording import counted


@app.command()
def analyze(config: ConfigOption = DEFAULT_CONFIG, as_of: AsOfOption = None) -> None:
    """Resolve people, locations and components; evaluate the rules; store the findings.

    The last line's coverage is the share of churn (added + deleted lines of non-merge
    commits) on paths that some component's globs map; no rule judges the rest.
    """
    from auditor.evaluate.coverage import nothing_to_judge, window_coverage
    from auditor.evaluate.run import analyze as run_analysis
    from auditor.kernel.errors import NothingToJudgeError
    from auditor.report.check import judge
    from auditor.report.formats.text import report_blocks, report_renderable
    from auditor.report.triage import configured
    from auditor.store import warnings as run_warnings
    from auditor.store.engine import make_engine

    day = parse_as_of(as_of)
    loaded = load(config)
    engine = make_engine(loaded.store_url)
    try:
        result = run_analysis(engine, loaded, day, triage=configured(loaded, day))
        coverage = window_coverage(engine, loaded, day)
        warnings = run_warnings.read(engine, result.resolution_id)
    finally:
        engine.dispose()
    report = judge(result, loaded, commits_in_window=coverage.commits_in_window, warnings=warnings)
    if out.is_terminal:
        out.print(report_renderable(report))
    else:  # CI logs: one block per finding, whole lines
        out.print(report_blocks(report), soft_wrap=True)
    mapped = (
        f"coverage {result.resolve.coverage:.0%} of churn on mapped paths"
        if result.resolve.total_churn
        else "no churn to map"  # never "100%" of nothing
    )
    out.print(
        f"run {result.run_id}: {counted(result.resolve.people, 'person')}, "
        f"{counted(result.resolve.components, 'component')}, {mapped}",
        markup=False,
    )
    empty = nothing_to_judge(coverage)
    if empty is not None:
        raise NothingToJudgeError(empty)
