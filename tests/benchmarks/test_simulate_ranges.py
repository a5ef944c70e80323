"""The ranges x cores simulation: scheduling and cutting measured costs."""

from __future__ import annotations

import pytest

from benchmarks.simulate_ranges import makespan, piece_costs, simulate


def test_makespan_hands_each_piece_to_the_first_free_worker() -> None:
    assert makespan([5, 6, 5, 4, 3, 2, 2, 1], 2) == 14  # 5+5+3+1 / 6+4+2+2
    assert makespan([10, 1, 1], 4) == 10


def test_pieces_keep_the_measured_total_and_its_shape() -> None:
    cut = piece_costs([6.0, 2.0], 4)
    assert cut == pytest.approx([3.0, 3.0, 1.0, 1.0])
    assert sum(piece_costs([5.77, 6.55, 5.18, 1.95], 7)) == pytest.approx(19.45)


def test_more_cores_never_slower_and_bounded_by_the_serial_part() -> None:
    measured = [5.77, 6.55, 5.18, 4.56, 3.55, 2.61, 2.7, 1.95]
    times = [simulate(measured, 81_966, 0.000176, 1.8, cores)[1] for cores in (2, 4, 8, 16)]
    assert times == sorted(times, reverse=True)
    assert times[-1] > 1.8
