"""One component: jurisdictions, activity by tier, maintainers, commits, work items, findings."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Label, Static, TabbedContent, TabPane

from auditor import views
from tui import text as fmt
from tui.screens.base import DataScreen
from tui.widgets.charts import TierSparklines
from tui.widgets.tables import CommitTable, SafeTable


class ComponentScreen(DataScreen[views.ComponentDetail | None]):
    def __init__(self, name: str) -> None:
        super().__init__(name="component")
        self.component_name = name

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="body"):
            yield Static("", id="summary")
            with Horizontal(id="component-top"):
                with Vertical(classes="panel", id="jurisdictions-panel"):
                    yield Label("Churn by jurisdiction", classes="panel-title")
                    yield SafeTable(
                        ("Country or pattern", "Tier", "Churn", "Upper bound", "Share", "Reason"),
                        id="jurisdictions",
                    )
                with Vertical(classes="panel", id="activity-panel"):
                    yield Label("Activity over time by jurisdiction tier", classes="panel-title")
                    yield TierSparklines(id="activity")
            with TabbedContent(id="tabs"):
                with TabPane("Maintainers", id="tab-maintainers"):
                    yield SafeTable(
                        (
                            "Person",
                            "Churn",
                            "Commits",
                            "Location",
                            "Tier",
                            "Confidence",
                            "Evidence",
                        ),
                        id="maintainers",
                    )
                with TabPane("Recent commits", id="tab-commits"):
                    yield CommitTable(id="commits")
                with TabPane("Work items", id="tab-work-items"):
                    yield SafeTable(
                        ("Key", "Source", "Type", "Status", "Assignee", "Title"), id="work-items"
                    )
                with TabPane("Findings", id="tab-findings"):
                    yield SafeTable(
                        ("Severity", "Rule", "Subject", "Message"), id="component-findings"
                    )
        yield Footer()

    def fetch(self) -> views.ComponentDetail | None:
        return views.component_detail(self.ctx, self.component_name)

    def show(self, data: views.ComponentDetail | None) -> None:
        if data is None:
            self.query_one("#summary", Static).update(
                fmt.join("No component named ", fmt.safe(self.component_name, "bold"))
            )
            return
        self.query_one("#summary", Static).update(
            fmt.join(
                fmt.safe(data.name, "bold"),
                "  ",
                fmt.sensitivity(data.sensitivity),
                f"  churn {data.churn:,} · {fmt.count(data.commits, 'commit')}"
                f" · {fmt.count(data.people, 'person')} · high-risk share ",
                fmt.share(data.share_min, data.share_max),
                "\n",
                Text("paths: ", style="grey50"),
                fmt.safe(", ".join(data.paths) or "none"),
            )
        )
        self.query_one("#jurisdictions", SafeTable).fill(
            (
                f"{j.country or j.label}:{j.tier}",
                [
                    fmt.location(j.country, j.label),
                    fmt.tier(j.tier),
                    fmt.number(j.churn),
                    fmt.number(j.churn_max),
                    fmt.interval(j.share_min, j.share_max),
                    fmt.safe(fmt.clip(j.reason, 40)),
                ],
            )
            for j in data.jurisdictions
        )
        self.query_one("#activity", TierSparklines).show(data.months, data.activity, fmt.TIER_STYLE)
        self.query_one("#maintainers", SafeTable).fill(
            (
                str(m.person_id),
                [
                    fmt.safe(m.name),
                    fmt.number(m.churn),
                    fmt.number(m.commits),
                    fmt.location(m.country, m.location),
                    fmt.tier(m.tier),
                    Text(fmt.percent(m.confidence), justify="right"),
                    fmt.safe("; ".join(m.evidence) or "none"),
                ],
            )
            for m in data.maintainers
        )
        self.query_one("#commits", CommitTable).show(data.recent_commits)
        self.query_one("#work-items", SafeTable).fill(
            (
                f"{w.source}:{w.key}",
                [
                    fmt.safe(w.key, "cyan"),
                    fmt.safe(w.source),
                    fmt.safe(w.kind),
                    fmt.safe(w.status or ""),
                    fmt.safe(w.assignee or "unassigned"),
                    fmt.safe(w.title),
                ],
            )
            for w in data.work_items
        )
        self.query_one("#component-findings", SafeTable).fill(
            (
                str(f.id),
                [fmt.severity(f.severity), f.rule, fmt.safe(f.subject or ""), fmt.safe(f.message)],
            )
            for f in data.findings
        )
        self.query_one("#maintainers", SafeTable).focus()

    @on(DataTable.RowSelected, "#maintainers")
    def _open_person(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.auditor.open_person(int(event.row_key.value))

    @on(DataTable.RowSelected, "#component-findings")
    def _open_finding(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.auditor.open_finding(int(event.row_key.value))

    @on(CommitTable.Selected)
    def _open_commit(self, event: CommitTable.Selected) -> None:
        self.auditor.open_commit(event.sha)
