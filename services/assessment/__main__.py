"""Run the assessment service: `python -m services.assessment` (reports on schedules, classes of cases, special
rectifications), a Temporal worker on the `assessment` task queue over the case records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog

from services.assessment.classes.hotspot_activities import HotspotActivities
from services.assessment.classes.scan_schedule import ensure_scan_schedule
from services.assessment.notice_activities import NoticeActivities
from services.assessment.rectification.rectification_activities import RectificationActivities
from services.assessment.reports.report_activities import ReportActivities, ReportSettings
from services.assessment.reports.report_schedules import ensure_report_schedules
from services.assessment.settings import AssessmentSettings
from services.assessment.worker import build_worker
from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.subjects import ASSESSMENT_TASK_QUEUE, CATALOG_BUCKET
from services.contracts.telemetry import configure_logging
from services.contracts.tracing import configure_tracing
from services.engines.catalog_store import CatalogStore
from services.engines.jetstream import close_nats, key_value, open_jetstream
from services.engines.lifecycle import run_until_stopped
from services.engines.ops_server import serve_ops
from services.engines.records_db.connection import open_records
from services.engines.temporal import connect_temporal, temporal_healthy

log = structlog.get_logger("services.assessment")


async def main(stop: asyncio.Event) -> None:
    settings = AssessmentSettings()
    configure_logging(service="assessment", level=settings.log_level, json=settings.log_json)
    configure_tracing(
        service="assessment", otlp_endpoint=settings.otlp_endpoint, sample_ratio=settings.trace_sample_ratio
    )
    definitions = settings.definitions()
    thresholds = settings.thresholds()
    engine = open_records(settings.database(), pool_size=settings.pool_size)
    nc, js = await open_jetstream(settings, name="assessment")
    client = await connect_temporal(settings)
    # Names of units, townships and items as the catalog in force has them, read afresh at each scan and report.
    catalogs = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
    await catalogs.start()

    async def catalog() -> ResponsibilityCatalog:
        return (await catalogs.load_current()).catalog

    hotspots = HotspotActivities(engine=engine, thresholds=lambda: thresholds, catalog=catalog)
    rectifications = RectificationActivities(engine=engine, thresholds=lambda: thresholds)
    reports = ReportActivities(
        engine,
        js,
        definitions=definitions,
        catalog=catalog,
        settings=ReportSettings(
            no_progress_working_days=settings.no_progress_working_days,
            trend_periods=settings.trend_periods,
            recipients=settings.recipients(),
            public_url=settings.public_url,
        ),
    )
    activities: list[Callable[..., Any]] = [
        NoticeActivities(js).publish_notification,
        hotspots.scan_hotspots,
        hotspots.mark_classes_notified,
        rectifications.open_rectification,
        rectifications.check_class_cases,
        rectifications.record_rectification,
        *reports.all(),
    ]
    worker = build_worker(client, activities=activities, settings=settings)
    if settings.hotspot_scan_schedule:
        await ensure_scan_schedule(client, every=settings.hotspot_scan_every(), task_queue=ASSESSMENT_TASK_QUEUE)
    schedules = await ensure_report_schedules(client, settings.report_crons(), settings.report_time_zone)
    log.info(
        "assessment.ready",
        definitions_version=definitions.version,
        thresholds_version=thresholds.version,
        hotspot_scan_every_minutes=settings.hotspot_scan_every_minutes,
        report_schedules=schedules,
    )

    async def health() -> dict[str, bool]:
        return {"nats": nc.is_connected, "temporal": await temporal_healthy(client), "worker": worker.is_running}

    async def run_worker() -> None:
        async with worker:
            await stop.wait()

    await asyncio.gather(run_worker(), serve_ops(health, host=settings.ops_host, port=settings.ops_port, stop=stop))
    await close_nats(nc)
    await engine.dispose()


if __name__ == "__main__":
    run_until_stopped(main)
