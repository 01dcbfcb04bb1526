"""The `catalog_changes` KV bucket: one record per catalog change (key: its change id), as its workflow last saw it."""

from __future__ import annotations

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from pydantic import ValidationError

from services.contracts.catalog_changes import CatalogChangeView
from services.engines.jetstream import kv_entries

MAX_SAVE_ATTEMPTS = 10


class CatalogChangeRecords:
    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket

    async def save(self, view: CatalogChangeView) -> bool:
        """Store `view` unless the record already holds this revision or a later one; whether it was stored.

        A retried activity may arrive after a later state was saved: the record never goes back.
        """
        data = view.model_dump_json().encode()
        for _attempt in range(MAX_SAVE_ATTEMPTS):
            try:
                entry = await self._bucket.get(view.change_id)
            except KeyNotFoundError:
                entry = None
            try:
                if entry is None:
                    await self._bucket.create(view.change_id, data)
                    return True
                stored = _parse(entry.value)
                if stored is not None and stored.revision >= view.revision:
                    return False
                await self._bucket.update(view.change_id, data, last=entry.revision)
                return True
            except KeyWrongLastSequenceError:
                continue
        raise RuntimeError(f"could not save catalog change {view.change_id}: too many concurrent writers")

    async def get(self, change_id: str) -> CatalogChangeView | None:
        try:
            entry = await self._bucket.get(change_id)
        except KeyNotFoundError:
            return None
        return _parse(entry.value)

    async def all(self) -> list[CatalogChangeView]:
        """Every recorded change, newest application first."""
        changes = [change for entry in await kv_entries(self._bucket) if (change := _parse(entry.value)) is not None]
        return sorted(changes, key=lambda change: (change.submitted_at, change.change_id), reverse=True)


def _parse(value: bytes | None) -> CatalogChangeView | None:
    try:
        return CatalogChangeView.model_validate_json(value or b"{}")
    except ValidationError:
        return None
