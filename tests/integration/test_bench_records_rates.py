"""The records benchmark's rates part on a small generated city, so that `make bench` cannot rot unnoticed: the facts
the seed derives go into the table as the migrations made it, and each grouping's table is measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.records_rates import measure_rates
from bench.records_seed import TOWNSHIPS, UNITS, seed
from bench.report_bench import measure_weekly_report
from tests.support.case_events import KEYRING
from tests.support.recorded_cases import records_database


async def test_the_rates_of_a_generated_city_are_measured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bench.records_rates.SAMPLES", 2)
    async with records_database(tmp_path) as engine:
        await seed(engine, 3_000, KEYRING)
        measured = await measure_rates(engine)

    assert 3_000 < measured["facts"] < 4_000 and measured["facts_received_in_quarter"] > 100
    assert measured["unit"]["lines"] == len(UNITS) and measured["township"]["lines"] <= len(TOWNSHIPS) + 1
    assert all(measured[group]["p95_ms"] > 0 for group in ("unit", "township", "domain"))


async def test_a_weekly_report_of_a_generated_city_is_made_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    async with records_database(tmp_path / "db") as engine:
        await seed(engine, 3_000, KEYRING)
        measured = await measure_weekly_report(engine, tmp_path)

    assert set(measured["steps_seconds"]) == {"compute", "render", "store", "send"}
    assert measured["units"] > 0 and measured["stalled_total"] > 0
    assert measured["html_kib"] > 10 and measured["xlsx_kib"] > 5
