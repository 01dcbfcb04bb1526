"""`hotline catalog …`: import a city's tables as a new catalog version, show what is stored."""

from __future__ import annotations

from pathlib import Path

from services.contracts.catalog import load_catalog
from services.contracts.settings import ServiceSettings
from services.contracts.subjects import CATALOG_BUCKET
from services.engines.catalog_store import CatalogStore
from services.engines.jetstream import close_nats, key_value, open_jetstream


async def import_tables(directory: Path, settings: ServiceSettings, *, note: str) -> str:
    """Validate `units.csv` and `items.csv` and store them as the next version (unless nothing changed)."""
    catalog = load_catalog(directory)
    nc, js = await open_jetstream(settings, name="catalog-import")
    try:
        store = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
        stored = await store.import_catalog(catalog, note=note or f"imported from {directory}")
        if stored is None:
            current = store.current()
            return f"unchanged: catalog version {current.version} already has this content ({catalog.digest})"
    finally:
        await close_nats(nc)
    return (
        f"catalog version {stored.version} is current: {len(catalog.units)} units, {len(catalog.items)} items "
        f"({catalog.digest})"
    )


async def show_versions(settings: ServiceSettings) -> str:
    nc, js = await open_jetstream(settings, name="catalog-show")
    try:
        store = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
        current = (await store.start()).version
        lines = []
        for number in await store.versions():
            stored = await store.version(number)
            marker = "*" if str(number) == current else " "
            lines.append(
                f"{marker} {number:>4}  {stored.created_at:%Y-%m-%d %H:%M}  {stored.source:<24} "
                f"{len(stored.catalog.items):>3} items  {stored.note}"
            )
    finally:
        await close_nats(nc)
    return "\n".join(lines)
