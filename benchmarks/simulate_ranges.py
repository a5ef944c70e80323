"""How mining one history in ranges scales with cores: a simulation from measured costs.

Input: the CPU seconds of each of R contiguous ranges of one history, each
mined alone (git's side: `git log -z --numstat -M --no-walk=unsorted --stdin`
over the range), and the Python side's CPU seconds per commit. A range costs
its git CPU plus its Python CPU on one core (git and the parser of a range
overlap, but with at least as many ranges as cores every core is busy
anyway). Ranges go to `cores` workers, each taking the next range when it is
free; the result is the time the last worker finishes, plus the serial part
(listing the commits). Not modelled: the store's writes, which SQLite takes
one at a time (PostgreSQL concurrently), and memory bandwidth.

    python -m benchmarks.simulate_ranges RANGES.json PY_CPU_PER_COMMIT SERIAL_S FLOOR_S
"""

from __future__ import annotations

import heapq
import json
import sys
from collections.abc import Sequence


def makespan(costs: Sequence[float], cores: int) -> float:
    """Finish time of `costs` run in order on `cores` workers, each taking the next when free."""
    free = [0.0] * cores
    for cost in costs:
        start = heapq.heappop(free)
        heapq.heappush(free, start + cost)
    return max(free)


def simulate(
    git_cpu: Sequence[float], commits: int, py_per_commit: float, serial: float, cores: int
) -> float:
    python = commits / len(git_cpu) * py_per_commit
    return serial + makespan([git + python for git in git_cpu], cores)


def main(argv: list[str]) -> None:
    with open(argv[0], encoding="utf-8") as handle:
        measured = json.load(handle)
    py_per_commit, serial, floor = float(argv[1]), float(argv[2]), float(argv[3])
    for row in measured:
        for cores in (2, 4, 8, 16, 32):
            git_cpu = row["git_cpu_per_range"]
            seconds = simulate(git_cpu, row["commits"], py_per_commit, serial, cores)
            print(
                json.dumps(
                    {"ranges": len(row["git_cpu_per_range"]), "cores": cores,
                     "seconds": round(seconds, 1), "x_floor": round(seconds / floor, 2)}
                )
            )  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
