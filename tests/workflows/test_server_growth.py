"""The test server's growth probe (`bench.server_growth`) on a few bare cases: it runs against the server binary we
ship, and every case it times ran to its end. The growth itself is a figure for docs/performance.md, not judged here."""

from __future__ import annotations

from bench.server_growth import TIMERS, UPDATES, measure_growth


async def test_the_probe_times_every_bare_case_before_and_after_the_padding() -> None:
    result = await measure_growth(workflows=8, pairs=200)

    assert result["fresh"]["workflows"] == result["after_pairs"]["workflows"] == 8
    assert result["lock_unlock_pairs"] == 200
    assert result["shape"]["timers"] == TIMERS and result["shape"]["updates"] == UPDATES
