"""The Typer app and what every command shares: options, consoles, config loading.

Commands live one module each in `auditor/cli/commands/` and register on `app`;
`auditor.cli.entrypoint` imports them all. Keep heavy imports inside command functions so
that `auditor --help` stays fast.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from auditor.kernel.config_file import DEFAULT_CONFIG_NAME

if TYPE_CHECKING:
    from rich.console import Console

    from auditor.kernel.config import LoadedConfig

app = typer.Typer(
    name="auditor",
    help="Supply-chain code-provenance auditor: who changes each component, and from where.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class _LazyConsole:
    """A Rich `Console` made on first use: Rich is about 0.02 s of every start, and
    `people --format json` or `check --format sarif` with nothing to warn about print nothing
    through it."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def _made(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not yet set (copy, pickle): never the console's privates
            raise AttributeError(name)
        return getattr(self._made(), name)

    def __setattr__(self, name: str, value: Any) -> None:  # e.g. a test's `width`
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._made(), name, value)


# Text from repositories is never markup: print it with markup=False or as rich.text.Text;
# no emoji codes either (a file or author named "a:warning:b" is printed as it is).
out = cast("Console", _LazyConsole(highlight=False, emoji=False))
err = cast(  # soft_wrap: one error, one line
    "Console", _LazyConsole(stderr=True, highlight=False, soft_wrap=True, emoji=False)
)

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", help="Configuration file.", dir_okay=False),
]
DEFAULT_CONFIG = Path(DEFAULT_CONFIG_NAME)
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="End of the policy window, YYYY-MM-DD (default: today)."),
]


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


def parse_as_of(value: str | None) -> date:
    from auditor.kernel.days import parse_day

    if value is None:
        return date.today()
    return parse_day(value, "--as-of")


def load(config: Path) -> LoadedConfig:
    # imported here: the configuration models (pydantic) are a third of `auditor version`
    from auditor.kernel.config import load_config

    return load_config(config)
