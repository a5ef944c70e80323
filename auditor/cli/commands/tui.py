from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.common import DEFAULT_CONFIG, ConfigOption, app, load, out, parse_as_of
from auditor.kernel.errors import UsageError


@app.command()
def tui(
    config: ConfigOption = DEFAULT_CONFIG,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="End of the policy window, YYYY-MM-DD (default: where the latest analysis "
            "ended, else today). A date other than the stored analysis's is analyzed first.",
        ),
    ] = None,
    screenshot: Annotated[
        Path | None,
        typer.Option(help="Write the overview as SVG to this file instead (no terminal needed)."),
    ] = None,
) -> None:
    """Browse components, findings and people in the terminal (Textual).

    The window ends at --as-of, by default where the latest analysis ended (today
    when there is none), so the figures match its findings. With --as-of for a
    date the stored analysis is not for, that date is analyzed first: the screen
    never mixes one date's figures with another date's findings.
    """
    if screenshot is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("auditor tui needs a terminal; use `auditor check` or `auditor people`")
    from auditor import views
    from auditor.store.engine import make_engine
    from tui.app import make_app, save_screenshot

    loaded = load(config)
    engine = make_engine(loaded.store_url)
    latest = views.latest_as_of(engine)
    day = parse_as_of(as_of) if as_of else (latest or parse_as_of(None))
    selection = None  # the newest analysis as of `day`
    if as_of and latest != day:
        from auditor.evaluate.run import analyze
        from auditor.report.triage import configured
        from auditor.store.resolutions import Selection

        stored = f"the stored analysis is as of {latest}" if latest else "no stored analysis"
        out.print(f"analyzing as of {day} first ({stored})", markup=False)
        result = analyze(engine, loaded, day, triage=configured(loaded, day))
        selection = Selection(result.run_id, result.resolution_id)
    app = make_app(engine, as_of=day, config=loaded, selection=selection)
    if screenshot is not None:
        save_screenshot(app, screenshot)
        out.print(f"wrote {screenshot}", markup=False)
    else:
        app.run()
