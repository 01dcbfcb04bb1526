"""(5) Reads of the case records at a city's scale: a filtered list page, a unit's queue page, the centre's export and
a quarter's rates of every unit (bench/records_rates.py), over N generated records (bench/records_seed.py) in the
embedded PostgreSQL.

Measured in-process through the intake's own query functions (`find_cases`, `unit_queue`, `open_export` with
`csv_body` / `xlsx_body`), and for a part of the mix through the FastAPI routes as well (the search and queue
routers with their validation, authentication dependency and serialization, called over ASGI: no HTTP server, no
middleware), so the gap between the two is what the API adds. Warm cache: each query kind runs twice before its
samples are taken. Nothing else runs on the database meanwhile.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.figures import latency_figures
from bench.records_rates import TARGET_QUARTER_SECONDS, measure_rates
from bench.records_seed import NOW, TOWNSHIPS, UNITS, seed
from bench.report_bench import TARGET_REPORT_SECONDS, measure_weekly_report
from services.contracts.credentials import ClientKind, Principal
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.settings import Environment
from services.intake import case_search_routes, queue_routes
from services.intake.case_export import CaseExport, OpenExport, csv_body, open_export, xlsx_body
from services.intake.case_records import CaseRecords
from services.intake.case_search import CaseSearch, find_cases, visible_to, words_first
from services.intake.error_handlers import install_error_handlers
from services.intake.queue_reads import QueuePage, unit_queue
from services.intake.settings import IntakeSettings
from services.records.migrate import migrate
from tests.support.engines import PostgresServer

RECORDS_TARGET_CASES = 1_000_000
TARGET_LIST_P95_MS = 100.0
TARGET_QUEUE_P95_MS = 50.0
TARGET_EXPORT_SECONDS = 30.0
SAMPLES = 30
WARM_UP = 2
EXPORT_ROWS = 100_000
QUEUE_PAGES = 3
# Words a clerk searches for, from very common (小区: about a fifth of the tickets) to rare.
WORDS = ("小区", "物业", "垃圾", "电梯", "停水", "噪音", "井盖", "占用耕地", "拖欠工资", "物业 电梯")
CENTRE = Principal(client_id="centre", kind=ClientKind.COORDINATION, subject="coordination-centre", key_id="c")


def unit(code: str) -> Principal:
    return Principal(client_id=code, kind=ClientKind.UNIT, subject=code, key_id=code)


@dataclass
class Kind:
    """One kind of list request: who asks and a query drawn at random for each sample."""

    name: str
    draw: Callable[[random.Random], tuple[Principal, dict[str, Any]]]
    pages: int = 1  # follow the cursor this many pages (each page one sample)
    samples: list[float] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return latency_figures(self.samples)


def _window(rng: random.Random, days: int) -> dict[str, Any]:
    start = NOW - timedelta(days=rng.uniform(days, 365 * 3))
    return {"received_from": start, "received_to": start + timedelta(days=days)}


LIST_KINDS = (
    Kind("centre, no filter", lambda r: (CENTRE, {})),
    Kind("centre, open statuses", lambda r: (CENTRE, {"status": ["assigned", "accepted"]})),
    Kind("centre, township", lambda r: (CENTRE, {"township": r.choice(TOWNSHIPS)})),
    Kind(
        "centre, handling unit + open statuses",
        lambda r: (CENTRE, {"handling_unit": r.choice(UNITS), "status": ["assigned", "accepted", "rework"]}),
    ),
    Kind("centre, overdue", lambda r: (CENTRE, {"overdue": True})),
    Kind("centre, escalated ≥ 2", lambda r: (CENTRE, {"escalation_level_min": 2})),
    Kind("centre, item in a month", lambda r: (CENTRE, {"item": f"IT-{r.randrange(300):03d}", **_window(r, 30)})),
    Kind("centre, closed in a week", lambda r: (CENTRE, {"status": ["closed"], **_window(r, 7)})),
    Kind("centre, q", lambda r: (CENTRE, {"q": r.choice(WORDS)})),
    Kind("centre, q + township", lambda r: (CENTRE, {"q": r.choice(WORDS), "township": r.choice(TOWNSHIPS)})),
    Kind("unit, its cases", lambda r: (unit(r.choice(UNITS)), {})),
    Kind("unit, overdue", lambda r: (unit(r.choice(UNITS)), {"overdue": True})),
    Kind("unit, q", lambda r: (unit(r.choice(UNITS)), {"q": r.choice(WORDS)})),
    Kind(
        "platform 89000, open",
        lambda r: (
            Principal(client_id="p", kind=ClientKind.PLATFORM, subject="89000", key_id="p"),
            {"status": ["accepted"]},
        ),
    ),
    Kind("centre, township, 5 pages deep", lambda r: (CENTRE, {"township": r.choice(TOWNSHIPS)}), pages=5),
    Kind("centre, oldest first", lambda r: (CENTRE, {"township": r.choice(TOWNSHIPS), "sort": "received_at"})),
)


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = await call()
    return time.perf_counter() - began, result


async def measure_lists(records: CaseRecords, keyring: PayloadKeyring, rng: random.Random) -> dict[str, Any]:
    """Each kind's page latency (in-process), and the mix's."""
    for kind in LIST_KINDS:
        for sample in range(WARM_UP + SAMPLES):
            caller, query = kind.draw(rng)
            cursor = None
            for _ in range(kind.pages):
                search = CaseSearch(**query, cursor=cursor)

                async def page(search: CaseSearch = search, caller: Principal = caller) -> Any:
                    async with records.reading() as connection:
                        return await find_cases(
                            connection,
                            search,
                            scope=visible_to(caller),
                            keyring=keyring,
                            by_words=words_first(caller, search),
                        )

                seconds, found = await timed(page)
                if sample >= WARM_UP:
                    kind.samples.append(seconds)
                cursor = found.next_cursor
                if cursor is None:
                    break
    every = [s for kind in LIST_KINDS for s in kind.samples]
    return {"mix": latency_figures(every), "by_kind": {kind.name: kind.figures() for kind in LIST_KINDS}}


async def queue_units(engine: AsyncEngine, rng: random.Random) -> list[str]:
    """The 10 units with the most open cases, and 20 more at random."""
    async with engine.connect() as connection:
        largest = (
            await connection.execute(
                text(
                    "SELECT handling_unit FROM case_records WHERE closed_at IS NULL AND handling_unit IS NOT NULL "
                    "GROUP BY handling_unit ORDER BY count(*) DESC LIMIT 10"
                )
            )
        ).scalars()
        return [*largest, *rng.sample(UNITS, 20)]


async def measure_queues(records: CaseRecords, units: list[str]) -> dict[str, Any]:
    """A unit's queue, first page and the next ones (100 a page), in-process."""
    samples: list[float] = []
    for round_ in range(WARM_UP + 3):
        for code in units:
            cursor = None
            for _ in range(QUEUE_PAGES):

                async def page(code: str = code, cursor: str | None = cursor) -> Any:
                    async with records.reading() as connection:
                        return await unit_queue(connection, code, QueuePage(limit=100, cursor=cursor))

                seconds, (_entries, cursor) = await timed(page)
                if round_ >= WARM_UP:
                    samples.append(seconds)
                if cursor is None:
                    break
    async with records.engine.connect() as connection:
        largest = await connection.scalar(
            text(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM case_records WHERE closed_at IS NULL "
                "GROUP BY handling_unit) q"
            )
        )
    return {**latency_figures(samples), "units": len(units), "largest_queue": largest}


async def measure_exports(records: CaseRecords, keyring: PayloadKeyring) -> dict[str, Any]:
    """The newest `EXPORT_ROWS` cases (a received window) as CSV and XLSX, without and with the caller's data."""
    async with records.engine.connect() as connection:
        since = await connection.scalar(
            text(f"SELECT received_at FROM case_records ORDER BY received_at DESC OFFSET {EXPORT_ROWS - 1} LIMIT 1")
        )
    results: dict[str, Any] = {}
    for name, query, body in (
        ("csv", {"format": "csv"}, csv_body),
        ("csv_personal", {"format": "csv", "personal": True}, csv_body),
        ("xlsx", {"format": "xlsx"}, xlsx_body),
        ("xlsx_personal", {"format": "xlsx", "personal": True}, xlsx_body),
    ):
        export = CaseExport(received_from=since, **query)
        began = time.perf_counter()
        opened: OpenExport = await open_export(
            records, export, caller=CENTRE, keyring=keyring, statement_timeout_ms=600_000
        )
        first_byte = None
        size = 0
        try:
            async for chunk in body(opened):
                first_byte = first_byte or time.perf_counter() - began
                size += len(chunk)
        finally:
            await opened.aclose()
        results[name] = {
            "rows": opened.rows,
            "seconds": round(time.perf_counter() - began, 2),
            "first_byte_seconds": round(first_byte or 0.0, 2),
            "mib": round(size / 2**20, 1),
            "logged": opened.logged,
        }
        print(f"  export {name}: {results[name]}", flush=True)
    return results


class _Keys:
    """The API keys of the bench's callers, as the app's credential store would answer."""

    def __init__(self, callers: dict[str, Principal]) -> None:
        self._callers = callers

    async def verify(self, key: str) -> Principal | None:
        return self._callers.get(key)


def bench_app(records: CaseRecords, keyring: PayloadKeyring, callers: dict[str, Principal]) -> FastAPI:
    """The search and queue routes as intake serves them, over the bench's records (no NATS, no Temporal)."""
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(case_search_routes.router)
    app.include_router(queue_routes.router)
    settings = IntakeSettings(_env_file=None, environment=Environment.DEVELOPMENT)  # type: ignore[call-arg]
    credentials = _Keys(callers)
    app.state.services = SimpleNamespace(records=records, keyring=keyring, settings=settings, credentials=credentials)
    return app


async def measure_through_app(records: CaseRecords, keyring: PayloadKeyring, units: list[str]) -> dict[str, Any]:
    """A part of the list mix, and the queue, through the FastAPI routes (over ASGI)."""
    rng = random.Random(7)
    callers = {"centre": CENTRE} | {code: unit(code) for code in UNITS}
    app = bench_app(records, keyring, callers)
    lists: list[float] = []
    queues: list[float] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for sample in range(WARM_UP + SAMPLES):
            for params, key in (
                ({"township": rng.choice(TOWNSHIPS)}, "centre"),
                ({"q": rng.choice(WORDS)}, "centre"),
                ({"handling_unit": rng.choice(UNITS), "status": ["assigned", "accepted"]}, "centre"),
                ({"overdue": "true"}, rng.choice(UNITS)),
            ):
                seconds, response = await timed(
                    lambda p=params, k=key: client.get("/v1/cases", params=p, headers={"X-API-Key": k})
                )
                assert response.status_code == 200, response.text
                if sample >= WARM_UP:
                    lists.append(seconds)
            code = rng.choice(units)
            seconds, response = await timed(lambda c=code: client.get("/v1/queue", headers={"X-API-Key": c}))
            assert response.status_code == 200, response.text
            if sample >= WARM_UP:
                queues.append(seconds)
    structlog.contextvars.clear_contextvars()  # the routes bound the last caller's client id to this task
    return {"list_page": latency_figures(lists), "queue_page": latency_figures(queues)}


async def sizes(engine: AsyncEngine) -> dict[str, float]:
    """The table's and each index's size on disk (MiB)."""
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                    "WHERE c.relname = 'case_records' OR c.oid IN "
                    "(SELECT indexrelid FROM pg_index WHERE indrelid = 'case_records'::regclass)"
                )
            )
        ).all()
    return {name: round(size / 2**20, 1) for name, size in rows}


async def records_phase(cases: int) -> dict[str, Any]:
    """Seed `cases` records in a PostgreSQL of the bench's own, then measure the reads."""
    print(f"\n(5) case records: {cases} generated records in the embedded PostgreSQL", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-records-"))
    server = PostgresServer.at(workdir)
    await server.start()
    engine = create_async_engine(server.url, pool_size=4)
    keyring = PayloadKeyring("bench", {"bench": os.urandom(32)})
    try:
        await migrate(engine, keyring=keyring)
        began = time.monotonic()
        seeding = await seed(engine, cases, keyring)
        seeding["total_seconds"] = round(time.monotonic() - began, 1)
        print(f"  seeded: {seeding}", flush=True)
        measured = await measure_reads(engine, keyring)
        # Last: it stores a report (the reads above saw the records alone).
        measured["weekly_report"] = await measure_weekly_report(engine, workdir)
        return {"cases": cases, "seeding": seeding, **measured}
    finally:
        await engine.dispose()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def measure_reads(engine: AsyncEngine, keyring: PayloadKeyring) -> dict[str, Any]:
    """The reads' figures over the records `engine` holds (sealed under `keyring`)."""
    records = CaseRecords(engine)
    rng = random.Random(2026)
    result: dict[str, Any] = {"sizes_mib": await sizes(engine)}
    result["list_page"] = await measure_lists(records, keyring, rng)
    print(f"  list page (mix): {result['list_page']['mix']}", flush=True)
    for name, figures in result["list_page"]["by_kind"].items():
        print(f"    {name}: p50 {figures['p50_ms']} / p95 {figures['p95_ms']} / max {figures['max_ms']} ms")
    units = await queue_units(engine, rng)
    result["queue_page"] = await measure_queues(records, units)
    print(f"  queue page: {result['queue_page']}", flush=True)
    result["through_api"] = await measure_through_app(records, keyring, units)
    print(f"  through the API routes: {result['through_api']}", flush=True)
    result["export"] = await measure_exports(records, keyring)
    result["rates"] = await measure_rates(engine)
    return result


def records_targets(results: dict[str, Any]) -> Iterator[tuple[str, Any, Callable[[Any], bool]]]:
    """The issue's figures for the records, (target, figure, whether met): judged at 1 M records only."""
    measured = results.get("case_records") or {}
    at_scale = measured.get("cases", 0) >= RECORDS_TARGET_CASES

    def figure(*path: str) -> Any:
        value: Any = measured
        for key in path:
            value = (value or {}).get(key)
        return value if at_scale else None

    yield (
        "list page p95 < 100 ms at 1 M records",
        figure("list_page", "mix", "p95_ms"),
        lambda ms: ms < TARGET_LIST_P95_MS,
    )
    yield "queue page p95 < 50 ms at 1 M records", figure("queue_page", "p95_ms"), lambda ms: ms < TARGET_QUEUE_P95_MS
    for name in ("csv", "xlsx"):
        yield (
            f"export of 100 k rows as {name.upper()} < 30 s",
            figure("export", name, "seconds"),
            lambda seconds: seconds < TARGET_EXPORT_SECONDS,
        )
    yield (
        "rates, all units, one quarter < 1 s at 1 M records (p95)",
        figure("rates", "unit", "p95_ms"),
        lambda ms: ms < TARGET_QUARTER_SECONDS * 1000,
    )
    yield (
        "a weekly report end to end < 30 s at 1 M records",
        figure("weekly_report", "seconds"),
        lambda seconds: seconds < TARGET_REPORT_SECONDS,
    )
