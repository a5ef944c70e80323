"""The first screen: totals, findings by severity, churn by tier, top risky components."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, Static

from auditor import views
from tui import text as fmt
from tui.screens.base import DataScreen
from tui.widgets.charts import BarChart
from tui.widgets.tables import ComponentTable, SafeTable


class OverviewScreen(DataScreen[views.Totals]):
    """Totals paint first (cheap counts); the attribution fills in from a second worker."""

    attribution_loaded = False
    attribution_painted_at: float | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            with Horizontal(id="stats"):
                for key in ("components", "sensitive", "people", "commits"):
                    yield Static("", id=f"stat-{key}", classes="stat")
            with Horizontal(id="charts"):
                with Vertical(classes="panel", id="severity-panel"):
                    yield Label("Findings by severity", classes="panel-title")
                    yield BarChart("", id="severity")
                with Vertical(classes="panel", id="tiers-panel"):
                    yield Label("Churn by jurisdiction tier", classes="panel-title")
                    yield BarChart("", id="tiers")
            yield Label("Top risky sensitive components (Enter opens)", classes="panel-title")
            yield ComponentTable(id="top-risky")
            yield Label("Most severe new findings (Enter opens)", classes="panel-title")
            yield SafeTable(
                ("Severity", "Rule", "Component", "Subject", "Message"), id="top-findings"
            )
            yield Static("", id="last-run")
        yield Footer()

    def fetch(self) -> views.Totals:
        return views.totals(self.ctx)

    def show(self, data: views.Totals) -> None:
        # labels fit a quarter of 80 columns: a wrapped label would be cut off
        stats = {
            "components": (data.components, "component", "components"),
            "sensitive": (data.sensitive_components, "sensitive", "sensitive"),
            "people": (data.people, "person", "people"),
            "commits": (data.commits_in_window, "commit in window", "commits in window"),
        }
        for key, (value, one, many) in stats.items():
            label = one if value == 1 else many
            self.query_one(f"#stat-{key}", Static).update(
                fmt.join(Text(f"{value:,}", style="bold"), "\n", Text(label, style="grey50"))
            )
        rows = [
            (fmt.severity(sev), n, fmt.SEVERITY_STYLE.get(sev, ""))
            for sev, n in data.findings_by_severity
        ]
        chart = self.query_one("#severity", BarChart)
        if data.last_run:
            chart.show(rows)
        else:
            chart.show_text(Text("no analysis yet: run `auditor analyze`", style="grey50"))
        self.query_one("#last-run", Static).update(
            Text(f"findings from {data.last_run}" if data.last_run else "", style="grey50")
        )
        self.query_one("#charts").loading = True
        self.query_one("#top-risky").loading = True
        self._load_attribution()

    @work(thread=True, exclusive=True, group="attribution")
    def _load_attribution(self) -> None:
        try:
            data = views.overview(self.ctx)
        except Exception as exc:
            self._deliver(self._failed, exc)
            return
        self._deliver(self._show_attribution, data)

    def _show_attribution(self, data: views.Overview) -> None:
        self.query_one("#charts").loading = False
        self.query_one("#top-risky").loading = False
        self.query_one("#tiers", BarChart).show(
            [(fmt.tier(t), churn, fmt.TIER_STYLE[t]) for t, churn in data.churn_by_tier]
        )
        risky = self.query_one("#top-risky", ComponentTable)
        risky.show(data.top_risky)
        if not self.attribution_loaded:  # first paint: a focus the reader sees, Enter acts on
            risky.focus(scroll_visible=False)
        self.query_one("#top-findings", SafeTable).fill(
            (
                str(f.id),
                [
                    fmt.severity(f.severity),
                    f.rule,
                    fmt.safe(fmt.clip(f.component or "-", 24)),
                    fmt.safe(fmt.clip(f.subject or "-", 24)),
                    fmt.safe(f.message),
                ],
            )
            for f in data.top_findings
        )
        self.attribution_loaded = True
        self.call_after_refresh(self._attribution_painted)

    def _attribution_painted(self) -> None:
        self.attribution_painted_at = time.perf_counter()

    @on(DataTable.RowSelected, "#top-findings")
    def _open_finding(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.auditor.open_finding(int(event.row_key.value))

    @on(ComponentTable.Selected)
    def _open(self, event: ComponentTable.Selected) -> None:
        self.auditor.open_component(event.name)
