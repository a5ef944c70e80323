"""The commits one evidence row rests on (an offset run, a rhythm); Enter opens a commit."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from auditor import views
from tui import text as fmt
from tui.screens.base import DataScreen
from tui.widgets.tables import CommitTable


class EvidenceCommitsScreen(DataScreen[tuple[views.CommitRow, ...]]):
    def __init__(self, person_id: int, evidence: views.EvidenceRow) -> None:
        super().__init__(name="evidence-commits")
        self.person_id = person_id
        self.evidence = evidence

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="body"):
            yield Static("", id="evidence-summary")
            yield CommitTable(id="evidence-commits")
        yield Footer()

    def fetch(self) -> tuple[views.CommitRow, ...]:
        return views.evidence_commits(self.ctx, self.person_id, self.evidence.id)

    def show(self, data: tuple[views.CommitRow, ...]) -> None:
        e = self.evidence
        self.query_one("#evidence-summary", Static).update(
            fmt.join(
                fmt.safe(e.kind, "bold"),
                "  ",
                fmt.safe(e.value),
                Text(f"\n{fmt.day(e.valid_from)} → {fmt.day(e.valid_to)} · ", style="grey50"),
                Text(fmt.count(len(data), "commit") + " (Enter opens)", style="grey50"),
            )
        )
        table = self.query_one("#evidence-commits", CommitTable)
        table.show(data)
        table.focus()

    @on(CommitTable.Selected)
    def _open_commit(self, event: CommitTable.Selected) -> None:
        self.auditor.open_commit(event.sha)
