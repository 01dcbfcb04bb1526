"""(5′) What asking the case records costs a new ticket's POST: intake's `exists(case_id)` on the embedded PostgreSQL.

    .venv/bin/python -m bench.records_lookup [--rows N] [--lookups M]

A ticket missing from the `case_index` bucket (every new ticket, and a resubmission whose key expired) is looked up
by its case id, the records' primary key, before it is published. Measured one at a time (as a POST waits for it)
through the engine intake opens (pooled, with a pre-ping on each checkout), and through one without the pre-ping,
for case ids that are there and ids that are not, in a table of `rows` cases.
"""

from __future__ import annotations

import argparse
import hashlib
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import uvloop
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.figures import percentile
from services.contracts.payload_keys import build_keyring
from services.engines.records_db.connection import open_records
from services.intake.case_records import CaseRecords
from services.records.migrate import migrate
from tests.support.engines import PostgresServer

# Rows as the projection leaves them for this purpose: only the columns a lookup or a constraint needs.
FILL = text(
    """
    INSERT INTO case_records (case_id, last_sequence, status, channel, external_id, urgency, escalation_level,
                              overdue, reworks, view, updated_at)
    SELECT md5(n::text)::uuid::text, 1, 'assigned', '12345', 'bench-' || n, 'normal', 0, false, 0, '{}'::jsonb, now()
    FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n
    """
)
BATCH = 200_000


def present_id(n: int) -> str:
    """The case id of the `n`-th row (as FILL makes it)."""
    return str(uuid.UUID(hashlib.md5(str(n).encode()).hexdigest()))


async def fill(engine: AsyncEngine, rows: int) -> float:
    began = time.monotonic()
    for first in range(1, rows + 1, BATCH):
        async with engine.begin() as connection:
            await connection.execute(FILL, {"first": first, "last": min(first + BATCH - 1, rows)})
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE case_records"))
    return time.monotonic() - began


def latency(seconds: list[float]) -> dict[str, Any]:
    """p50, p99 and mean in milliseconds, to the microsecond (a lookup is about one)."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 3)

    return {
        "count": len(seconds),
        "p50_ms": ms(percentile(seconds, 50)),
        "p99_ms": ms(percentile(seconds, 99)),
        "mean_ms": ms(sum(seconds) / len(seconds)) if seconds else None,
    }


async def timed_lookups(records: CaseRecords, ids: list[str], expect: bool) -> dict[str, Any]:
    took = []
    for case_id in ids:
        began = time.perf_counter()
        found = await records.exists(case_id)
        took.append(time.perf_counter() - began)
        if found is not expect:
            raise RuntimeError(f"{case_id}: exists() said {found}, expected {expect}")
    return latency(took)


async def measure_lookups(*, rows: int = 1_000_000, lookups: int = 2000) -> dict[str, Any]:
    """p50/p99 of `exists()` for present and absent ids, with and without the pool's pre-ping (JSON-able)."""
    with TemporaryDirectory(prefix="hotline-lookup-bench-") as workdir:
        server = PostgresServer.at(Path(workdir))
        await server.start()
        try:
            admin = create_async_engine(server.url)
            await migrate(admin, keyring=build_keyring("", "", development=True))
            fill_seconds = await fill(admin, rows)
            await admin.dispose()
            step = max(1, rows // lookups)
            present = [present_id(n) for n in range(1, rows + 1, step)][:lookups]
            absent = [str(uuid.uuid4()) for _ in range(lookups)]
            result: dict[str, Any] = {
                "benchmark": "records_lookup",
                "rows": rows,
                "fill_seconds": round(fill_seconds, 1),
            }
            for name, engine in (
                ("as_intake_opens_it", open_records(server.url, statement_timeout_ms=15_000)),
                ("without_pre_ping", create_async_engine(server.url, pool_size=10)),
            ):
                records = CaseRecords(engine)
                await timed_lookups(records, absent[:100], expect=False)  # warm-up: connections, plans
                result[name] = {
                    "present": await timed_lookups(records, present, expect=True),
                    "absent": await timed_lookups(records, absent, expect=False),
                }
                await engine.dispose()
        finally:
            server.stop()
    return result


def table(result: dict[str, Any]) -> str:
    rows = [f"  records lookup, {result['rows']} rows (filled in {result['fill_seconds']} s), one at a time:"]
    for name in ("as_intake_opens_it", "without_pre_ping"):
        for kind in ("present", "absent"):
            latency = result[name][kind]
            rows.append(
                f"    {name:<20} {kind:<8} p50 {latency['p50_ms']} ms  p99 {latency['p99_ms']} ms"
                f"  mean {latency['mean_ms']} ms ({latency['count']} lookups)"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    print(table(uvloop.run(measure_lookups(rows=args.rows, lookups=args.lookups))))


if __name__ == "__main__":
    main()
