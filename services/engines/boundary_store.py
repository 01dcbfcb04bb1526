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
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore

from services.contracts.boundaries import BoundaryError, DistrictBoundaries, load_boundaries, parse_boundaries
from services.contracts.boundaries import to_feature_collection as feature_collection
from services.contracts.boundary_versions import (
    CURRENT_KEY,
    BoundaryPointer,
    BoundaryVersion,
    version_key,
    version_object,
)
from services.engines.jetstream import kv_keys, kv_updates

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
        pointer = await self._pointer()
        if pointer is None:
            await self.publish(load_boundaries(), source="import", note="shipped sample district", only_if_empty=True)
            pointer = await self._pointer()
            assert pointer is not None
        boundaries = await self.boundaries(pointer.version)
        if self._prepare is not None:
            await self._prepare(boundaries)
        self._current = boundaries
        return boundaries

    async def versions(self) -> list[int]:
        return sorted(int(key.split(".", 1)[1]) for key in await kv_keys(self._bucket, "version.*"))

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
        pointer = await self._pointer()
        if pointer is not None and (await self.version(pointer.version)).digest == boundaries.digest:
            return None
        return await self.publish(boundaries, source="import", note=note)

    async def publish(
        self, boundaries: DistrictBoundaries, *, source: str, note: str = "", only_if_empty: bool = False
    ) -> BoundaryVersion:
        """Store `boundaries` as the next version and make it current (safe against concurrent publishers)."""
        text = json.dumps(feature_collection(boundaries), ensure_ascii=False, separators=(",", ":")).encode()
        for _attempt in range(MAX_PUBLISH_ATTEMPTS):
            pointer_entry = await self._pointer_entry()
            if pointer_entry is not None and only_if_empty:
                return await self.version(BoundaryPointer.model_validate_json(pointer_entry.value or b"{}").version)
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
            if await self._move_current(record.version, pointer_entry):
                log.info("boundaries.published", version=record.version, source=source, digest=record.digest)
                self._current = boundaries.model_copy(update={"version": str(record.version)})
                return record
            # Another version became current meanwhile: this one stays on file, and the import is tried again on
            # top of the newer one (an import replaces the whole file, so nothing of the other is lost by it).
        raise RuntimeError("could not publish a boundary version: too many concurrent publishers")

    async def watch(self, *, stop: asyncio.Event) -> None:
        """Follow the `current` pointer until `stop`: a new version replaces the one in force."""
        async for entry in kv_updates(self._bucket, stop=stop, key=CURRENT_KEY):
            if entry is not None and entry.value:
                await self._switch_to(BoundaryPointer.model_validate_json(entry.value).version)

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

    async def _move_current(self, number: int, seen: KeyValue.Entry | None) -> bool:
        pointer = BoundaryPointer(version=number, updated_at=datetime.now(UTC)).model_dump_json().encode()
        try:
            if seen is None:
                await self._bucket.create(CURRENT_KEY, pointer)
            else:
                await self._bucket.update(CURRENT_KEY, pointer, last=seen.revision)
        except KeyWrongLastSequenceError:
            return False
        return True

    async def _pointer_entry(self) -> KeyValue.Entry | None:
        try:
            return await self._bucket.get(CURRENT_KEY)
        except KeyNotFoundError:
            return None

    async def _pointer(self) -> BoundaryPointer | None:
        entry = await self._pointer_entry()
        return BoundaryPointer.model_validate_json(entry.value or b"{}") if entry is not None else None
