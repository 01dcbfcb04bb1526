"""Stepped rates: climb by a factor until a step is not sustained, then bisect between the last good and the first
bad rate, so the highest sustained rate is known to a few percent without a long run at every rate.

Three bisections cut the last factor-1.5 gap into eighths (about 6% of the rate). With two (quarters, about 12%),
a ratio of two limits landed on whichever grid points the two ladders happened to stop at: the same code measured
0.815, 0.89 and 0.80 in three runs of one day.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.figures import Step


@dataclass(frozen=True)
class Ladder:
    first_rate: float = 4.0
    factor: float = 1.5
    max_rate: float = 400.0
    refinements: int = 3


async def climb(ladder: Ladder, measure: Callable[[float], Awaitable[Step]]) -> list[Step]:
    """Every step measured, in the order run."""
    steps: list[Step] = []
    good: float | None = None
    rate = ladder.first_rate
    while rate <= ladder.max_rate:
        step = await measure(rate)
        steps.append(step)
        if not step.sustained:
            break
        good = rate
        rate = round(rate * ladder.factor, 1)
    else:
        return steps
    bad = rate
    for _ in range(ladder.refinements):
        low = good if good is not None else 0.0
        middle = round((low + bad) / 2, 1)
        if middle <= low or middle >= bad:
            break
        step = await measure(middle)
        steps.append(step)
        if step.sustained:
            good = middle
        else:
            bad = middle
    return steps
