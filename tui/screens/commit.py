"""One commit: who, when (with the recorded offset), the message and the paths."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from auditor import views
from tui import text as fmt
from tui.screens.base import DataScreen


class CommitScreen(DataScreen[views.CommitDetail | None]):
    def __init__(self, sha: str) -> None:
        super().__init__(name="commit")
        self.sha = sha

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static("", id="commit-detail")
        yield Footer()

    def fetch(self) -> views.CommitDetail | None:
        return views.commit_detail(self.ctx, self.sha)

    def show(self, data: views.CommitDetail | None) -> None:
        target = self.query_one("#commit-detail", Static)
        if data is None:
            target.update(fmt.join("No commit ", fmt.safe(self.sha)))
            return
        out = Text()
        out.append_text(fmt.join(Text("commit ", style="bold"), fmt.safe(data.sha, "cyan"), "\n"))
        out.append_text(fmt.join("repository  ", fmt.safe(data.source), "\n"))
        out.append_text(fmt.join("author      ", fmt.safe(data.author), "\n"))
        out.append_text(fmt.join("committer   ", fmt.safe(data.committer), "\n"))
        out.append(
            f"authored    {data.authored:%Y-%m-%d %H:%M} UTC, offset {fmt.offset(data.offset)}\n"
        )
        out.append(f"churn       {data.churn:,} lines\n\n")
        out.append_text(fmt.safe_block(data.message))
        out.append(f"\n\n{len(data.paths)} paths changed\n", style="bold")
        for path in data.paths:
            out.append_text(fmt.join("  ", fmt.safe(path), "\n"))
        target.update(out)
