"""The `auditor` command line: the only place that prints or exits.

`AuditorError`s become one line on stderr and exit status 2; Typer reports
usage errors itself, also with status 2.

`main` registers only the command it runs; `app`, for tests and other callers, has them all.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import Annotated, Any, NoReturn

import typer

import auditor.cli.commands
from auditor import __version__
from auditor.cli import common
from auditor.kernel.errors import AuditorError

_app, err = common.app, common.err


@_app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"auditor {__version__}")


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"auditor {__version__}")
        raise typer.Exit()


@_app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Supply-chain code-provenance auditor: who changes each component, and from where."""


def _register_commands(argv: Sequence[str] | None = None) -> None:
    """Import the command modules, each registering its command on the app.

    Given the arguments, only the module of the command they name: the other modules cost
    every start about 0.01 s. No command, `--help` or a misspelt one registers them all, for
    the listing and Typer's "did you mean".
    """
    named = next((arg for arg in argv or () if not arg.startswith("-")), None)
    if named == "version":  # registered above
        return
    names = sorted(m.name for m in pkgutil.iter_modules(auditor.cli.commands.__path__))
    for name in [named] if named in names else names:
        importlib.import_module(f"auditor.cli.commands.{name}")


def __getattr__(name: str) -> Any:
    # `from auditor.cli.entrypoint import app`: the app with every command
    if name == "app":
        _register_commands()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The cycle collector's first pass every 50,000 new objects instead of 700: a command's
# start-up makes tens of thousands of long-lived objects (modules, classes, SQLAlchemy's and
# pydantic's constructs) and hardly any garbage cycles, and walking them again and again
# cost `people` ~0.02 s and `check` ~0.03 s. Mining sets the same for its own loop
# (`auditor.ingest.git._fewer_gc_passes`).
_FIRST_GC_PASS = 50_000


def main() -> NoReturn:
    """Console-script entry point."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _FIRST_GC_PASS), *thresholds[1:])
    _register_commands(sys.argv[1:])
    try:
        _app()
    except AuditorError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(2)
    finally:
        # The interpreter's exit runs full collections over every object the command made
        # (SQLAlchemy's, pydantic's and Typer's constructs: tens of thousands), about 0.1 s
        # of `people` or `check`. Frozen, they are freed with the process instead; the
        # commands close their files and stores themselves, and stdio is flushed as before.
        gc.freeze()
    sys.exit(0)
