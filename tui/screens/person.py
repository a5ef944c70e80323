"""One person: identities, location periods with every evidence row, offsets, conflicts."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, Static

from auditor import views
from tui import text as fmt
from tui.screens.base import DataScreen
from tui.screens.evidence_commits import EvidenceCommitsScreen
from tui.widgets.charts import bars
from tui.widgets.tables import CommitTable, SafeTable

EVIDENCE_COLUMNS = ("Kind", "Value", "Countries", "Weight", "From", "To", "Reference")


def _evidence_cells(e: views.EvidenceRow, indent: str = "") -> list[Text | str]:
    return [
        fmt.join(indent, fmt.safe(e.kind)),
        fmt.safe(e.value),
        fmt.safe(_countries(e.countries)),
        f"{e.weight:.2f}",
        fmt.day(e.valid_from),
        fmt.day(e.valid_to),
        _linked(e),
    ]


def _countries(countries: tuple[str, ...]) -> str:
    """Up to three codes in full; a larger set as its count (the value says which offset)."""
    if not countries:
        return "-"
    return "/".join(countries) if len(countries) <= 3 else fmt.count(len(countries), "country")


def _linked(e: views.EvidenceRow) -> Text:
    """The reference, with a mark when Enter lists the commits behind the row."""
    ref = fmt.safe(e.ref or "")
    return fmt.join(ref, Text("  ⏎ commits", style="cyan")) if views.is_commit_evidence(e) else ref


class PersonScreen(DataScreen[views.PersonDetail | None]):
    """Evidence rows are by date, oldest first; Enter on one read from commits lists them."""

    def __init__(self, person_id: int) -> None:
        super().__init__(name="person")
        self.person_id = person_id
        self.evidence: dict[int, views.EvidenceRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static("", id="summary")
            yield Label("Location periods and the evidence behind each", classes="panel-title")
            # evidence rows under their period, in the same columns: all of it fits 80 columns
            yield SafeTable(
                ("Period · evidence", "Location · value", "Tier", "Confidence", "Reference"),
                id="periods",
            )
            yield Label("Conflicts", classes="panel-title")
            yield SafeTable(("From", "To", "Countries", "Description", "Evidence"), id="conflicts")
            yield Label("All location evidence", classes="panel-title")
            yield SafeTable(EVIDENCE_COLUMNS, id="evidence")
            yield Label(
                "Commit time-zone offsets per year (commits per offset)", classes="panel-title"
            )
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
        self.evidence = {e.id: e for e in data.evidence}
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
                        fmt.location(period.country, period.location),
                        fmt.tier(period.tier),
                        f"{period.confidence:.0%}",
                        "",
                    ],
                )
            )
            for e in period.evidence:
                rows.append(
                    (
                        f"period:{i}:{e.id}",
                        [
                            fmt.join("  ", fmt.safe(e.kind, "grey50")),
                            fmt.safe(e.value),
                            "",
                            Text(f"weight {e.weight:.2f}", style="grey50"),
                            _linked(e),
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
                    fmt.safe(c.countries_label),
                    fmt.safe(c.description, "bold red"),
                    fmt.safe("; ".join(f"{e.kind}: {e.value}" for e in c.evidence)),
                ],
            )
            for i, c in enumerate(data.conflicts)
        )
        self.query_one("#evidence", SafeTable).fill(
            (str(e.id), _evidence_cells(e)) for e in data.evidence
        )
        self.query_one("#offsets", Static).update(_offsets_by_year(data))
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

    @on(DataTable.RowSelected, "#evidence, #periods")
    def _open_evidence(self, event: DataTable.RowSelected) -> None:
        """Enter on an offset/rhythm row: the commits it counts."""
        parts = (event.row_key.value or "").split(":")
        # rows of #evidence are keyed by the evidence id, those of #periods "period:i:id"
        key = parts[-1] if len(parts) in (1, 3) else ""
        evidence = self.evidence.get(int(key)) if key.isdigit() else None
        if evidence is not None and views.is_commit_evidence(evidence):
            self.app.push_screen(EvidenceCommitsScreen(self.person_id, evidence))


def _offsets_by_year(data: views.PersonDetail) -> Text:
    """One block of bars per year, all scaled alike: a move or a second place shows as a shift."""
    if not data.offsets_by_year:
        return Text("no commits", style="grey50")
    out = Text()
    top = max(n for _, _, n in data.offsets_by_year)
    years = sorted({y for y, _, _ in data.offsets_by_year})
    for i, year in enumerate(years):
        rows = [(Text(fmt.offset(o)), n, "cyan") for y, o, n in data.offsets_by_year if y == year]
        if i:
            out.append("\n")
        out.append(f"{year}\n", style="bold")
        out.append_text(bars(rows, width=30, top=top, indent="  "))
    return out
