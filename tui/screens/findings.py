"""Findings of the latest analysis: filters, and a detail pane that says why."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from auditor import views
from tui import text as fmt
from tui.screens.base import DataScreen
from tui.widgets.tables import SafeTable

FILTERS = ("severity", "rule", "status", "component")
SUBJECT_WIDTH = 18
# severity, rule and subject columns with their padding; the message gets what is left
_BEFORE_MESSAGE = 10 + 7 + SUBJECT_WIDTH + 2 + 3


def _message_width(terminal: int) -> int:
    """Message characters that fit before the status column (the detail shows it all)."""
    table = terminal if terminal < fmt.WIDE_FROM else terminal * 3 // 5
    return max(16, table - _BEFORE_MESSAGE - 2)


EVIDENCE_SHOWN = 12  # the rest are counted; the export and `check --format json` list all


@dataclass(frozen=True)
class FindingsData:
    findings: list[views.FindingRow]
    rule_texts: dict[str, str]
    people: dict[str, int]  # subject -> person id, for subjects that name a person


class FindingsScreen(DataScreen[FindingsData]):
    def __init__(self) -> None:
        super().__init__(name="findings")
        self.data = FindingsData([], {}, {})
        self._wanted: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="body"):
            with Horizontal(id="filters"):
                for name in FILTERS:
                    # the field's name alone: "any component" wraps on 80 columns
                    yield Select[str]([], prompt=name, id=f"filter-{name}")
            with Horizontal(id="split"):
                yield SafeTable(
                    ("Severity", "Rule", "Subject", "Message", "Status", "Component"),
                    id="findings",
                )
                with VerticalScroll(id="detail"):
                    yield Static("", id="why")
                    yield Label("Links (Enter opens)", classes="panel-title")
                    yield OptionList(id="links")
                    yield Static("", id="evidence")
                    yield Static("", id="rule")
        yield Footer()

    def fetch(self) -> FindingsData:
        rows = views.findings(self.ctx)
        texts = {rule: views.rule_text(rule) for rule in {f.rule for f in rows}}
        people: dict[str, int] = {}
        for subject in {f.subject for f in rows if f.subject}:
            pid = views.person_id_for(self.ctx, subject)
            if pid is not None:
                people[subject] = pid
        return FindingsData(rows, texts, people)

    def show(self, data: FindingsData) -> None:
        self.data = data
        for name in FILTERS:
            values = sorted({getattr(f, name) or "" for f in data.findings} - {""})
            if name == "severity":
                values.sort(key=lambda s: views._rank(views.SEVERITY_ORDER, s))
            self.query_one(f"#filter-{name}", Select).set_options(
                [(fmt.safe(v), v) for v in values]
            )
        self.refresh_table()
        self.query_one("#findings", SafeTable).focus()
        if self._wanted is not None:
            self.select_finding(self._wanted)

    def filtered(self) -> list[views.FindingRow]:
        chosen = {}
        for name in FILTERS:
            value = self.query_one(f"#filter-{name}", Select).value
            if isinstance(value, str):
                chosen[name] = value
        return [
            f
            for f in self.data.findings
            if all((getattr(f, k) or "") == v for k, v in chosen.items())
        ]

    def on_resize(self) -> None:
        # below fmt.WIDE_FROM columns the detail goes under the list (see the stylesheet)
        super().on_resize()
        if self.loaded:
            self.refresh_table(keep_cursor=True)

    def refresh_table(self, *, keep_cursor: bool = False) -> None:
        rows = self.filtered()
        table = self.query_one("#findings", SafeTable)
        cursor = table.cursor_row
        message_width = _message_width(self.app.size.width)
        table.fill(
            (
                str(f.id),
                [
                    fmt.severity(f.severity),
                    f.rule,
                    fmt.safe(fmt.clip(f.subject or "-", SUBJECT_WIDTH)),
                    fmt.safe(fmt.clip(f.message, message_width)),
                    Text(f.status, style="grey50" if f.status != "new" else ""),
                    fmt.safe(fmt.clip(f.component or "-", 18)),
                ],
            )
            for f in rows
        )
        if keep_cursor and rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
            return
        if rows:
            self.show_detail(rows[0])
        else:
            self.query_one("#why", Static).update(Text("no findings match", style="grey50"))
            self.query_one("#rule", Static).update("")
            self.query_one("#evidence", Static).update("")
            self.query_one("#links", OptionList).clear_options()

    def select_finding(self, finding_id: int) -> None:
        """Move the cursor to a finding (clearing filters that hide it)."""
        if not self.loaded:
            self._wanted = finding_id
            return
        self._wanted = None
        table = self.query_one("#findings", SafeTable)
        if str(finding_id) not in {r.key.value for r in table.rows.values()}:
            for name in FILTERS:
                self.query_one(f"#filter-{name}", Select).clear()
            self.refresh_table()
        try:
            table.move_cursor(row=table.get_row_index(str(finding_id)))
        except Exception:
            return
        table.focus()

    @on(Select.Changed)
    def _filter(self) -> None:
        if self.loaded:
            self.refresh_table()

    @on(DataTable.RowHighlighted, "#findings")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        found = self._by_id(event.row_key.value)
        if found is not None:
            self.show_detail(found)

    @on(DataTable.RowSelected, "#findings")
    def _to_links(self) -> None:
        self.query_one("#links", OptionList).focus()

    def _by_id(self, key: str | None) -> views.FindingRow | None:
        return next((f for f in self.data.findings if str(f.id) == key), None)

    def show_detail(self, f: views.FindingRow) -> None:
        why = Text()
        why.append_text(fmt.severity(f.severity))
        why.append(f" {f.rule} ", style="bold")
        why.append(f"confidence {f.confidence} · {f.status}\n", style="grey50")
        why.append_text(fmt.safe(f.message, "bold"))
        if f.waiver:
            why.append("\n\nWaived\n", style="bold underline")
            why.append_text(fmt.safe(f.waiver))
        if f.numbers:
            why.append("\n\nNumbers\n", style="bold underline")
            for key, value in f.numbers:
                why.append_text(fmt.join(fmt.safe(key, "grey50"), " = ", fmt.safe(value), "\n"))
        why.append_text(Text(f"\nfingerprint {f.fingerprint}", style="grey50"))
        self.query_one("#why", Static).update(why)
        evidence = Text(f"Evidence ({len(f.evidence)})\n", style="bold underline")
        for item in f.evidence[:EVIDENCE_SHOWN]:
            ref = item.ref[:12] if item.kind == "commit" else item.ref
            evidence.append_text(
                fmt.join("• ", fmt.safe(item.kind, "grey50"), " ", fmt.safe(ref, "cyan"))
            )
            if item.detail:
                evidence.append_text(fmt.join(" ", fmt.safe(item.detail)))
            evidence.append("\n")
        if len(f.evidence) > EVIDENCE_SHOWN:
            evidence.append(f"… and {len(f.evidence) - EVIDENCE_SHOWN} more\n", style="grey50")
        if not f.evidence:
            evidence.append("none recorded\n", style="grey50")
        self.query_one("#evidence", Static).update(evidence)
        rule = Text("Why this rule flags\n", style="bold underline")
        rule.append_text(
            fmt.safe_block(self.data.rule_texts.get(f.rule) or "(rule text not available)")
        )
        self.query_one("#rule", Static).update(rule)
        links = self.query_one("#links", OptionList)
        links.clear_options()
        if f.component:
            links.add_option(
                Option(
                    fmt.join("component  ", fmt.safe(f.component)), id=f"component:{f.component}"
                )
            )
        people: dict[int, Text] = {}
        if f.subject and f.subject in self.data.people:
            people[self.data.people[f.subject]] = fmt.safe(f.subject)
        for item in f.evidence:
            if item.person_id is not None and item.person_id not in people:
                people[item.person_id] = fmt.safe(item.person or f"person {item.person_id}")
        for pid, label in people.items():
            links.add_option(Option(fmt.join("person     ", label), id=f"person:{pid}"))
        # option ids must be unique: the same commit may be cited twice
        for ref in dict.fromkeys(e.ref for e in f.evidence if e.kind == "commit"):
            links.add_option(
                Option(fmt.join("commit     ", fmt.safe(ref[:12])), id=f"commit:{ref}")
            )

    @on(OptionList.OptionSelected, "#links")
    def _follow(self, event: OptionList.OptionSelected) -> None:
        kind, _, target = (event.option.id or "").partition(":")
        if kind == "component":
            self.auditor.open_component(target)
        elif kind == "person":
            self.auditor.open_person(int(target))
        elif kind == "commit":
            self.auditor.open_commit(target)
