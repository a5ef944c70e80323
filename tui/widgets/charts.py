"""Small text charts: horizontal bars (churn by tier, offsets) and tier sparklines."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline, Static


def bars(
    rows: Sequence[tuple[Text, int, str]],
    *,
    width: int = 40,
    top: int | None = None,
    indent: str = "",
) -> Text:
    """One line per (label, value, style): label, bar scaled to `top` (default: the largest), value.

    A line is never longer than label + 1 + `width` + 1 + the value's digits.
    """
    out = Text()
    if not rows:
        return Text("nothing in the window", style="grey50")
    top = top or max((v for _, v, _ in rows), default=0) or 1
    label_width = max(len(label.plain) for label, _, _ in rows)
    for i, (label, value, style) in enumerate(rows):
        if i:
            out.append("\n")
        out.append(indent)
        padded = label.copy()
        padded.pad_right(label_width - len(label.plain))
        out.append_text(padded)
        out.append(" ")
        length = round(width * value / top)
        out.append("█" * length or ("▏" if value else ""), style=style)
        out.append(f" {value:,}")
    return out


def bar_width(rows: Sequence[tuple[Text, int, str]], available: int, *, most: int = 50) -> int:
    """The longest bar that keeps every line of `bars(rows)` within `available` columns."""
    label = max((len(r[0].plain) for r in rows), default=0)
    value = max((len(f"{r[1]:,}") for r in rows), default=1)
    return max(1, min(most, available - label - value - 2))


class BarChart(Static):
    """A horizontal bar chart over (label, value, style) rows, fitted to its width.

    The bars are laid out in `render`, so each repaint (a resize, a scrollbar
    appearing) uses the width the widget has then: a line never wraps.
    """

    def __init__(self, content: str = "", *, id: str | None = None) -> None:
        super().__init__(content, id=id)
        self._rows: Sequence[tuple[Text, int, str]] | None = None

    def show(self, rows: Sequence[tuple[Text, int, str]]) -> None:
        self._rows = rows
        self.update(self._bars(rows))  # `content` holds the chart too; `render` refits it

    def show_text(self, text: Text) -> None:
        self._rows = None
        self.update(text)

    def render(self) -> RenderResult:
        return super().render() if self._rows is None else self._bars(self._rows)

    def _bars(self, rows: Sequence[tuple[Text, int, str]]) -> Text:
        available = self.content_region.width or self.app.size.width // 3
        return bars(rows, width=bar_width(rows, available))


class TierSparklines(Vertical):
    """Churn per month, one sparkline per jurisdiction tier."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)

    def compose(self) -> ComposeResult:
        yield Label("", id="months")

    def show(
        self,
        months: Sequence[str],
        series: Sequence[tuple[str, Sequence[int]]],
        styles: dict[str, str],
    ) -> None:
        self.query(".tier-line").remove()
        first = months[0] if months else ""
        last = months[-1] if months else ""
        self.query_one("#months", Label).update(
            Text(f"churn per month, {first} … {last}", style="grey50")
        )
        for tier, values in series:
            if not any(values):
                continue
            line = Horizontal(
                Label(Text(f"{tier:<10}", style=styles.get(tier, "")), classes="tier-name"),
                Sparkline(list(values), classes=f"tier-spark tier-{tier}"),
                Label(Text(f"{sum(values):>8,}"), classes="tier-total"),
                classes="tier-line",
            )
            self.mount(line)
