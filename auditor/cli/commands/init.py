from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.common import app, out
from auditor.kernel.config_file import DEFAULT_CONFIG_NAME
from auditor.kernel.errors import UsageError


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Workspace folder.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example auditor.toml."""
    target = directory / DEFAULT_CONFIG_NAME
    if target.exists() and not force:
        raise UsageError(f"{target} exists; use --force to overwrite")
    directory.mkdir(parents=True, exist_ok=True)
    example = resources.files("auditor").joinpath("data", "auditor.example.toml").read_text("utf-8")
    target.write_text(example, encoding="utf-8")
    out.print(f"wrote {target}", markup=False)
