"""`?`: every key the app and the screen underneath answer to."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GLOBAL_KEYS = (
    ("o / c / f / p", "overview, components, findings, people"),
    ("/", "search components, people and findings"),
    ("ctrl+p", "command palette: jump to any screen, component or person"),
    ("enter", "open the selected row or link"),
    ("escape", "back (close the screen on top, then return to the overview)"),
    ("tab / shift+tab", "move between tables, filters and tabs"),
    ("d", "dark / light theme"),
    ("?", "this help"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def __init__(self, below: Screen[object] | None = None) -> None:
        super().__init__(name="help")
        # the screen underneath may add its own keys (sorting, filters)
        self.extra = [
            (b.key, b.tooltip or b.description)  # the tooltip: the footer's label is short
            for b in getattr(below, "BINDINGS", [])
            if isinstance(b, Binding) and b.show
        ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(self._keys(), id="help-keys")

    def _keys(self) -> Table:
        table = Table(title="Keys", show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, text in (*GLOBAL_KEYS, *self.extra):
            table.add_row(Text(key), Text(text))
        return table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
