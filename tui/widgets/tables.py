"""Data tables whose cells are always `Text` and whose rows open something on Enter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from auditor import views
from tui import text as fmt

Cell = Text | str


class SafeTable(DataTable[Text]):
    """A row-cursor table: strings handed to it are escaped, never read as markup."""

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = columns

    def on_mount(self) -> None:
        for label in self._columns:
            self.add_column(Text(label), key=label)

    def fill(self, rows: Iterable[tuple[str, Sequence[Cell]]]) -> None:
        """Replace every row; `key` identifies the row for selection."""
        self.clear()
        for key, cells in rows:
            self.add_row(*(c if isinstance(c, Text) else fmt.safe(c) for c in cells), key=key)

    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return key.value


class ComponentTable(SafeTable):
    """Components; Enter posts `ComponentTable.Selected` with the component's name."""

    # the risk before the activity figures: what fits on 80 columns is what matters
    COLUMNS = (
        "Component",
        "Sensitivity",
        "High-risk share",
        "Findings",
        "Churn",
        "Commits",
        "People",
    )

    class Selected(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, id=id)

    def show(self, rows: Iterable[views.ComponentRow]) -> None:
        self.fill(
            (
                r.name,
                [
                    fmt.safe(r.name, "bold" if r.sensitive else ""),
                    fmt.sensitivity(r.sensitivity),
                    fmt.share(r.share_min, r.share_max),
                    fmt.number(r.findings),
                    fmt.number(r.churn),
                    fmt.number(r.commits),
                    fmt.number(r.people),
                ],
            )
            for r in rows
        )

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Selected(event.row_key.value))


class PersonTable(SafeTable):
    """People; Enter posts `PersonTable.Selected` with the person's id.

    Columns by priority: on an 80-column terminal name, location, tier and
    confidence are on screen before the (often long) e-mail, which is clipped.
    Commits count the policy window only (`auditor people` shows all-time figures),
    so the column says which window it counts.
    """

    COLUMNS = (
        "Name",
        "Location",
        "Tier",
        "Confidence",
        "E-mail",
        "Identities",
        "Commits",
        "Conflicts",
    )
    # (name, location, e-mail) widths below and from fmt.WIDE_FROM terminal columns
    NARROW = (20, 30, 24)
    WIDE = (48, 40, 44)  # all eight columns fit 200 terminal columns

    class Selected(Message):
        def __init__(self, person_id: int) -> None:
            super().__init__()
            self.person_id = person_id

    def __init__(self, *, window_days: int, id: str | None = None) -> None:
        columns = tuple(f"Commits ({window_days} d)" if c == "Commits" else c for c in self.COLUMNS)
        super().__init__(columns, id=id)

    def show(self, rows: Iterable[views.PersonRow]) -> None:
        name_w, location_w, email_w = (
            self.WIDE if self.app.size.width >= fmt.WIDE_FROM else self.NARROW
        )
        self.fill(
            (
                str(p.id),
                [
                    fmt.safe(fmt.clip(p.name, name_w), "grey50" if p.bot else ""),
                    fmt.location(p.country, fmt.fit_location(p.location, location_w)),
                    fmt.tier("bot" if p.bot else p.tier),
                    Text(fmt.percent(p.confidence), justify="right"),
                    fmt.safe(fmt.clip(p.email or "", email_w)),
                    fmt.number(p.identities),
                    fmt.number(p.commits),
                    Text(
                        str(p.conflicts), style="bold red" if p.conflicts else "", justify="right"
                    ),
                ],
            )
            for p in rows
        )

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Selected(int(event.row_key.value)))


class CommitTable(SafeTable):
    """Commits; Enter posts `CommitTable.Selected` with the sha."""

    COLUMNS = ("Date", "Commit", "Repository", "Author", "Offset", "Churn", "Summary")

    class Selected(Message):
        def __init__(self, sha: str) -> None:
            super().__init__()
            self.sha = sha

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, id=id)

    def show(self, rows: Iterable[views.CommitRow]) -> None:
        self.fill(
            (
                c.sha,
                [
                    c.authored.isoformat(),
                    fmt.safe(c.sha[:10], "cyan"),
                    fmt.safe(c.source),
                    fmt.safe(c.author),
                    fmt.offset(c.offset),
                    fmt.number(c.churn),
                    fmt.safe(c.summary),
                ],
            )
            for c in rows
        )

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Selected(event.row_key.value))
