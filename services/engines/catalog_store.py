"""The responsibility catalog kept in NATS KV: immutable numbered versions, a `current` pointer, hot reload.

Every service that routes or checks against the catalog holds a `CatalogStore`: it reads the current version at
start (the first service to start stores the shipped sample district as version 1) and follows `current`, so an
imported or approved version takes effect without a restart.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import structlog
from nats.aio.client import Client as NATS
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from pydantic import ValidationError

from services.contracts.catalog import ResponsibilityCatalog, load_catalog
from services.contracts.catalog_versions import CatalogVersion, version_key
from services.contracts.subjects import CATALOG_UPDATED_SUBJECT
from services.engines.version_pointer import VersionPointer, pointed_at

log = structlog.get_logger(__name__)

MAX_PUBLISH_ATTEMPTS = 20


class CatalogMoved(Exception):
    """Another version became current after the one a change was made to (`publish(based_on=...)`)."""

    def __init__(self, based_on: int, current: int | None) -> None:
        super().__init__(f"catalog version {current} is current, not {based_on}")
        self.based_on = based_on
        self.current = current


class CatalogStore:
    def __init__(self, bucket: KeyValue, nc: NATS) -> None:
        self._bucket = bucket
        self._pointer = VersionPointer(bucket)
        self._nc = nc
        self._current: CatalogVersion | None = None

    def current(self) -> ResponsibilityCatalog:
        """The catalog in force now (call `start` first)."""
        assert self._current is not None, "CatalogStore.start() loads the current version"
        return self._current.catalog

    def current_version(self) -> CatalogVersion:
        assert self._current is not None, "CatalogStore.start() loads the current version"
        return self._current

    async def start(self) -> ResponsibilityCatalog:
        """Load the current version; store the shipped default as version 1 if the bucket is empty."""
        in_force = await self._pointer.current()
        if in_force is None:
            in_force = (
                await self.publish(load_catalog(), source="import", note="shipped sample district", only_if_empty=True)
            ).version
        self._current = await self.version(in_force)
        return self.current()

    async def load_current(self) -> CatalogVersion:
        """Read the `current` pointer now (not as last watched) and return that version."""
        in_force = await self._pointer.current()
        if in_force is None:
            await self.start()
        else:
            await self._switch_to(in_force)
        return self.current_version()

    async def find_source(self, source: str, *, after: int = 0) -> CatalogVersion | None:
        """The newest stored version numbered above `after` whose `source` is `source`, if any."""
        for number in reversed(await self.versions()):
            if number <= after:
                break
            stored = await self.version(number)
            if stored.source == source:
                return stored
        return None

    async def version(self, number: int) -> CatalogVersion:
        entry = await self._bucket.get(version_key(number))
        return CatalogVersion.model_validate_json(entry.value or b"{}")

    async def versions(self) -> list[int]:
        return await self._pointer.versions()

    async def publish(
        self,
        catalog: ResponsibilityCatalog,
        *,
        source: str,
        note: str = "",
        only_if_empty: bool = False,
        based_on: int | None = None,
    ) -> CatalogVersion:
        """Store `catalog` as the next version and make it current (safe against concurrent publishers).

        With `based_on`, `catalog` was made from that version: if another one is current by now, nothing is
        published and `CatalogMoved` is raised, so the change is made again to the version in force.
        """
        for _attempt in range(MAX_PUBLISH_ATTEMPTS):
            pointer_entry = await self._pointer.entry()
            in_force = pointed_at(pointer_entry)
            if in_force is not None and only_if_empty:
                return await self.version(in_force)
            if based_on is not None and in_force != based_on:
                raise CatalogMoved(based_on, in_force)
            latest = max(await self.versions(), default=0)
            stored = CatalogVersion(
                version=latest + 1,
                created_at=datetime.now(UTC),
                source=source,
                note=note,
                catalog=catalog.model_copy(update={"version": str(latest + 1)}),
            )
            try:
                # Create-only: two publishers never write the same version number.
                await self._bucket.create(version_key(stored.version), stored.model_dump_json().encode())
            except KeyWrongLastSequenceError:
                continue
            if await self._pointer.move(stored.version, pointer_entry):
                await self._nc.publish(CATALOG_UPDATED_SUBJECT, json.dumps({"version": stored.version}).encode())
                log.info("catalog.published", version=stored.version, source=source, digest=catalog.digest)
                return stored
            if based_on is not None:
                # It never became current: withdraw it, so that nothing takes it for a version that was in force.
                await self._bucket.delete(version_key(stored.version))
                raise CatalogMoved(based_on, None)
        raise RuntimeError("could not publish a catalog version: too many concurrent publishers")

    async def import_catalog(self, catalog: ResponsibilityCatalog, *, note: str) -> CatalogVersion | None:
        """Store a city's imported tables as the next version, or None when the version in force has this content."""
        current = await self.load_current()
        if current.catalog.digest == catalog.digest:
            return None
        return await self.publish(catalog, source="import", note=note)

    async def watch(self, *, stop: asyncio.Event) -> None:
        """Follow the `current` pointer until `stop`: a new version replaces the one in force."""
        async for number in self._pointer.follow(stop=stop):
            await self._switch_to(number)

    async def _switch_to(self, number: int) -> None:
        if self._current is not None and self._current.version == number:
            return
        try:
            self._current = await self.version(number)
        except (KeyNotFoundError, ValidationError) as exc:
            log.error("catalog.unreadable_version", version=number, error=repr(exc))
            return
        log.info("catalog.reloaded", version=number, items=len(self._current.catalog.items))
