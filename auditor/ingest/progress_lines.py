"""Progress as plain lines, for logs without a terminal (CI).

A long collect in CI would otherwise be silent for minutes. At most one line
per repository every `interval` seconds: name, commits done / total,
commits/s and the time left at that rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class ProgressLines:
    def __init__(
        self,
        write: Callable[[str], None],
        *,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.write = write
        self.interval = interval
        self.clock = clock
        self.started: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def __call__(self, name: str, done: int, total: int | None) -> None:
        now = self.clock()
        if name not in self.started:
            self.started[name] = self.last[name] = now
            return
        if now - self.last[name] < self.interval:
            return
        self.last[name] = now
        self.write(line(name, done, total, now - self.started[name]))


def line(name: str, done: int, total: int | None, elapsed: float) -> str:
    """'git: 12,000 / 81,966 commits, 2,950 commits/s, ETA 24 s'."""
    rate = done / elapsed if elapsed > 0 else 0.0
    counted = f"{done:,} / {total:,}" if total is not None else f"{done:,}"
    text = f"{name}: {counted} commits, {rate:,.0f} commits/s"
    if total is not None and rate > 0:
        text += f", ETA {_duration(max(total - done, 0) / rate)}"
    return text


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s"
