"""(5) The rates of every unit over a quarter, from the units' facts of the generated records (bench/records_seed.py):
`rates_table` as intake's reports API and the report workflow call it, by unit, by township and by domain.

Each grouping runs twice to warm the cache, then `SAMPLES` times; the quarter is the last complete one before the
generated city's `NOW` (its facts a twelfth of the three years'), as of the quarter's end. Nothing else runs on the
database meanwhile.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.figures import percentile
from bench.records_seed import ITEMS, NOW, UNITS
from services.contracts.assessment import shipped_definitions
from services.contracts.assessment_periods import PeriodKind, last_complete_period
from services.contracts.assessment_reports import GroupBy
from services.engines.records_db.unit_rates import rates_table

SAMPLES = 20
WARM_UP = 2
TARGET_QUARTER_SECONDS = 1.0
DOMAINS = {item: f"domain-{n % 9}" for n, item in enumerate(ITEMS)}  # 9 domains, as Changdao's catalog


async def measure_rates(engine: AsyncEngine) -> dict[str, Any]:
    """Each grouping's time for a quarter's table (p50, p95, worst), with how many facts the quarter holds."""
    quarter = last_complete_period(PeriodKind.QUARTER, NOW)
    definitions = shipped_definitions()
    async with engine.connect() as connection:
        facts = await connection.scalar(
            text("SELECT count(*) FROM unit_case_facts WHERE received_at >= :start AND received_at < :end"),
            {"start": quarter.start, "end": quarter.end},
        )
        total = await connection.scalar(text("SELECT count(*) FROM unit_case_facts"))
        size = await connection.scalar(text("SELECT pg_total_relation_size('unit_case_facts')"))
    result: dict[str, Any] = {
        "quarter": quarter.key,
        "facts": total,
        "facts_mib": round((size or 0) / 2**20, 1),  # with their indexes
        "facts_received_in_quarter": facts,
    }
    for group_by in GroupBy:
        samples = []
        lines = 0
        for sample in range(WARM_UP + SAMPLES):
            began = time.perf_counter()
            async with engine.connect() as connection:
                table = await rates_table(
                    connection,
                    definitions,
                    period=quarter,
                    group_by=group_by,
                    cutoff=quarter.end,
                    domains=DOMAINS,
                    known_units=UNITS,
                )
            if sample >= WARM_UP:
                samples.append(time.perf_counter() - began)
            lines = len(table.lines) + len(table.no_calls)
        result[group_by.value] = {
            "p50_ms": round((percentile(samples, 50) or 0) * 1000, 1),
            "p95_ms": round((percentile(samples, 95) or 0) * 1000, 1),
            "max_ms": round(max(samples) * 1000, 1),
            "lines": lines,
        }
        print(f"  rates, all {group_by.value}s, one quarter ({quarter.key}): {result[group_by.value]}", flush=True)
    return result
