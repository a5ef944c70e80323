"""Hostile text through the whole pipeline: a real git repository and a Jira CSV export
are collected, analysed and browsed. Names, messages, paths and tracker titles carry
markup, ANSI/OSC escapes and bidi overrides; the TUI shows them literally."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from textual.widgets import DataTable

from auditor.evaluate.run import analyze
from auditor.ingest.collect import collect_all
from auditor.kernel.config import load_config
from auditor.report.display_text import visible
from auditor.report.triage import configured
from auditor.store.engine import make_engine
from tests.gitrepo import GitRepo, Who
from tests.tui.test_app import SIZE, cells, settle, static_text
from tests.tui.test_hostile_text import RAW_CONTROLS
from tui.app import make_app

AS_OF = date(2026, 9, 30)
NAME = "[@click=app.quit]Mallory[/] [bold]x"
MESSAGE = "Tweak \x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \u202eevil"
PATH = "src/core/[/]odd\u202e.c"
TITLE = "Fix [@click=app.quit]it[/] \x1b[2J now"

CONFIG = """
[store]
url = "sqlite:///.auditor/audit.db"

[[git]]
name = "app"
path = "repos/app"

[[tracker]]
kind = "jira-csv"
path = "jira.csv"

[[roster]]
path = "roster.csv"

[jurisdictions]
high = ["CN"]

[[components]]
name = "Core"
sensitivity = "critical"
paths = ["app:src/core/**"]
jira = ["Core"]
"""

JIRA = (
    "Summary,Issue key,Issue id,Issue Type,Status,Assignee,Assignee Id,Created,Components\r\n"
    f'"{TITLE}",CORE-1,10001,Bug,Done,Wei Zhang,acc-1,12/Jul/26 9:41 AM,Core\r\n'
)


def test_hostile_text_from_git_and_jira(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repos" / "app")
    wei = Who("Wei Zhang", "wei@corp.example")
    mallory = Who(NAME, "m@example.com")
    for day in range(1, 8):
        repo.commit(
            f"Core work {day} CORE-1",
            author=wei,
            date=f"2026-07-{day:02d}T10:00:00+0800",
            files={"src/core/a.c": "x\n" * day * 10},
        )
    repo.commit(MESSAGE, author=mallory, date="2026-08-01T10:00:00+0800", files={PATH: "y\n"})
    (tmp_path / "roster.csv").write_text(
        "email,name,country\nwei@corp.example,Wei Zhang,CN\n", encoding="utf-8"
    )
    (tmp_path / "jira.csv").write_text(JIRA, encoding="utf-8")
    (tmp_path / "auditor.toml").write_text(CONFIG, encoding="utf-8")
    loaded = load_config(tmp_path / "auditor.toml")
    engine = make_engine(loaded.store_url)
    collect_all(loaded, engine)
    analyze(engine, loaded, AS_OF, triage=configured(loaded, AS_OF))

    async def main() -> None:
        app = make_app(engine, as_of=AS_OF, config=loaded)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.open_component("Core")
            await settle(app, pilot)
            screen = app.screen
            commits = cells(screen.query_one("#commits", DataTable))
            assert commits[0][6] == visible(MESSAGE)
            assert commits[0][3] == NAME
            work = cells(screen.query_one("#work-items", DataTable))
            assert [w[0] for w in work] == ["CORE-1"]
            assert work[0][5] == visible(TITLE)
            maintainers = cells(screen.query_one("#maintainers", DataTable))
            assert maintainers[0][0] == "Wei Zhang" and maintainers[0][3] == "CN"
            screen.query_one("#tabs").active = "tab-commits"
            table = screen.query_one("#commits", DataTable)
            table.focus()
            await pilot.press("enter")
            await settle(app, pilot)
            shown = static_text(app, "#commit-detail")
            assert visible(PATH) in shown and visible(MESSAGE) in shown
            svg = app.export_screenshot()
            for char in RAW_CONTROLS:
                assert char not in svg and char not in shown
            assert app.is_running

    try:
        asyncio.run(main())
    finally:
        engine.dispose()
