"""Run the router: `python -m services.router`."""

from __future__ import annotations

import asyncio
import functools

import structlog

from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.gc_pauses import observe_gc_pauses
from services.contracts.subjects import BOUNDARIES_BUCKET, BOUNDARIES_OBJECT_STORE, CATALOG_BUCKET, ROUTER_CONSUMER
from services.contracts.telemetry import configure_logging
from services.contracts.tracing import configure_tracing
from services.engines.boundary_store import BoundaryStore
from services.engines.catalog_store import CatalogStore
from services.engines.jetstream import close_nats, key_value, object_store, open_jetstream
from services.engines.lifecycle import keep_running, run_until_stopped
from services.engines.ops_server import serve_ops
from services.engines.pull_consumer import run_pull_consumer
from services.router.case_router import CaseRouter
from services.router.classifier_data import load_classifier_data
from services.router.classifier_keeper import ClassifierKeeper, build_classifier
from services.router.gazetteer import load_gazetteer
from services.router.place_index import CurrentPlaces, PlaceIndex
from services.router.platform_categories import load_platform_categories
from services.router.routing import RoutingTables
from services.router.settings import RouterSettings

log = structlog.get_logger("services.router")


async def main(stop: asyncio.Event) -> None:
    settings = RouterSettings()
    configure_logging(service="router", level=settings.log_level, json=settings.log_json)
    configure_tracing(service="router", otlp_endpoint=settings.otlp_endpoint, sample_ratio=settings.trace_sample_ratio)
    observe_gc_pauses()
    tables = RoutingTables(
        platform_categories=load_platform_categories(settings.data_dir), gazetteer=load_gazetteer(settings.data_dir)
    )
    data, threshold = load_classifier_data(settings.data_dir), settings.confidence_threshold
    classifiers = ClassifierKeeper(functools.partial(build_classifier, data=data, threshold=threshold))
    nc, js = await open_jetstream(settings, name="router")
    catalogs = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
    catalog = await catalogs.start()
    await classifiers.start(catalog)
    places = CurrentPlaces(lambda: boundaries.current())
    boundaries = BoundaryStore(
        await key_value(js, BOUNDARIES_BUCKET, replicas=settings.nats_replicas),
        await object_store(js, BOUNDARIES_OBJECT_STORE, replicas=settings.nats_replicas),
        prepare=places.prepare,
    )
    await boundaries.start()
    _warn_about_tables(tables, catalog)
    _warn_about_places(places(), catalog)
    router = CaseRouter(js=js, catalog=catalogs.current, classifier=classifiers.current, tables=tables, places=places)
    log.info(
        "router.ready",
        catalog_version=catalog.version,
        items=len(catalog.items),
        boundaries_version=places().version,
    )

    async def health() -> dict[str, bool]:
        return {"nats": nc.is_connected}

    await asyncio.gather(
        run_pull_consumer(js, ROUTER_CONSUMER, router.handle, stop=stop, batch=settings.fetch_batch),
        keep_running("catalog-watch", lambda: catalogs.watch(stop=stop), stop=stop),
        keep_running("boundaries-watch", lambda: boundaries.watch(stop=stop), stop=stop),
        keep_running("classifier-follow", lambda: classifiers.follow(catalogs.current, stop=stop), stop=stop),
        serve_ops(health, host=settings.ops_host, port=settings.ops_port, stop=stop),
    )
    await close_nats(nc)


def _warn_about_tables(tables: RoutingTables, catalog: ResponsibilityCatalog) -> None:
    """Entries the catalog in force cannot use are not fatal (the catalog changes at run time), but are said."""
    unknown_items = tables.platform_categories.unknown_items(catalog)
    if unknown_items:
        log.warning("router.platform_categories_unknown_items", catalog_version=catalog.version, entries=unknown_items)
    unknown_townships = tables.gazetteer.unknown_townships(catalog)
    if unknown_townships:
        log.warning("router.gazetteer_unknown_townships", catalog_version=catalog.version, townships=unknown_townships)


def _warn_about_places(places: PlaceIndex, catalog: ResponsibilityCatalog) -> None:
    """Boundaries of townships the catalog lacks route nothing there (the case falls back to its address)."""
    unknown = places.unknown_townships(catalog)
    if unknown:
        log.warning(
            "router.boundaries_unknown_townships",
            catalog_version=catalog.version,
            boundaries_version=places.version,
            townships=unknown,
        )


if __name__ == "__main__":
    run_until_stopped(main)
