"""Run the router: `python -m services.router`."""

from __future__ import annotations

import asyncio

import structlog

from services.contracts.subjects import CASE_INDEX_BUCKET, CATALOG_BUCKET, ROUTER_CONSUMER
from services.contracts.telemetry import configure_logging
from services.engines.catalog_store import CatalogStore
from services.engines.jetstream import close_nats, key_value, open_jetstream
from services.engines.lifecycle import run_until_stopped
from services.engines.ops_server import serve_ops
from services.engines.pull_consumer import run_pull_consumer
from services.router.case_router import CaseRouter
from services.router.settings import RouterSettings

log = structlog.get_logger("services.router")


async def main(stop: asyncio.Event) -> None:
    settings = RouterSettings()
    configure_logging(service="router", level=settings.log_level, json=settings.log_json)
    nc, js = await open_jetstream(settings, name="router")
    catalogs = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
    catalog = await catalogs.start()
    router = CaseRouter(js=js, case_index=await key_value(js, CASE_INDEX_BUCKET), catalog=catalogs.current)
    log.info("router.ready", catalog_version=catalog.version, items=len(catalog.items))

    async def health() -> dict[str, bool]:
        return {"nats": nc.is_connected}

    await asyncio.gather(
        run_pull_consumer(js, ROUTER_CONSUMER, router.handle, stop=stop, batch=settings.fetch_batch),
        catalogs.watch(stop=stop),
        serve_ops(health, host=settings.ops_host, port=settings.ops_port, stop=stop),
    )
    await close_nats(nc)


if __name__ == "__main__":
    run_until_stopped(main)
