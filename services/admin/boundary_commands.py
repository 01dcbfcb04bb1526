"""`hotline boundaries …`: import a city's township and grid boundaries (GeoJSON) as a new version, list versions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from services.contracts.boundaries import BoundaryError, parse_boundaries
from services.contracts.settings import ServiceSettings
from services.contracts.subjects import BOUNDARIES_BUCKET, BOUNDARIES_OBJECT_STORE
from services.contracts.tickets import CoordinateSystem
from services.engines.boundary_store import BoundaryStore
from services.engines.jetstream import close_nats, key_value, object_store, open_jetstream


async def import_boundaries(
    path: Path, settings: ServiceSettings, *, note: str, coordinate_system: CoordinateSystem | None = None
) -> str:
    """Check a GeoJSON file (converted to WGS-84 when drawn in GCJ-02 or BD-09) and store it as the next version,
    unless the version in force has this content."""
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise BoundaryError(f"{path}: file not found") from exc
    try:
        boundaries = parse_boundaries(text, coordinate_system=coordinate_system)
    except BoundaryError as exc:
        raise BoundaryError(f"{path}: {exc}") from exc
    async with _store(settings, name="boundaries-import") as store:
        stored = await store.import_boundaries(boundaries, note=note or f"imported from {path.name}")
        if stored is None:
            return f"unchanged: the version in force already has this content ({boundaries.digest})"
    counts = ", ".join(f"{count} {level}" for level, count in stored.counts.items())
    return f"boundaries version {stored.version} is current: {counts} ({stored.digest})"


async def show_versions(settings: ServiceSettings) -> str:
    """Every stored version, `*` marking the one in force."""
    async with _store(settings, name="boundaries-show") as store:
        current = (await store.start()).version
        lines = []
        for number in await store.versions():
            stored = await store.version(number)
            marker = "*" if str(number) == current else " "
            townships, grids = stored.counts.get("township", 0), stored.counts.get("grid", 0)
            lines.append(
                f"{marker} {number:>4}  {stored.created_at:%Y-%m-%d %H:%M}  {stored.district:<20} "
                f"{townships:>3} townships {grids:>5} grids  {stored.note}"
            )
    return "\n".join(lines)


@asynccontextmanager
async def _store(settings: ServiceSettings, *, name: str) -> AsyncIterator[BoundaryStore]:
    nc, js = await open_jetstream(settings, name=name)
    try:
        yield BoundaryStore(
            await key_value(js, BOUNDARIES_BUCKET, replicas=settings.nats_replicas),
            await object_store(js, BOUNDARIES_OBJECT_STORE, replicas=settings.nats_replicas),
        )
    finally:
        await close_nats(nc)
