"""Run the records service: `python -m services.records` (migrations, then the case event log followed)."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.exc import DBAPIError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from services.contracts.subjects import RECORDS_CONSUMER
from services.contracts.telemetry import configure_logging
from services.contracts.tracing import configure_tracing
from services.engines.jetstream import close_nats, open_jetstream
from services.engines.lifecycle import run_until_stopped
from services.engines.ops_server import serve_ops
from services.engines.pull_consumer import run_pull_consumer
from services.engines.records_db.connection import open_records
from services.records.case_gauges import keep_counting
from services.records.migrate import migrate
from services.records.projector import RecordProjector
from services.records.settings import RecordsSettings
from services.records.store import RecordStore

log = structlog.get_logger("services.records")


async def main(stop: asyncio.Event) -> None:
    settings = RecordsSettings()
    configure_logging(service="records", level=settings.log_level, json=settings.log_json)
    configure_tracing(service="records", otlp_endpoint=settings.otlp_endpoint, sample_ratio=settings.trace_sample_ratio)
    engine = open_records(settings.database(), pool_size=settings.pool_size, max_overflow=0)
    if settings.migrate_at_start:
        # The database may still be starting (`make run` starts everything at once): retry until it answers.
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(settings.connect_timeout_seconds),
            wait=wait_exponential(max=2),
            retry=retry_if_exception_type((OSError, DBAPIError)),
            reraise=True,
        ):
            with attempt:
                await migrate(engine, keyring=settings.payload_keyring())
    nc, js = await open_jetstream(settings, name="records")
    store = RecordStore(engine, settings.payload_keyring())
    projector = RecordProjector(store)
    log.info("records.ready")

    async def health() -> dict[str, bool]:
        return {"nats": nc.is_connected, "database": await store.answers(timeout=settings.health_timeout_seconds)}

    await asyncio.gather(
        run_pull_consumer(js, RECORDS_CONSUMER, projector.handle, stop=stop, batch=settings.fetch_batch),
        serve_ops(health, host=settings.ops_host, port=settings.ops_port, stop=stop),
        keep_counting(engine, interval_seconds=settings.case_gauges_seconds, stop=stop),
    )
    await close_nats(nc)
    await engine.dispose()


if __name__ == "__main__":
    run_until_stopped(main)
