"""Run the assessment service: `python -m services.assessment` (reports on schedules, classes of cases, special
rectifications), a Temporal worker on the `assessment` task queue over the case records."""

from __future__ import annotations

import asyncio

import structlog

from services.assessment.settings import AssessmentSettings
from services.assessment.worker import build_worker
from services.contracts.telemetry import configure_logging
from services.engines.jetstream import close_nats, open_jetstream
from services.engines.lifecycle import run_until_stopped
from services.engines.ops_server import serve_ops
from services.engines.records_db.connection import open_records
from services.engines.temporal import connect_temporal, temporal_healthy

log = structlog.get_logger("services.assessment")


async def main(stop: asyncio.Event) -> None:
    settings = AssessmentSettings()
    configure_logging(service="assessment", level=settings.log_level, json=settings.log_json)
    definitions = settings.definitions()
    engine = open_records(settings.database(), pool_size=settings.pool_size)
    nc, _js = await open_jetstream(settings, name="assessment")
    client = await connect_temporal(settings)
    worker = build_worker(client, activities=[], settings=settings)
    log.info("assessment.ready", definitions_version=definitions.version)

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
