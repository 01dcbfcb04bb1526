"""A weekly report made end to end over the bench's generated records (part of `--only records`): compute (the
week's rates over the unit case facts, the trend, the stalled items, the units named), render the HTML page and
the workbook, store it, and send it (its files into the NATS object store, a notice to two recipients).

Target (issue 25): < 30 s at 1 M records on the embedded PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assessment.reports.report_compute import CatalogTerms, ReportPlan, ReportSources, compute_report
from services.assessment.reports.report_delivery import publish_report
from services.assessment.reports.report_html import render_report_html
from services.assessment.reports.report_periods import cutoff_for, scheduled_period
from services.assessment.reports.report_store import store_report
from services.assessment.reports.report_xlsx import render_report_xlsx
from services.contracts.assessment import shipped_definitions
from services.contracts.assessment_reports import ReportKind
from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from services.contracts.catalog import load_catalog
from services.contracts.events import Audience
from services.contracts.settings import ServiceSettings
from services.engines.jetstream import close_nats, open_jetstream
from services.engines.records_db.tables import case_records
from tests.support.engines import NatsServer

TARGET_REPORT_SECONDS = 30.0
Result = TypeVar("Result")


async def _timed(steps: dict[str, float], name: str, call: Callable[[], Awaitable[Result]]) -> Result:
    began = time.perf_counter()
    result = await call()
    steps[name] = round(time.perf_counter() - began, 3)
    return result


async def measure_weekly_report(engine: AsyncEngine, workdir: Path) -> dict[str, Any]:
    """One weekly report, issued on the Friday of the newest generated week, each step timed."""
    async with engine.connect() as connection:
        newest = await connection.scalar(
            select(case_records.c.received_at).order_by(case_records.c.received_at.desc()).limit(1)
        )
    fired_at = newest or datetime.now(UTC)
    period = scheduled_period(ReportKind.WEEKLY, fired_at)
    plan = ReportPlan(kind=ReportKind.WEEKLY, period=period, cutoff=cutoff_for(period, fired_at), version=1)
    catalog = load_catalog()
    sources = ReportSources(
        definitions=shipped_definitions(), catalog=catalog, no_progress_working_days=5, trend_periods=6
    )
    names = CatalogTerms(catalog).names
    steps: dict[str, float] = {}
    nats = NatsServer.at(workdir)
    await nats.start()
    try:
        nc, js = await open_jetstream(ServiceSettings(nats_url=nats.url), name="bench-report")
        began = time.perf_counter()
        async with engine.begin() as connection:
            report = await _timed(
                steps, "compute", lambda: compute_report(connection, plan, sources, generated_at=fired_at)
            )

            async def render() -> tuple[str, bytes]:
                return render_report_html(report, names=names), render_report_xlsx(report, names=names)

            html, xlsx = await _timed(steps, "render", render)
            await _timed(steps, "store", lambda: store_report(connection, report, html=html, xlsx=xlsx))
        recipients = [(COORDINATION_CENTRE, Audience.COORDINATION), (CITY_LEADER, Audience.LEADER)]
        await _timed(steps, "send", lambda: publish_report(js, report, html, xlsx, recipients, "http://bench/"))
        total = round(time.perf_counter() - began, 2)
        await close_nats(nc)
    finally:
        nats.stop()
    figures = {
        "seconds": total,
        "steps_seconds": steps,
        "units": len(report.rates.lines),
        "stalled_total": report.stalled_total,
        "units_named": len(report.units_named),
        "html_kib": round(len(html.encode()) / 1024, 1),
        "xlsx_kib": round(len(xlsx) / 1024, 1),
    }
    print(f"  weekly report end to end: {figures}", flush=True)
    return figures
