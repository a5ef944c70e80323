"""Progress lines for logs without a terminal (#20.4): one per repository every 10 s."""

from __future__ import annotations

from auditor.ingest.collect import usable_cores
from auditor.ingest.progress_lines import ProgressLines, line


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_line_per_interval_with_rate_and_eta() -> None:
    clock, written = Clock(), []
    lines = ProgressLines(written.append, interval=10.0, clock=clock)
    lines("git", 0, 81_966)  # the start: nothing yet
    clock.now += 4
    lines("git", 4_000, 81_966)  # too soon
    clock.now += 6
    lines("git", 10_000, 81_966)
    clock.now += 5
    lines("git", 15_000, 81_966)  # 5 s after the last line
    clock.now += 5
    lines("git", 20_000, 81_966)
    assert written == [
        "git: 10,000 / 81,966 commits, 1,000 commits/s, ETA 1 min 12 s",
        "git: 20,000 / 81,966 commits, 1,000 commits/s, ETA 1 min 02 s",
    ]


def test_repositories_are_timed_apart_and_unknown_totals_have_no_eta() -> None:
    clock, written = Clock(), []
    lines = ProgressLines(written.append, clock=clock)
    lines("a", 0, None)
    clock.now += 5
    lines("b", 0, 10)
    clock.now += 5
    lines("a", 500, None)
    lines("b", 5, 10)
    assert written == ["a: 500 commits, 50 commits/s"]
    assert line("b", 10, 10, 2.0) == "b: 10 / 10 commits, 5 commits/s, ETA 0 s"


def test_jobs_default_to_the_usable_cores() -> None:
    import os

    assert usable_cores() == len(os.sched_getaffinity(0))
