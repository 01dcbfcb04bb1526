"""Which core each lane of the simulated month's shards is pinned to."""

from __future__ import annotations

from bench.simulated_month import lane_cores


def test_each_lane_gets_a_core_of_its_own_lowest_first() -> None:
    assert lane_cores(2, pin=True, available={3, 1, 2}) == [1, 2]


def test_as_many_lanes_as_cores_take_them_all() -> None:
    assert lane_cores(2, pin=True, available={0, 1}) == [0, 1]


def test_more_lanes_than_cores_are_left_to_the_kernel() -> None:
    """Two lanes on one core would take turns on it; unpinned, the kernel at least spreads them."""
    assert lane_cores(3, pin=True, available={0, 1}) == [None, None, None]


def test_unpinned_when_asked() -> None:
    assert lane_cores(2, pin=False, available={0, 1}) == [None, None]
