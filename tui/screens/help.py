"""`?`: every key the app and the screen underneath answer to."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
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

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(self._keys(), id="help-keys")

    def _keys(self) -> Table:
        table = Table(title="Keys", show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, text in GLOBAL_KEYS:
            table.add_row(Text(key), Text(text))
        # the screen underneath may add its own (sorting, filters)
        below = self.app.screen_stack[-1] if self.app.screen_stack else None
        if below is not None and below is not self:
            for binding in getattr(below, "BINDINGS", []):
                if isinstance(binding, Binding) and binding.show:
                    table.add_row(Text(binding.key), Text(binding.description))
        return table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
