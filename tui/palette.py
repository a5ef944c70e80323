"""Command palette entries: jump to any screen, component or person by name."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider

from auditor import views
from auditor.report.display_text import visible

if TYPE_CHECKING:
    from tui.app import AuditorApp

SCREENS = (
    ("overview", "Overview: totals, findings by severity, churn by tier"),
    ("components", "Components: sortable, filterable table"),
    ("findings", "Findings: filter and explain"),
    ("people", "People: identities, locations and evidence"),
)


class JumpProvider(Provider):
    """Screens, components and people; names are loaded off the UI thread."""

    async def startup(self) -> None:
        app = cast("AuditorApp", self.app)
        self._names = await asyncio.to_thread(views.names, app.ctx)

    def _entries(self) -> list[tuple[str, Text, object]]:
        app = cast("AuditorApp", self.app)
        out: list[tuple[str, Text, object]] = []
        for mode, help_text in SCREENS:
            out.append(
                (f"Go to {mode}", Text(f"Go to {help_text}"), partial(app.switch_mode, mode))
            )
        for name in self._names.components:
            label = f"Component {visible(name)}"
            out.append((label, Text(label), partial(app.open_component, name)))
        for pid, name in self._names.people:
            label = f"Person {visible(name)}"
            out.append((label, Text(label), partial(app.open_person, pid)))
        return out

    async def discover(self) -> Hits:
        for text, display, command in self._entries()[: len(SCREENS)]:
            yield DiscoveryHit(display, command, text=text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, _display, command in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, _highlight(matcher, text), command, text=text)  # type: ignore[arg-type]


def _highlight(matcher: Matcher, text: str) -> Text:
    """Matcher.highlight parses its argument as markup; names must stay literal."""
    out = Text(text)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        out.stylize("bold reverse", offset, offset + 1)
    return out
