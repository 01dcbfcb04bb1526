"""The district's boundaries kept in NATS: immutable numbered versions, a `current` pointer, hot reload.

Like the catalog (`catalog_store.py`): the first service to start stores the shipped sample district as version 1;
an import stores the next version and moves `current`, and every holder follows it without a restart. A version's
record (`version.<n>`) is created first, create-only, so two importers never take the same number; then its GeoJSON
is put in the object store; only then does `current` point at it, so no reader looks for a file not yet there.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from nats.js.errors import KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore

from services.contracts.boundaries import BoundaryError, DistrictBoundaries, load_boundaries, parse_boundaries
from services.contracts.boundaries import to_feature_collection as feature_collection
from services.contracts.boundary_versions import BoundaryVersion, version_key, version_object
from services.engines.version_pointer import VersionPointer, pointed_at

log = structlog.get_logger(__name__)

MAX_PUBLISH_ATTEMPTS = 20


class BoundaryStore:
    def __init__(
        self,
        bucket: KeyValue,
        objects: ObjectStore,
        *,
        prepare: Callable[[DistrictBoundaries], Awaitable[None]] | None = None,
    ) -> None:
        self._bucket = bucket
        self._pointer = VersionPointer(bucket)
        self._objects = objects
        # Called with a version before it replaces the one in force (the router builds its index there, off the
        # ticket path).
        self._prepare = prepare
        self._current: DistrictBoundaries | None = None

    def current(self) -> DistrictBoundaries:
        """The boundaries in force now (call `start` first); `version` is the stored version's number."""
        assert self._current is not None, "BoundaryStore.start() loads the current version"
        return self._current

    async def start(self) -> DistrictBoundaries:
        """Load the current version; store the shipped sample district as version 1 if there is none."""
        in_force = await self._pointer.current()
        if in_force is None:
            sample = load_boundaries()
            in_force = (
                await self.publish(sample, source="import", note="shipped sample district", only_if_empty=True)
            ).version
        boundaries = await self.boundaries(in_force)
        if self._prepare is not None:
            await self._prepare(boundaries)
        self._current = boundaries
        return boundaries

    async def versions(self) -> list[int]:
        return await self._pointer.versions()

    async def version(self, number: int) -> BoundaryVersion:
        """A version's record (not its shapes)."""
        entry = await self._bucket.get(version_key(number))
        return BoundaryVersion.model_validate_json(entry.value or b"{}")

    async def boundaries(self, number: int) -> DistrictBoundaries:
        """A version's boundaries, read from its GeoJSON and checked again."""
        stored = await self._objects.get(version_object(number))
        # In a thread: a city's thousands of grids take seconds to check, and the event loop serves tickets meanwhile.
        parsed = await asyncio.to_thread(parse_boundaries, (stored.data or b"").decode())
        return parsed.model_copy(update={"version": str(number)})

    async def import_boundaries(self, boundaries: DistrictBoundaries, *, note: str) -> BoundaryVersion | None:
        """Store an imported file as the next version, or None when the version in force has this content."""
        in_force = await self._pointer.current()
        if in_force is not None and (await self.version(in_force)).digest == boundaries.digest:
            return None
        return await self.publish(boundaries, source="import", note=note)

    async def publish(
        self, boundaries: DistrictBoundaries, *, source: str, note: str = "", only_if_empty: bool = False
    ) -> BoundaryVersion:
        """Store `boundaries` as the next version and make it current (safe against concurrent publishers)."""
        text = json.dumps(feature_collection(boundaries), ensure_ascii=False, separators=(",", ":")).encode()
        for _attempt in range(MAX_PUBLISH_ATTEMPTS):
            pointer_entry = await self._pointer.entry()
            in_force = pointed_at(pointer_entry)
            if in_force is not None and only_if_empty:
                return await self.version(in_force)
            latest = max(await self.versions(), default=0)
            record = BoundaryVersion(
                version=latest + 1,
                created_at=datetime.now(UTC),
                source=source,
                note=note,
                district=boundaries.district,
                digest=boundaries.digest,
                counts=boundaries.counts(),
            )
            try:
                # Create-only: the number is this publisher's alone from here on.
                await self._bucket.create(version_key(record.version), record.model_dump_json().encode())
            except KeyWrongLastSequenceError:
                continue
            await self._objects.put(version_object(record.version), text)
            if await self._pointer.move(record.version, pointer_entry):
                log.info("boundaries.published", version=record.version, source=source, digest=record.digest)
                self._current = boundaries.model_copy(update={"version": str(record.version)})
                return record
            # Another version became current meanwhile: this one stays on file, and the import is tried again on
            # top of the newer one (an import replaces the whole file, so nothing of the other is lost by it).
        raise RuntimeError("could not publish a boundary version: too many concurrent publishers")

    async def watch(self, *, stop: asyncio.Event) -> None:
        """Follow the `current` pointer until `stop`: a new version replaces the one in force."""
        async for number in self._pointer.follow(stop=stop):
            await self._switch_to(number)

    async def _switch_to(self, number: int) -> None:
        if self._current is not None and self._current.version == str(number):
            return
        try:
            boundaries = await self.boundaries(number)
        except (NotFoundError, BoundaryError) as exc:
            log.error("boundaries.unreadable_version", version=number, error=repr(exc))
            return
        if self._prepare is not None:
            await self._prepare(boundaries)
        self._current = boundaries
        log.info("boundaries.reloaded", version=number, counts=self._current.counts())
