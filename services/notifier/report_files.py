"""A report's rendered files (HTML page, XLSX workbook), read from the reports object store for the email."""

from __future__ import annotations

from nats.js.errors import ObjectNotFoundError
from nats.js.object_store import ObjectStore

from services.contracts.subjects import report_object_name


class ReportFiles:
    def __init__(self, store: ObjectStore) -> None:
        self._store = store

    async def get(self, report_id: str, extension: str) -> bytes | None:
        """The file's bytes; None while it is not there (the publisher puts the files before the notices)."""
        try:
            result = await self._store.get(report_object_name(report_id, extension))
        except ObjectNotFoundError:
            return None
        return bytes(result.data or b"")
