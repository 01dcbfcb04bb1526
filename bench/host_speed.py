"""A yardstick of the host's speed at the moment: the same fixed piece of Python work, timed.

The benchmark's figures are wall times on a VM whose speed moves under it (the same 500-case shard of the month took
18 s and 37 s an hour apart, nothing else running). Timing the yardstick next to a figure tells a slow host from slow
code: compare figures whose yardsticks agree, or scale by them. It measures nothing of the system, only what one
core gives a Python process at that moment; stdlib only, so it moves with the Python version and nothing else.
"""

from __future__ import annotations

import json
import statistics
import time

# About 0.2–0.5 s a round on the machines seen so far.
ROUND_ITEMS = 60_000


def one_round() -> int:
    """Dict, string and JSON work of the kind the services do all day: build, encode, decode a small record."""
    total = 0
    for i in range(ROUND_ITEMS):
        record = {"case": f"C{i:06d}", "n": i, "tags": [i, i + 1, str(i)]}
        total += len(json.loads(json.dumps(record))["tags"][2])
    return total


def yardstick_seconds(rounds: int = 5) -> float:
    """The median time of `rounds` rounds (seconds, 3 decimals): lower is a faster host."""
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        one_round()
        times.append(time.perf_counter() - began)
    return round(statistics.median(times), 3)
