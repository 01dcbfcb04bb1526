"""The benchmark's arithmetic: percentiles, when a step counts as sustained, and the stepped-rate search."""

from __future__ import annotations

import pytest

from bench.figures import Latency, Step, highest_sustained, percentile
from bench.ladder import Ladder, climb


def step(rate: float, *, p99_ms: float = 100.0, completed: int | None = None, errors: int = 0, span: float = 0) -> Step:
    offered = int(rate * 10)
    done = offered if completed is None else completed
    return Step(
        rate=rate,
        seconds=10,
        offered=offered,
        accepted=offered - errors,
        completed=done,
        errors=errors,
        completion_span_seconds=span or (done - 1) / rate,
        latencies={"done": Latency(done, 50.0, p99_ms, p99_ms)},
        completion="done",
    )


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_latency_is_kept_in_milliseconds() -> None:
    latency = Latency.of_seconds([0.010, 0.020, 0.5])
    assert (latency.count, latency.p50_ms, latency.p99_ms, latency.max_ms) == (3, 20.0, 500.0, 500.0)
    assert Latency.of_seconds([]) == Latency(0, None, None, None)


def test_a_step_is_sustained_only_when_all_is_done_at_the_rate_within_the_budget() -> None:
    assert step(10).sustained
    assert not step(10, p99_ms=2500).sustained, "the slowest percent over the 2 s budget: a backlog is growing"
    assert not step(10, errors=1).sustained
    assert not step(10, completed=99).sustained, "one case never finished"
    assert not step(10, span=20).sustained, "finished at half the rate offered"


def test_completed_per_second_counts_the_intervals_between_completions() -> None:
    assert step(10).completed_per_second == pytest.approx(10.0)
    assert step(10, completed=1).completed_per_second == 0.0


def test_the_highest_sustained_step_needs_every_slower_step_sustained() -> None:
    assert highest_sustained([step(4), step(6), step(9, p99_ms=5000)]) == step(6)
    assert highest_sustained([step(4), step(6, errors=1), step(9)]) == step(4), "no lucky outlier above a failure"
    assert highest_sustained([step(4, errors=2)]) is None


async def test_the_ladder_climbs_until_a_step_fails_then_bisects() -> None:
    capacity = 15.0
    measured: list[float] = []

    async def measure(rate: float) -> Step:
        measured.append(rate)
        return step(rate, p99_ms=100 if rate <= capacity else 9000)

    steps = await climb(Ladder(first_rate=4, factor=1.5, refinements=2), measure)

    assert measured == [4.0, 6.0, 9.0, 13.5, 20.2, 16.9, 15.2]
    best = highest_sustained(steps)
    assert best is not None and best.rate == 13.5


async def test_the_default_ladder_pins_the_limit_to_an_eighth_of_its_last_climb() -> None:
    measured: list[float] = []

    async def measure(rate: float) -> Step:
        measured.append(rate)
        return step(rate, p99_ms=100 if rate <= 33 else 9000)

    best = highest_sustained(await climb(Ladder(), measure))

    # Climbs past 30.3 to 45.5, then bisects: 37.9 and 34.1 fail, 32.2 holds (two bisections would stop at 30.3).
    assert measured[-4:] == [45.5, 37.9, 34.1, 32.2]
    assert best is not None and best.rate == 32.2


async def test_the_ladder_stops_at_its_maximum_rate() -> None:
    async def measure(rate: float) -> Step:
        return step(rate)

    steps = await climb(Ladder(first_rate=10, factor=2, max_rate=50), measure)

    assert [s.rate for s in steps] == [10, 20, 40]


def test_a_measured_step_counts_from_call_and_completion_times() -> None:
    called = {"a": 10.0, "b": 10.5, "c": 11.0}
    completed = {"a": 10.2, "b": 11.5, "other-step": 1.0}

    measured = Step.measured(
        rate=2,
        seconds=2,
        offered=4,
        accepted=["a", "b", "c"],
        called_at=called,
        completed_at=completed,
        completion="done",
        other_latencies={"post": Latency(3, 5.0, 9.0, 9.0)},
        error_kinds={"HTTP 503": 1},
    )

    assert (measured.offered, measured.accepted, measured.completed, measured.errors) == (4, 3, 2, 1)
    assert measured.as_json()["error_kinds"] == {"HTTP 503": 1}
    assert measured.completion_span_seconds == pytest.approx(1.3)
    assert list(measured.latencies) == ["post", "done"]
    assert measured.latencies["done"] == Latency(2, 200.0, 1000.0, 1000.0)
    assert not measured.sustained, "one case never completed and one was refused"
