"""The application: global keys, navigation and the factory tests and the CLI share."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine
from textual.app import App
from textual.binding import Binding, BindingType
from textual.pilot import Pilot

from auditor.kernel.config import AuditorConfig, LoadedConfig
from auditor.store import warnings as run_warnings
from auditor.store.resolutions import Selection
from auditor.views import SearchHit, ViewContext
from tui.palette import JumpProvider
from tui.screens.commit import CommitScreen
from tui.screens.component import ComponentScreen
from tui.screens.components import ComponentsScreen
from tui.screens.findings import FindingsScreen
from tui.screens.help import HelpScreen
from tui.screens.overview import OverviewScreen
from tui.screens.people import PeopleScreen
from tui.screens.person import PersonScreen
from tui.screens.search import SearchScreen


class AuditorApp(App[None]):
    """Overview, components, findings and people; drill-downs are pushed on top."""

    CSS_PATH = "auditor.tcss"
    TITLE = "Provenance auditor"
    COMMANDS = App.COMMANDS | {JumpProvider}
    MODES: ClassVar = {
        "overview": OverviewScreen,
        "components": ComponentsScreen,
        "findings": FindingsScreen,
        "people": PeopleScreen,
    }
    DEFAULT_MODE = "overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "switch_mode('overview')", "Overview"),
        Binding("c", "switch_mode('components')", "Components"),
        Binding("f", "switch_mode('findings')", "Findings"),
        Binding("p", "switch_mode('people')", "People"),
        Binding("slash", "search", "Search"),
        Binding("question_mark", "help", "Help"),
        Binding("d", "toggle_dark", "Dark/light"),
        Binding("escape", "escape", "Back", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.sub_title = f"as of {ctx.as_of.isoformat()}, {ctx.window_days}-day window"
        # The steps' warnings (auditor/store/warnings.py): counted here, listed by the CLI.
        count = len(run_warnings.read(ctx.engine, ctx.resolution_id))
        if count:
            self.sub_title += f", {count} warning{'s' if count > 1 else ''} (auditor check)"

    # navigation used by screens, the palette and search
    def open_component(self, name: str) -> None:
        self.push_screen(ComponentScreen(name))

    def open_person(self, person_id: int) -> None:
        self.push_screen(PersonScreen(person_id))

    def open_commit(self, sha: str) -> None:
        self.push_screen(CommitScreen(sha))

    def open_finding(self, finding_id: int) -> None:
        self.switch_mode("findings")
        screen = self.screen
        if isinstance(screen, FindingsScreen):
            screen.select_finding(finding_id)

    def open_hit(self, hit: SearchHit | None) -> None:
        if hit is None:
            return
        if hit.kind == "component":
            self.open_component(hit.target)
        elif hit.kind == "person":
            self.open_person(int(hit.target))
        elif hit.kind == "finding":
            self.open_finding(int(hit.target))

    def action_search(self) -> None:
        self.push_screen(SearchScreen(), self.open_hit)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_escape(self) -> None:
        """Escape: close the drill-down on top, else return to the overview."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self.current_mode != "overview":
            self.switch_mode("overview")


def save_screenshot(app: AuditorApp, path: Path, *, size: tuple[int, int] = (140, 45)) -> None:
    """Run `app` headless until the overview has loaded, write it as SVG to `path`, quit."""

    async def shoot(pilot: Pilot[object]) -> None:
        screen = app.screen
        while not (
            isinstance(screen, OverviewScreen) and screen.loaded and screen.attribution_loaded
        ):
            await pilot.pause(0.05)
            screen = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        path.write_text(app.export_screenshot(), encoding="utf-8")
        app.exit()

    app.run(headless=True, size=size, auto_pilot=shoot)


def make_app(
    engine: Engine,
    *,
    as_of: date | None = None,
    window_days: int | None = None,
    config: AuditorConfig | LoadedConfig | None = None,
    selection: Selection | None = None,
) -> AuditorApp:
    """The app on `engine`; `as_of` and `window_days` default to today and the policy window,
    `selection` (the run and resolution shown) to the newest analysis as of `as_of`."""
    ctx = ViewContext.build(
        engine, config, as_of=as_of, window_days=window_days, selection=selection
    )
    return AuditorApp(ctx)
