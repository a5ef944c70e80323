"""One person: identities, location periods with every evidence row, offsets, conflicts."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Label, Static

from auditor import views
from tui import text as fmt
from tui.screens.base import DataScreen
from tui.widgets.charts import bars
from tui.widgets.tables import CommitTable, SafeTable

EVIDENCE_COLUMNS = ("Kind", "Value", "Countries", "Weight", "From", "To", "Reference")


def _evidence_cells(e: views.EvidenceRow, indent: str = "") -> list[Text | str]:
    return [
        fmt.join(indent, fmt.safe(e.kind)),
        fmt.safe(e.value),
        fmt.safe("/".join(e.countries) or "-"),
        f"{e.weight:.2f}",
        fmt.day(e.valid_from),
        fmt.day(e.valid_to),
        fmt.safe(e.ref or ""),
    ]


class PersonScreen(DataScreen[views.PersonDetail | None]):
    def __init__(self, person_id: int) -> None:
        super().__init__(name="person")
        self.person_id = person_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static("", id="summary")
            yield Label("Location periods and the evidence behind each", classes="panel-title")
            yield SafeTable(
                ("Period", "Location", "Tier", "Confidence", "Evidence", "Value", "Reference"),
                id="periods",
            )
            yield Label("Conflicts", classes="panel-title")
            yield SafeTable(("From", "To", "Countries", "Description", "Evidence"), id="conflicts")
            yield Label("All location evidence", classes="panel-title")
            yield SafeTable(EVIDENCE_COLUMNS, id="evidence")
            yield Label("Commit time-zone offsets (commits per offset)", classes="panel-title")
            yield Static("", id="offsets")
            yield Label("Identities merged into this person", classes="panel-title")
            yield SafeTable(
                ("Kind", "Key", "Name", "E-mail", "Merged via", "Zone", "Profile location"),
                id="identities",
            )
            yield Label("Recent commits (Enter opens)", classes="panel-title")
            yield CommitTable(id="person-commits")
        yield Footer()

    def fetch(self) -> views.PersonDetail | None:
        return views.person_detail(self.ctx, self.person_id)

    def show(self, data: views.PersonDetail | None) -> None:
        summary = self.query_one("#summary", Static)
        if data is None:
            summary.update(Text(f"No person with id {self.person_id}"))
            return
        summary.update(
            fmt.join(
                fmt.safe(data.name, "bold"),
                "  ",
                fmt.safe(data.email or ""),
                Text("  bot" if data.bot else "", style="grey50"),
                "\n"
                + " · ".join(
                    (
                        fmt.count(len(data.identities), "identity", "identities"),
                        fmt.count(len(data.periods), "location period"),
                        fmt.count(len(data.evidence), "evidence row"),
                        fmt.count(len(data.conflicts), "conflict"),
                    )
                ),
            )
        )
        rows: list[tuple[str, list[Text | str]]] = []
        for i, period in enumerate(data.periods):
            span = f"{fmt.day(period.valid_from)} → {fmt.day(period.valid_to)}"
            rows.append(
                (
                    f"period:{i}",
                    [
                        Text(span, style="bold"),
                        fmt.location(period.country, period.candidates),
                        fmt.tier(period.tier),
                        f"{period.confidence:.0%}",
                        "",
                        "",
                        "",
                    ],
                )
            )
            for e in period.evidence:
                rows.append(
                    (
                        f"period:{i}:{e.id}",
                        [
                            "",
                            "",
                            "",
                            "",
                            fmt.join("  ", fmt.safe(e.kind)),
                            fmt.safe(e.value),
                            fmt.safe(e.ref or ""),
                        ],
                    )
                )
        self.query_one("#periods", SafeTable).fill(rows)
        self.query_one("#conflicts", SafeTable).fill(
            (
                f"conflict:{i}",
                [
                    fmt.day(c.valid_from),
                    fmt.day(c.valid_to),
                    fmt.safe("/".join(c.countries)),
                    fmt.safe(c.description, "bold red"),
                    fmt.safe("; ".join(f"{e.kind}: {e.value}" for e in c.evidence)),
                ],
            )
            for i, c in enumerate(data.conflicts)
        )
        self.query_one("#evidence", SafeTable).fill(
            (str(e.id), _evidence_cells(e)) for e in data.evidence
        )
        self.query_one("#offsets", Static).update(
            bars([(Text(fmt.offset(o)), n, "cyan") for o, n in data.offsets], width=30)
        )
        self.query_one("#identities", SafeTable).fill(
            (
                f"{i.kind}:{i.key}",
                [
                    fmt.safe(i.kind),
                    fmt.safe(i.key),
                    fmt.safe(i.name or ""),
                    fmt.safe(i.email or ""),
                    fmt.safe(i.via),
                    fmt.safe(i.time_zone or ""),
                    fmt.safe(i.location_text or ""),
                ],
            )
            for i in data.identities
        )
        self.query_one("#person-commits", CommitTable).show(data.commits)

    @on(CommitTable.Selected)
    def _open_commit(self, event: CommitTable.Selected) -> None:
        self.auditor.open_commit(event.sha)
