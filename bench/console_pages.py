"""(6) The staff console's pages over a city's case records: how long each takes to serve, signed in as its role.

The whole system as `make run` starts it (with PostgreSQL, the records and the console), its records seeded with N
generated cases (bench/records_seed.py) under the stack's own development payload key. A browser's session for
each role is made as a person makes it (the sign-in form with its CSRF token, a development key); each page is then
asked for `SAMPLES` times after `WARM_UP`, one request at a time, and timed from request to the last byte on
loopback: the console's rendering, its calls to the API as the person, and the API's reads of the records and
Temporal. Nothing else runs meanwhile.

The pages are data (`PAGES`): a page not built yet (404) is reported as "not built", not measured.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.figures import latency_figures
from bench.records_seed import CATALOG_UNIT, TOWNSHIPS, seed
from bench.report import table
from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from services.contracts.settings import Environment, ServiceSettings
from tests.support.console import chromium_path, sign_in
from tests.support.system import RunningSystem

TARGET_PAGE_P95_MS = 150.0
TARGET_CASES = 1_000_000
SAMPLES = 30
WARM_UP = 3
NOT_BUILT = "not built"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """One page as a role sees it: `{case_id}` in the path is a different seeded case each request."""

    name: str
    path: str
    role: str  # the development client whose key signs in
    params: dict[str, str] = field(default_factory=dict)


PAGES = (
    Page("queue (unit clerk)", "/queue", CATALOG_UNIT),
    Page("queue rows, the refresh", "/queue/rows", CATALOG_UNIT),
    Page("case (unit clerk)", "/cases/{case_id}", CATALOG_UNIT),
    Page("case (centre)", "/cases/{case_id}", COORDINATION_CENTRE),
    Page("centre desk", "/centre", COORDINATION_CENTRE),
    Page("search, status + township", "/search", COORDINATION_CENTRE, {"status": "accepted", "township": TOWNSHIPS[3]}),
    Page("search, words", "/search", COORDINATION_CENTRE, {"q": "停水"}),
    Page("dashboard (leader)", "/dashboard", CITY_LEADER),
    # A week no one asked for yet each time: what the records cost when the shared figures are not kept.
    Page("dashboard, an unasked week", "/dashboard", CITY_LEADER, {"period": "week", "at": "{week}"}),
)
TARGET_FIRST_PAINT_MS = 1000.0
FIRST_PAINTS = 5


async def signed_in(console_url: str, key: str) -> httpx.AsyncClient:
    """A client holding a signed-in session: the sign-in page's CSRF token and the key posted as its form."""
    client = httpx.AsyncClient(base_url=console_url, timeout=60)
    form = await client.get("/sign-in")
    found = _CSRF.search(form.text)
    if form.status_code != 200 or found is None:
        await client.aclose()
        raise RuntimeError(f"the console's sign-in page answered {form.status_code} without a CSRF token")
    answer = await client.post("/sign-in/key", data={"api_key": key, "csrf_token": found.group(1), "next": ""})
    if answer.status_code != 303:
        await client.aclose()
        raise RuntimeError(f"signing in was refused: {answer.status_code} {answer.text[:300]}")
    return client


async def measure_page(client: httpx.AsyncClient, page: Page, case_ids: list[str], samples: int) -> dict[str, Any]:
    """`samples` timed requests after the warm-up; "not built" where the console has no such page."""
    timings: list[float] = []
    for n in range(WARM_UP + samples):
        path = page.path.format(case_id=case_ids[n % len(case_ids)])
        week = (date.today() - timedelta(weeks=n + 1)).isoformat()
        params = {name: value.format(week=week) for name, value in page.params.items()}
        began = time.perf_counter()
        answer = await client.get(path, params=params)
        seconds = time.perf_counter() - began
        if answer.status_code == 404 and n == 0 and "{case_id}" not in page.path:
            return {"path": page.path, "result": NOT_BUILT}
        if answer.status_code != 200:
            raise RuntimeError(f"{page.name}: GET {path} answered {answer.status_code}: {answer.text[:300]}")
        if n >= WARM_UP:
            timings.append(seconds)
    return {"path": page.path, "role": page.role, **latency_figures(timings)}


async def console_phase(cases: int, *, samples: int = SAMPLES, pages: tuple[Page, ...] = PAGES) -> dict[str, Any]:
    """Start the system with the console, seed its records with `cases`, and time every page of `pages`."""
    print(f"\n(6) console pages: {cases} generated records, {samples} requests a page", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-console-"))
    # Pages one after another as fast as they answer: no person does that, so no per-person limit applies.
    system = await RunningSystem.start(
        workdir, with_records=True, with_console=True, extra_env={"HOTLINE_INTAKE_RATE_LIMIT": ""}
    )
    try:
        assert system.postgres is not None
        engine = create_async_engine(system.postgres.url, pool_size=2)
        try:
            # The key the stack's services decrypt with: development's, as none is configured.
            keyring = ServiceSettings(environment=Environment.DEVELOPMENT).payload_keyring()
            began = time.monotonic()
            seeding = await seed(engine, cases, keyring)
            seeding["total_seconds"] = round(time.monotonic() - began, 1)
            print(f"  seeded: {seeding}", flush=True)
            async with engine.connect() as connection:
                case_ids = list(
                    (
                        await connection.execute(
                            text("SELECT case_id FROM case_records WHERE handling_unit = :unit LIMIT 200"),
                            {"unit": CATALOG_UNIT},
                        )
                    ).scalars()
                )
        finally:
            await engine.dispose()
        measured: dict[str, Any] = {}
        sessions: dict[str, httpx.AsyncClient] = {}
        try:
            for page in pages:
                if page.role not in sessions:
                    sessions[page.role] = await signed_in(system.console_url, system.keys[page.role])
                measured[page.name] = await measure_page(sessions[page.role], page, case_ids, samples)
                print(f"  {page.name}: {measured[page.name]}", flush=True)
        finally:
            for client in sessions.values():
                await client.aclose()
        print(pages_table(measured), flush=True)
        paints = await first_paints(system.console_url, system.keys[CITY_LEADER])
        print(f"  dashboard's first contentful paint in Chromium: {paints}", flush=True)
        return {"cases": cases, "seeding": seeding, "samples": samples, "pages": measured, "first_paint": paints}
    finally:
        system.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def first_paints(console_url: str, key: str, count: int = FIRST_PAINTS) -> dict[str, Any]:
    """The dashboard's first contentful paint in Chromium on loopback, `count` fresh navigations, each to a week
    nobody asked for yet (the figures computed for it); "no Chromium" where there is none."""
    executable = chromium_path()
    if executable is None:
        return {"result": "no Chromium"}
    paints: list[float] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(executable), args=["--no-sandbox"])
        try:
            page = await (await browser.new_context(viewport={"width": 1366, "height": 768})).new_page()
            await sign_in(page, console_url, key)
            for n in range(count):
                week = (date.today() - timedelta(weeks=WARM_UP + SAMPLES + n + 1)).isoformat()
                await page.goto(f"{console_url}/dashboard?period=week&at={week}")
                # Paint timings are recorded as frames are presented: wait for the charts, then for the entry.
                await page.locator("#chart-completion canvas").wait_for()
                paint = await page.wait_for_function(
                    "performance.getEntriesByName('first-contentful-paint')[0]?.startTime", timeout=5_000
                )
                paints.append(float(await paint.json_value()) / 1000)
        finally:
            await browser.close()
    return latency_figures(paints)


def pages_table(pages: dict[str, Any]) -> str:
    """The pages' table: page, path, p50, p95, max (or "not built")."""
    rows = []
    for name, figures in pages.items():
        if figures.get("result") == NOT_BUILT:
            rows.append([name, figures["path"], NOT_BUILT, "", ""])
        else:
            rows.append([name, figures["path"], str(figures["p50_ms"]), str(figures["p95_ms"]), str(figures["max_ms"])])
    return table("console pages, served (ms)", ["page", "path", "p50", "p95", "max"], rows)


def console_targets(results: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """Each page's p95 against the target, judged at 1 M records only; a page not built says so."""
    measured = results.get("console_pages") or {}
    at_scale = measured.get("cases", 0) >= TARGET_CASES
    for name, figures in (measured.get("pages") or {}).items():
        label = f"console {name} p95 < {TARGET_PAGE_P95_MS:g} ms at 1 M records"
        if figures.get("result") == NOT_BUILT:
            yield label, NOT_BUILT, None
        else:
            yield label, figures["p95_ms"] if at_scale else None, lambda ms: ms < TARGET_PAGE_P95_MS
    paint = measured.get("first_paint") or {}
    if "p95_ms" in paint:
        label = f"dashboard's first paint in Chromium < {TARGET_FIRST_PAINT_MS:g} ms at 1 M records (max)"
        yield label, paint["max_ms"] if at_scale else None, lambda ms: ms < TARGET_FIRST_PAINT_MS
