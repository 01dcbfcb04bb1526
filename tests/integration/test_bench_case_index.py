"""The case_index benchmark's drivers for a moment, so `make bench` cannot rot unnoticed: every record written is
counted, the expiring keys are all gone after their TTL, and the records' lookups find what is there."""

from __future__ import annotations

from bench.case_index_memory import measure_index
from bench.records_lookup import measure_lookups


async def test_the_index_driver_counts_every_key_and_sees_them_expire() -> None:
    result = await measure_index(keys=500, ttl_seconds=1.0, settle_seconds=0, show=False)

    kept, expiring = result["for_ever"], result["ttl"]
    assert (kept["after_writes"]["keys"], kept["after_restart"]["keys"]) == (500, 500)
    assert kept["after_expiry"] is None
    assert expiring["keys_written"] == 500 and expiring["after_expiry"]["keys"] == 0
    assert expiring["expired_after_seconds"] is not None
    assert result["city"]["keys_alive"] == 1_643_836  # 20 M a year, 30 days of them
    assert 200 < result["value_bytes"] < 400  # a CaseIndexRecord as intake writes it


async def test_the_lookup_driver_finds_the_rows_it_made_and_not_the_others() -> None:
    result = await measure_lookups(rows=1000, lookups=10)

    for engine in ("as_intake_opens_it", "without_pre_ping"):
        assert result[engine]["present"]["count"] == result[engine]["absent"]["count"] == 10
