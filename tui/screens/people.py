"""Every person with their current location; Enter opens the person screen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, Label

from auditor import views
from tui.screens.base import DataScreen
from tui.widgets.tables import PersonTable


class PeopleScreen(DataScreen[list[views.PersonRow]]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+f", "focus_filter", "Filter")]

    def __init__(self) -> None:
        super().__init__(name="people")
        self.rows: list[views.PersonRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="body"):
            yield Input(placeholder="filter by name, e-mail, country or tier (ctrl+f)", id="filter")
            yield Label("", id="count", classes="hint")
            yield PersonTable(id="people", window_days=self.ctx.window_days)
        yield Footer()

    def on_resize(self) -> None:
        super().on_resize()
        if self.loaded:  # names and e-mails are clipped to what the width allows
            self.refresh_table()

    def fetch(self) -> list[views.PersonRow]:
        return views.people(self.ctx)

    def show(self, data: list[views.PersonRow]) -> None:
        self.rows = data
        self.refresh_table()
        self.query_one(PersonTable).focus()

    def refresh_table(self) -> None:
        needle = self.query_one("#filter", Input).value.strip().casefold()
        rows = [
            p
            for p in self.rows
            if not needle
            or needle in p.name.casefold()
            or needle in (p.email or "").casefold()
            or needle == (p.country or "").casefold()
            or needle in (c.casefold() for c in p.candidates)
            or needle == p.tier
        ]
        self.query_one(PersonTable).show(rows)
        total = _headcount(self.rows)
        count = total if len(rows) == len(self.rows) else f"{len(rows)} shown of {total}"
        self.query_one("#count", Label).update(Text(f"{count} · Enter opens", style="grey50"))

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self.refresh_table()

    @on(Input.Submitted, "#filter")
    def _to_table(self) -> None:
        self.query_one(PersonTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(PersonTable.Selected)
    def _open(self, event: PersonTable.Selected) -> None:
        self.auditor.open_person(event.person_id)


def _headcount(rows: list[views.PersonRow]) -> str:
    """Like "13 people + 1 bot": people as the overview counts them, bots apart."""
    bots = sum(1 for p in rows if p.bot)
    humans = len(rows) - bots
    text = f"{humans} {'person' if humans == 1 else 'people'}"
    return text + (f" + {bots} bot{'' if bots == 1 else 's'}" if bots else "")
