"""Every component: sortable, filterable; Enter opens the component screen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label

from auditor import views
from tui.screens.base import DataScreen
from tui.widgets.tables import ComponentTable

# column label -> sort key over a row; numbers sort largest first
SORTS = {
    "Component": (lambda r: r.name.casefold(), False),
    "Sensitivity": (lambda r: views.SENSITIVITY_ORDER.index(r.sensitivity), False),
    "Churn": (lambda r: r.churn, True),
    "Commits": (lambda r: r.commits, True),
    "People": (lambda r: r.people, True),
    "High-risk share": (lambda r: (r.share_min, r.share_max), True),
    "Findings": (lambda r: r.findings, True),
}


class ComponentsScreen(DataScreen[list[views.ComponentRow]]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # short footer labels (the footer also holds the app's keys); help shows the tooltip
        Binding("s", "next_sort", "Sort", tooltip="Sort by next column"),
        Binding("r", "reverse", "Reverse", tooltip="Reverse order"),
        Binding("ctrl+f", "focus_filter", "Filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[views.ComponentRow] = []
        self.sort_column = "Sensitivity"
        self.sort_reverse = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="body"):
            yield Input(placeholder="filter by name or sensitivity (ctrl+f)", id="filter")
            yield Label("", id="sort-state", classes="hint")
            yield ComponentTable(id="components")
        yield Footer()

    def fetch(self) -> list[views.ComponentRow]:
        return views.components(self.ctx)

    def show(self, data: list[views.ComponentRow]) -> None:
        self.rows = data
        self.refresh_table()
        self.query_one(ComponentTable).focus()

    def visible_rows(self) -> list[views.ComponentRow]:
        needle = self.query_one("#filter", Input).value.strip().casefold()
        rows = [
            r
            for r in self.rows
            if not needle or needle in r.name.casefold() or needle == r.sensitivity
        ]
        key, largest_first = SORTS[self.sort_column]
        rows.sort(key=key, reverse=largest_first != self.sort_reverse)
        return rows

    def refresh_table(self) -> None:
        rows = self.visible_rows()
        self.query_one(ComponentTable).show(rows)
        direction = "reversed" if self.sort_reverse else "default order"
        self.query_one("#sort-state", Label).update(
            Text(
                f"{len(rows)} of {len(self.rows)} components · sorted by {self.sort_column} "
                f"({direction}) · s: next column, r: reverse, click a header to sort",
                style="grey50",
            )
        )

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self.refresh_table()

    @on(Input.Submitted, "#filter")
    def _to_table(self) -> None:
        self.query_one(ComponentTable).focus()

    @on(DataTable.HeaderSelected)
    def _sort_by_header(self, event: DataTable.HeaderSelected) -> None:
        label = str(event.column_key.value)
        if label in SORTS:
            self.sort_reverse = self.sort_column == label and not self.sort_reverse
            self.sort_column = label
            self.refresh_table()

    def action_next_sort(self) -> None:
        names = list(SORTS)
        self.sort_column = names[(names.index(self.sort_column) + 1) % len(names)]
        self.sort_reverse = False
        self.refresh_table()

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.refresh_table()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(ComponentTable.Selected)
    def _open(self, event: ComponentTable.Selected) -> None:
        self.auditor.open_component(event.name)
