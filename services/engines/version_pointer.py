"""The `current` pointer of a bucket of numbered versions (the catalog, the district's boundaries): read it, list the
versions, move it only from the entry last seen (of two publishers racing, one wins), follow it as it moves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from services.contracts.version_pointer import CURRENT_KEY, VERSION_KEYS, CurrentPointer
from services.engines.jetstream import kv_keys, kv_updates


def pointed_at(entry: KeyValue.Entry | None) -> int | None:
    """The version number a `current` pointer entry names (None: no pointer yet)."""
    return CurrentPointer.model_validate_json(entry.value or b"{}").version if entry is not None else None


class VersionPointer:
    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket

    async def entry(self) -> KeyValue.Entry | None:
        """The pointer's entry as it is now (None: no version stored yet); `move` takes it as the one last seen."""
        try:
            return await self._bucket.get(CURRENT_KEY)
        except KeyNotFoundError:
            return None

    async def current(self) -> int | None:
        """The number of the version in force (None: no version stored yet)."""
        return pointed_at(await self.entry())

    async def versions(self) -> list[int]:
        """Every stored version's number, in order."""
        return sorted(int(key.split(".", 1)[1]) for key in await kv_keys(self._bucket, VERSION_KEYS))

    async def move(self, number: int, seen: KeyValue.Entry | None) -> bool:
        """Point at `number` if the pointer is still `seen`; False when another publisher moved it meanwhile."""
        pointer = CurrentPointer(version=number, updated_at=datetime.now(UTC)).model_dump_json().encode()
        try:
            if seen is None:
                await self._bucket.create(CURRENT_KEY, pointer)
            else:
                await self._bucket.update(CURRENT_KEY, pointer, last=seen.revision)
        except KeyWrongLastSequenceError:
            return False
        return True

    async def follow(self, *, stop: asyncio.Event) -> AsyncIterator[int]:
        """The number the pointer names, each time it moves, until `stop`."""
        async for entry in kv_updates(self._bucket, stop=stop, key=CURRENT_KEY):
            if entry is not None and entry.value:
                yield CurrentPointer.model_validate_json(entry.value).version
