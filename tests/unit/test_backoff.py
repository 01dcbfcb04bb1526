"""Redelivery backoff: exponential with full jitter in [ceiling/2, ceiling], the ceiling capped at a maximum."""

from __future__ import annotations

import random

import pytest

from services.engines.pull_consumer import RetryPolicy, backoff_seconds


@pytest.fixture
def jitter_bounds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """Record the (low, high) range each backoff draws from, answering its midpoint."""
    ranges: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        ranges.append((low, high))
        return (low + high) / 2

    # `backoff_seconds` draws from the module-level `random`: patch the function it calls.
    monkeypatch.setattr(random, "uniform", uniform)
    return ranges


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [(1, 0.5, 1.0), (2, 1.0, 2.0), (3, 2.0, 4.0), (6, 16.0, 32.0), (7, 30.0, 60.0), (50, 30.0, 60.0)],
)
def test_delay_doubles_per_attempt_until_the_maximum(
    jitter_bounds: list[tuple[float, float]], attempt: int, low: float, high: float
) -> None:
    delay = backoff_seconds(attempt, base=1.0, maximum=60.0)

    assert jitter_bounds == [(low, high)]
    assert delay == (low + high) / 2


@pytest.mark.parametrize("attempt", [0, -3])
def test_attempt_below_one_is_treated_as_the_first(jitter_bounds: list[tuple[float, float]], attempt: int) -> None:
    backoff_seconds(attempt, base=2.0, maximum=60.0)

    assert jitter_bounds == [(1.0, 2.0)]


@pytest.mark.parametrize("attempt", [1025, 5000, 10**6])
def test_endless_redeliveries_stay_capped_at_the_maximum(attempt: int) -> None:
    # JetStream redelivers without limit: a message failing for a day reaches these attempt numbers.
    assert 30.0 <= RetryPolicy().delay(attempt) <= 60.0


@pytest.mark.parametrize("attempt", range(1, 12))
def test_real_jitter_stays_within_half_the_ceiling_and_the_ceiling(attempt: int) -> None:
    ceiling = min(60.0, 2.0 ** (attempt - 1))

    delays = [backoff_seconds(attempt, base=1.0, maximum=60.0) for _ in range(200)]

    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
    assert len(set(delays)) > 1, "jitter spreads redeliveries apart"


def test_retry_policy_uses_its_base_and_maximum(jitter_bounds: list[tuple[float, float]]) -> None:
    policy = RetryPolicy(base_seconds=0.25, max_seconds=3.0)

    policy.delay(1)
    policy.delay(4)
    policy.delay(9)

    assert jitter_bounds == [(0.125, 0.25), (1.0, 2.0), (1.5, 3.0)]


def test_default_retry_policy_starts_at_one_second_and_caps_at_a_minute(
    jitter_bounds: list[tuple[float, float]],
) -> None:
    RetryPolicy().delay(1)
    RetryPolicy().delay(30)

    assert jitter_bounds == [(0.5, 1.0), (30.0, 60.0)]
