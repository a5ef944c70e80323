from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from auditor.cliapp import (
    DEFAULT_CONFIG,
    AsOfOption,
    ConfigOption,
    app,
    load,
    out,
    parse_as_of,
)
from auditor.errors import UsageError


@app.command()
def tui(
    config: ConfigOption = DEFAULT_CONFIG,
    as_of: AsOfOption = None,
    screenshot: Annotated[
        Path | None,
        typer.Option(help="Write the overview as SVG to this file instead (no terminal needed)."),
    ] = None,
) -> None:
    """Browse components, findings and people in the terminal (Textual).

    The window ends at --as-of, by default where the latest analysis ended, so the
    figures match its findings.
    """
    if screenshot is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("auditor tui needs a terminal; use `auditor check` or `auditor people`")
    from auditor import views
    from auditor.store import make_engine
    from tui.app import make_app, save_screenshot

    loaded = load(config)
    engine = make_engine(loaded.store_url)
    day = parse_as_of(as_of) if as_of else (views.latest_as_of(engine) or parse_as_of(None))
    app = make_app(engine, as_of=day, config=loaded)
    if screenshot is not None:
        save_screenshot(app, screenshot)
        out.print(f"wrote {screenshot}", markup=False)
    else:
        app.run()
