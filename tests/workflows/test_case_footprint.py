"""The footprint benchmark (`bench.case_footprint`) on a few cases, with the worker's own sandbox runner: it counts
only what the cached cases added. The figures themselves are for docs/performance.md, not judged here."""

from __future__ import annotations

from bench.case_footprint import measure


async def test_the_probe_counts_what_each_cached_case_holds() -> None:
    result = await measure(cases=20, top=1000)

    assert result["cases"] == 20
    # A case holds at least its view, its ticket and its tracked deadlines: tens of objects, not none.
    assert result["tracked_objects_per_case"] > 50
    kinds = dict(result["top_types_per_case"])
    clock = "services.workflows.calendar.deadline_clock.DeadlineClock"
    assert kinds.get(clock, 0) >= 4  # sign-for, transfer, feedback, resolution
    # the cached cases are what a full collection walks beyond the frozen heap
    assert result["full_collection_us_per_case"] > 0
