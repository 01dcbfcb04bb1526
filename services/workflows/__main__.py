"""Run the workflows worker and the workflow starter's consumers: `python -m services.workflows`."""

from __future__ import annotations

import asyncio

import structlog

from services.contracts.case_policy import load_policy
from services.contracts.gc_pauses import (
    consider_full_collection_every,
    freeze_startup_objects,
    observe_gc_pauses,
)
from services.contracts.subjects import (
    CATALOG_BUCKET,
    CATALOG_CHANGES_BUCKET,
    HOLIDAY_SCHEDULES_BUCKET,
    TRIAGE_DECISIONS_BUCKET,
)
from services.contracts.telemetry import configure_logging
from services.contracts.tracing import configure_tracing
from services.engines.catalog_change_records import CatalogChangeRecords
from services.engines.catalog_store import CatalogStore
from services.engines.jetstream import close_nats, key_value, open_jetstream
from services.engines.lifecycle import keep_running, run_until_stopped
from services.engines.ops_server import serve_ops
from services.engines.pull_consumer import run_pull_consumer
from services.engines.temporal import connect_temporal, ensure_search_attributes, temporal_healthy
from services.workflows.calendar.calendar_store import CalendarStore
from services.workflows.calendar.deadline_activities import DeadlineActivities
from services.workflows.calendar.provisional_recompute import recompute_provisional_deadlines
from services.workflows.catalog_change.catalog_change_activities import CatalogChangeActivities
from services.workflows.publishing.activities import NotificationActivities
from services.workflows.settings import WorkflowsSettings
from services.workflows.triage.triage_activities import TriageActivities
from services.workflows.worker import build_worker
from services.workflows.workflow_starter import STARTS, WorkflowStarter

log = structlog.get_logger("services.workflows")


async def main(stop: asyncio.Event) -> None:
    settings = WorkflowsSettings()
    configure_logging(service="workflows", level=settings.log_level, json=settings.log_json)
    configure_tracing(
        service="workflows", otlp_endpoint=settings.otlp_endpoint, sample_ratio=settings.trace_sample_ratio
    )
    observe_gc_pauses()
    policy = load_policy(settings.policy_file)
    nc, js = await open_jetstream(settings, name="workflows")
    client = await connect_temporal(settings)
    if settings.register_search_attributes:
        added = await ensure_search_attributes(client, settings.temporal_namespace)
        if added:
            log.info("temporal.search_attributes_registered", added=added)
    calendar = CalendarStore(await key_value(js, HOLIDAY_SCHEDULES_BUCKET, replicas=settings.nats_replicas))
    # Approved catalog changes are applied to the version in force, read afresh each time (no watch needed).
    catalogs = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
    await catalogs.start()
    change_records = CatalogChangeRecords(await key_value(js, CATALOG_CHANGES_BUCKET, replicas=settings.nats_replicas))
    worker = build_worker(
        client,
        notifications=NotificationActivities(js, settings.payload_keyring()),
        deadlines=DeadlineActivities(calendar=calendar.current, policy=lambda: policy),
        catalog_changes=CatalogChangeActivities(catalogs=catalogs, records=change_records),
        triage=TriageActivities(js, await key_value(js, TRIAGE_DECISIONS_BUCKET, replicas=settings.nats_replicas)),
        settings=settings,
    )
    # One starter per spec: `case-starter` (FirstContactCase) and `triage-starter` (TriageCase).
    starters = [WorkflowStarter(client, spec) for spec in STARTS]
    frozen = freeze_startup_objects()
    gc_threshold = consider_full_collection_every(settings.gc_full_collection_every)
    log.info(
        "workflows.ready",
        temporal=settings.temporal_address,
        policy_version=policy.version,
        frozen=frozen,
        gc_threshold=gc_threshold,
    )

    async def health() -> dict[str, bool]:
        return {
            "nats": nc.is_connected,
            "temporal": await temporal_healthy(client),
            "temporal_worker": worker.is_running,
        }

    async def run_worker() -> None:
        async with worker:
            await stop.wait()

    async def recompute() -> None:
        await recompute_provisional_deadlines(client)

    await asyncio.gather(
        run_worker(),
        keep_running("calendar-watch", lambda: calendar.watch(stop=stop, on_change=recompute), stop=stop),
        *(
            run_pull_consumer(js, starter.consumer, starter.handle, stop=stop, batch=settings.fetch_batch)
            for starter in starters
        ),
        serve_ops(health, host=settings.ops_host, port=settings.ops_port, stop=stop),
    )
    await close_nats(nc)


if __name__ == "__main__":
    run_until_stopped(main)
