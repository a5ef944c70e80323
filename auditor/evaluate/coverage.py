"""What a judgement rests on: collected commits, in the policy window and in total.

No data never reads as "clean": `check` and `analyze` refuse to judge a store
with no commits, no `[[git]]` source, or no commit in the window
(`nothing_to_judge`), and the export refuses an empty period unless asked,
then says so in its `coverage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from auditor.kernel.config import LoadedConfig
from auditor.store import models


@dataclass(frozen=True, slots=True)
class Coverage:
    git_sources: int  # configured [[git]] entries
    commits: int  # collected, all time
    commits_in_window: int  # authored in [start, end]
    start: date
    end: date
    first_commit: date | None = None
    last_commit: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "git_sources": self.git_sources,
            "commits": self.commits_in_window,
            "commits_collected": self.commits,
            "first_commit": self.first_commit.isoformat() if self.first_commit else None,
            "last_commit": self.last_commit.isoformat() if self.last_commit else None,
        }


def _instant(day: date) -> int:
    return int(datetime.combine(day, time(0), UTC).timestamp())


def coverage_of(engine: Engine, loaded: LoadedConfig, start: date, end: date) -> Coverage:
    """Commits collected, and those authored from `start` to `end` (inclusive, UTC days)."""
    commit = models.Commit
    begin, stop = _instant(start), _instant(end + timedelta(days=1))
    with engine.connect() as conn:
        total, first, last = conn.execute(
            select(func.count(), func.min(commit.c.authored_at), func.max(commit.c.authored_at))
        ).one()
        inside = conn.execute(
            select(func.count()).where(commit.c.authored_at >= begin, commit.c.authored_at < stop)
        ).scalar_one()
    return Coverage(
        git_sources=len(loaded.config.git),
        commits=int(total),
        commits_in_window=int(inside),
        start=start,
        end=end,
        first_commit=_day(first),
        last_commit=_day(last),
    )


def window_coverage(engine: Engine, loaded: LoadedConfig, as_of: date) -> Coverage:
    """`coverage_of` the policy window ending at `as_of`."""
    days = loaded.config.policy.window_days
    return coverage_of(engine, loaded, as_of - timedelta(days=days - 1), as_of)


def _day(timestamp: int | None) -> date | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(int(timestamp), UTC).date()


def nothing_to_judge(coverage: Coverage, what: str = "the policy window") -> str | None:
    """Why there is nothing to judge, or None when some commit lies in the window."""
    span = f"{what} {coverage.start.isoformat()} – {coverage.end.isoformat()}"
    if coverage.git_sources == 0:
        return "no [[git]] source is configured"
    if coverage.commits == 0:
        return "no commits are collected (run `auditor collect`)"
    if coverage.commits_in_window:
        return None
    if coverage.last_commit is not None and coverage.last_commit < coverage.start:
        return f"no commits in {span}: the last collected commit is from {coverage.last_commit}"
    if coverage.first_commit is not None and coverage.first_commit > coverage.end:
        return f"no commits in {span}: the first collected commit is from {coverage.first_commit}"
    return f"no commits in {span}"
