from __future__ import annotations

from auditor.cliapp import DEFAULT_CONFIG, AsOfOption, ConfigOption, app, load, out, parse_as_of
from auditor.wording import counted


@app.command()
def analyze(config: ConfigOption = DEFAULT_CONFIG, as_of: AsOfOption = None) -> None:
    """Resolve people, locations and components; evaluate the rules; store the findings.

    The last line's coverage is the share of churn (added + deleted lines of non-merge
    commits) on paths that some component's globs map; no rule judges the rest.
    """
    from auditor.analyze import analyze as run_analysis
    from auditor.exporters.interface import build_report
    from auditor.exporters.text import report_blocks, report_renderable
    from auditor.store import make_engine

    day = parse_as_of(as_of)
    loaded = load(config)
    engine = make_engine(loaded.store_url)
    try:
        result = run_analysis(engine, loaded, day)
    finally:
        engine.dispose()
    report = build_report(
        result.findings,
        as_of=day,
        baseline=(),
        waivers=loaded.config.waivers,
        fail_on=loaded.config.policy.fail_on,
        unavailable=result.unavailable,
        main_paths=result.components,
    )
    if out.is_terminal:
        out.print(report_renderable(report))
    else:  # CI logs: one block per finding, whole lines
        out.print(report_blocks(report), soft_wrap=True)
    out.print(
        f"run {result.run_id}: {counted(result.resolve.people, 'person')}, "
        f"{counted(result.resolve.components, 'component')}, "
        f"coverage {result.resolve.coverage:.0%} of churn on mapped paths",
        markup=False,
    )
