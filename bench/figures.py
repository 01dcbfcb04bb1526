"""The arithmetic of the benchmarks: percentiles, one load step's figures, and when a step counts as sustained."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# A step is sustained when everything offered completed, without errors, at the offered rate, and the slowest
# percent still finished within this budget: a growing backlog shows first as a p99 that keeps climbing.
COMPLETION_LATENCY_BUDGET_SECONDS = 2.0
RATE_TOLERANCE = 0.95


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Latency:
    """Milliseconds: p50, p99 and the worst of `count` samples."""

    count: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None

    @classmethod
    def of_seconds(cls, samples: Sequence[float]) -> Latency:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 1)

        worst = max(samples, default=None)
        return cls(len(samples), ms(percentile(samples, 50)), ms(percentile(samples, 99)), ms(worst))


@dataclass(frozen=True)
class Step:
    """One load step: `offered` items at `rate`/s for `seconds`; how many were accepted and completed, how fast."""

    rate: float
    seconds: float
    offered: int
    accepted: int
    completed: int
    errors: int
    completion_span_seconds: float
    latencies: dict[str, Latency]
    completion: str
    # CPU milliseconds per accepted case, by process (and `total`): filled in by the benchmark, which knows them.
    cpu_ms_per_case: dict[str, float] = field(default_factory=dict)
    # How the errors failed (`HTTP 503`, `ReadTimeout`, ...), counted: a saturated step says what gave way.
    error_kinds: dict[str, int] = field(default_factory=dict)

    @classmethod
    def measured(
        cls,
        *,
        rate: float,
        seconds: float,
        offered: int,
        accepted: Sequence[str],
        called_at: Mapping[str, float],
        completed_at: Mapping[str, float],
        completion: str,
        other_latencies: Mapping[str, Latency] | None = None,
        error_kinds: Mapping[str, int] | None = None,
    ) -> Step:
        """A step from when each accepted case was called and completed (wall clock, seconds, by case id)."""
        done = [c for c in accepted if c in completed_at]
        finished = [completed_at[c] for c in done]
        return cls(
            rate=rate,
            seconds=seconds,
            offered=offered,
            accepted=len(accepted),
            completed=len(done),
            errors=offered - len(accepted),
            completion_span_seconds=(max(finished) - min(finished)) if finished else 0.0,
            latencies={
                **(other_latencies or {}),
                completion: Latency.of_seconds([completed_at[c] - called_at[c] for c in done]),
            },
            completion=completion,
            error_kinds=dict(error_kinds or {}),
        )

    @property
    def completed_per_second(self) -> float:
        """Completions per second between the first and the last completion (n items span n - 1 intervals)."""
        if self.completed < 2 or self.completion_span_seconds <= 0:
            return 0.0
        return (self.completed - 1) / self.completion_span_seconds

    @property
    def sustained(self) -> bool:
        done = self.latencies[self.completion]
        return (
            self.errors == 0
            and self.accepted == self.offered
            and self.completed == self.offered
            and self.completed_per_second >= RATE_TOLERANCE * self.rate
            and done.p99_ms is not None
            and done.p99_ms <= COMPLETION_LATENCY_BUDGET_SECONDS * 1000
        )

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "completed_per_second": round(self.completed_per_second, 2),
            "sustained": self.sustained,
        }


def latency_figures(samples: list[float]) -> dict[str, Any]:
    """Seconds taken, as a table shows them: count, p50, p95 and max in milliseconds."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {
        "count": len(samples),
        "p50_ms": ms(percentile(samples, 50)),
        "p95_ms": ms(percentile(samples, 95)),
        "max_ms": ms(max(samples, default=None)),
    }


def highest_sustained(steps: Sequence[Step]) -> Step | None:
    """The highest-rate step that was sustained, with every slower step sustained too (no lucky outlier)."""
    best = None
    for step in sorted(steps, key=lambda s: s.rate):
        if not step.sustained:
            break
        best = step
    return best
