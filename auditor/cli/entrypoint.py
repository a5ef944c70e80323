"""The `auditor` command line: the only place that prints or exits.

`AuditorError`s become one line on stderr and exit status 2; Typer reports
usage errors itself, also with status 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Annotated, NoReturn

import typer

import auditor.cli.commands
from auditor import __version__
from auditor.cli.common import app, err
from auditor.kernel.errors import AuditorError


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"auditor {__version__}")


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"auditor {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Supply-chain code-provenance auditor: who changes each component, and from where."""


def _register_commands() -> None:
    for module in sorted(pkgutil.iter_modules(auditor.cli.commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"auditor.cli.commands.{module.name}")


_register_commands()


def main() -> NoReturn:
    """Console-script entry point."""
    try:
        app()
    except AuditorError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(2)
    sys.exit(0)
