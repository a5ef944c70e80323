"""How mining one history in ranges scales with cores: a simulation from measured costs.

Input: the CPU seconds git needs for each of R contiguous ranges of one
history, each mined alone (`git log -z --numstat -M --no-walk=unsorted
--stdin` over the range), and the Python side's CPU seconds per commit. For
`cores` workers the history is cut as `_mine_ranges` cuts it (up to
`RANGES_PER_WORKER` ranges per worker, none under `RANGE_MIN_PIECE` commits);
a piece's git cost is read off the measured cumulative cost (linear within a
measured range). A piece costs its git CPU plus its Python CPU on one core
(with fewer pieces than cores, git and the parser overlap: the larger of the
two). Workers take the next piece when free; the result is when the last one
finishes, plus the serial part (listing the commits). Not modelled: the
store's writes, which SQLite takes one at a time (PostgreSQL concurrently),
and memory bandwidth.

    python -m benchmarks.simulate_ranges RANGES.json PY_CPU_PER_COMMIT SERIAL_S FLOOR_S

RANGES.json: {"commits": N, "git_cpu_per_range": [seconds, ...]}, newest range first.
"""

from __future__ import annotations

import heapq
import json
import sys
from collections.abc import Sequence
from itertools import accumulate

from auditor.ingest.git import RANGE_MIN_PIECE, RANGES_PER_WORKER


def makespan(costs: Sequence[float], cores: int) -> float:
    """Finish time of `costs` run in order on `cores` workers, each taking the next when free."""
    free = [0.0] * cores
    for cost in costs:
        start = heapq.heappop(free)
        heapq.heappush(free, start + cost)
    return max(free)


def piece_costs(measured: Sequence[float], pieces: int) -> list[float]:
    """Git CPU of `pieces` equal cuts of the history, from the measured ranges' costs."""
    edges = [0.0, *accumulate(measured)]
    step = len(measured) / pieces

    def cumulative(position: float) -> float:  # position in measured ranges, 0..len
        index = min(int(position), len(measured) - 1)
        return edges[index] + (position - index) * measured[index]

    return [cumulative((i + 1) * step) - cumulative(i * step) for i in range(pieces)]


def simulate(
    measured: Sequence[float], commits: int, py_per_commit: float, serial: float, cores: int
) -> tuple[int, float]:
    """(pieces, seconds) for one history on `cores` workers."""
    pieces = max(cores, min(cores * RANGES_PER_WORKER, commits // RANGE_MIN_PIECE))
    python = commits / pieces * py_per_commit
    overlap = cores >= 2 * pieces
    costs = [max(g, python) if overlap else g + python for g in piece_costs(measured, pieces)]
    return pieces, serial + makespan(costs, cores)


def main(argv: list[str]) -> None:
    with open(argv[0], encoding="utf-8") as handle:
        row = json.load(handle)
    py_per_commit, serial, floor = float(argv[1]), float(argv[2]), float(argv[3])
    measured = row["git_cpu_per_range"]
    for cores in (2, 4, 8, 16, 32):
        pieces, seconds = simulate(measured, row["commits"], py_per_commit, serial, cores)
        shown = {"cores": cores, "ranges": pieces, "seconds": round(seconds, 1)}
        print(json.dumps({**shown, "x_floor": round(seconds / floor, 2)}))


if __name__ == "__main__":
    main(sys.argv[1:])
