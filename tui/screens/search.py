"""`/`: search components, people and findings; Enter opens the hit."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from auditor import views
from tui import text as fmt

if TYPE_CHECKING:
    from tui.app import AuditorApp


class SearchScreen(ModalScreen[views.SearchHit | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close"),
        Binding("down", "to_results", "Results", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(name="search")
        self.hits: list[views.SearchHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(placeholder="search components, people, findings", id="query")
            yield Label("", id="search-state", classes="hint")
            yield OptionList(id="results")

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#search-state", Label).update(Text("searching…", style="grey50"))
        self._search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str) -> None:
        app = cast("AuditorApp", self.app)
        hits = views.search(app.ctx, query)
        with contextlib.suppress(RuntimeError):  # the app closed while the query ran
            self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits: list[views.SearchHit]) -> None:
        if query != self.query_one("#query", Input).value:
            return  # a newer query is on its way
        self.hits = hits
        results = self.query_one("#results", OptionList)
        results.clear_options()
        for i, hit in enumerate(hits):
            results.add_option(
                Option(
                    fmt.join(Text(f"{hit.kind:<10}", style="grey50"), fmt.safe(hit.label)),
                    id=str(i),
                )
            )
        state = f"{fmt.count(len(hits), 'hit')} · ↓ to choose, Enter opens" if query.strip() else ""
        self.query_one("#search-state", Label).update(Text(state, style="grey50"))

    @on(Input.Submitted, "#query")
    def _first(self) -> None:
        if self.hits:
            self.dismiss(self.hits[0])

    @on(OptionList.OptionSelected, "#results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[int(event.option.id or 0)])

    def action_to_results(self) -> None:
        # highlight the first hit, so that ↓ then Enter opens it as the hint promises
        results = self.query_one("#results", OptionList)
        if results.option_count and results.highlighted is None:
            results.highlighted = 0
        results.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
