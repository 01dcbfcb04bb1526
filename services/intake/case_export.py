"""The case export: the records a search matches, streamed as CSV or XLSX from a server-side cursor, a batch of rows
at a time (never all of them in memory). With personal data only when the coordination centre asks for it, and
then every exported case is written to the access log before the first byte leaves.

The log and the export read one snapshot of the records (`pg_export_snapshot`): the log is committed on a connection
of its own, so that a download cut short still leaves it written, and it names exactly the cases the export streams,
however the records change meanwhile.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import structlog
from pydantic import Field
from sqlalchemy import ColumnElement, Select, false, func, literal, literal_column, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from services.contracts.credentials import Principal
from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.personal_columns import COLUMNS as SEALED_COLUMNS
from services.engines.records_db.personal_columns import LOCATION_COLUMN, open_columns
from services.engines.records_db.tables import access_log, case_records
from services.engines.sealed_data import UnsealError
from services.intake.case_records import CaseRecords
from services.intake.case_search import CaseFilters, CaseOrder, matching, ordered
from services.intake.export_formats import (
    CSV_TYPE,
    PERSONAL_COLUMNS,
    PLAIN_COLUMNS,
    XLSX_TYPE,
    ExportFormat,
    XlsxSheets,
    attachment_values,
    columns,
    csv_header,
    csv_lines,
)

log = structlog.get_logger(__name__)

EXPORT_BATCH = 1000  # rows fetched from the cursor, and written, at a time
FILE_CHUNK = 256 * 1024
EXPORT_PURPOSE = "export"
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")
_record = case_records.c
# The ids of the case's attachments, from the view the record keeps (not the whole view: it carries the timeline).
_ATTACHMENT_IDS = func.jsonb_path_query_array(
    _record.view, literal_column("'$.attachments[*].attachment_id'::jsonpath"), type_=JSONB
).label("attachment_ids")


class CaseExport(CaseFilters):
    """`GET /v1/cases/export`: the search's filters, the file's format and order, and whether to open the ticket."""

    format: ExportFormat = ExportFormat.CSV
    sort: CaseOrder = CaseOrder.NEWEST
    personal: bool = Field(
        default=False,
        description="Add the description, address and the caller's name and phone (every exported case is written "
        "to the access log).",
    )


class OpenExport:
    """One export's read of the records, held open while it streams: its connection, its query, its columns."""

    def __init__(
        self, stack: AsyncExitStack, connection: AsyncConnection, query: Select[Any], *, keyring: PayloadKeyring | None
    ) -> None:
        self._stack = stack
        self._connection = connection
        self._query = query
        self._keyring = keyring  # given when the ticket is opened
        self.columns = columns(personal=keyring is not None)
        self.logged = 0  # cases written to the access log
        self.rows = 0  # rows streamed so far

    async def batches(self) -> AsyncIterator[Sequence[Any]]:
        """The rows, `EXPORT_BATCH` at a time, from a server-side cursor."""
        result = await self._connection.stream(self._query.execution_options(yield_per=EXPORT_BATCH))
        async for partition in result.partitions(EXPORT_BATCH):
            self.rows += len(partition)
            yield partition

    def values(self, rows: Sequence[Any]) -> list[list[Any]]:
        """Each row's values in the order of `columns`, the ticket opened where it is exported."""
        plain = len(PLAIN_COLUMNS)
        ticket = self._ticket if self._keyring is not None else lambda _: []
        return [
            list(row[:plain]) + ticket(row) + attachment_values(row.case_id, row.attachment_ids) + [row.place]
            for row in rows
        ]

    def _ticket(self, row: Any) -> list[Any]:
        assert self._keyring is not None
        try:
            content = open_columns(row.case_id, row, self._keyring)
        except UnsealError as exc:  # one record that cannot be opened (a key taken out too soon) stops no export
            log.warning("export.unsealable", case_id=row.case_id, error=str(exc))
            content = None
        return [getattr(content, column.source) if content else None for column in PERSONAL_COLUMNS]

    async def aclose(self) -> None:
        await self._stack.aclose()


async def open_export(
    records: CaseRecords,
    export: CaseExport,
    *,
    caller: Principal,
    keyring: PayloadKeyring,
    statement_timeout_ms: int,
) -> OpenExport:
    """Begin the export's read (503 when the records do not answer); with personal data, log every case it holds."""
    conditions = matching(export, keyring)
    chosen: list[ColumnElement[Any]] = [_record[column.source] for column in PLAIN_COLUMNS]
    chosen += [_ATTACHMENT_IDS, _record.place]
    if export.personal:
        chosen += [
            _record.personal_key_id,
            *(_record[name] for name in SEALED_COLUMNS),
            _record.caller_confidential,
            _record[LOCATION_COLUMN],
        ]
    query = ordered(select(*chosen).where(*conditions), export.sort)
    stack = AsyncExitStack()
    try:
        connection = await stack.enter_async_context(records.reading())
        await _read_one_snapshot(connection, statement_timeout_ms)
        opened = OpenExport(stack, connection, query, keyring=keyring if export.personal else None)
        if export.personal:
            snapshot = str(await connection.scalar(text("SELECT pg_export_snapshot()")))
            opened.logged = await log_export(
                records, snapshot, conditions, caller=caller, statement_timeout_ms=statement_timeout_ms
            )
            log.info("export.logged", cases=opened.logged)
        return opened
    except BaseException:
        # Through the connection's context, which turns a database that does not answer into a 503.
        await stack.__aexit__(*sys.exc_info())
        raise


async def _read_one_snapshot(connection: AsyncConnection, statement_timeout_ms: int) -> None:
    await connection.execution_options(isolation_level="REPEATABLE READ")
    await connection.begin()
    await connection.execute(text(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}"))


async def log_export(
    records: CaseRecords,
    snapshot: str,
    conditions: Sequence[ColumnElement[bool]],
    *,
    caller: Principal,
    statement_timeout_ms: int,
) -> int:
    """Write an access-log row for every case the export holds (one INSERT … SELECT under the export's snapshot);
    committed before the export streams. The number of cases logged."""
    if not _SNAPSHOT_ID.match(snapshot):
        raise ValueError(f"not a snapshot id: {snapshot!r}")
    chosen = select(
        literal(caller.client_id),
        literal(caller.kind.value),
        literal(caller.subject),
        _record.case_id,
        literal(EXPORT_PURPOSE),
        false(),
    ).where(*conditions)
    names = ["client_id", "client_kind", "subject", "case_id", "purpose", "masked"]
    async with records.reading() as connection:
        await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            await connection.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
            await connection.execute(text(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}"))
            result = await connection.execute(access_log.insert().from_select(names, chosen))
    return int(result.rowcount)


async def csv_body(export: OpenExport) -> AsyncGenerator[bytes, None]:
    """UTF-8 with a byte order mark (so Excel reads the Chinese right), the header line, then a chunk a batch."""
    yield csv_header(export.columns)
    async for rows in export.batches():
        yield await asyncio.to_thread(_csv_chunk, export, rows)


def _csv_chunk(export: OpenExport, rows: Sequence[Any]) -> bytes:
    return csv_lines(export.columns, export.values(rows)).encode()


async def xlsx_body(export: OpenExport) -> AsyncGenerator[bytes, None]:
    """The workbook, written to a temporary file a batch at a time, then streamed from it (and removed)."""
    with tempfile.TemporaryDirectory(prefix="hotline-export-") as directory:
        path = Path(directory) / "cases.xlsx"
        sheets = await asyncio.to_thread(XlsxSheets, path, export.columns)
        async for rows in export.batches():
            await asyncio.to_thread(_write_sheet, sheets, export, rows)
        await asyncio.to_thread(sheets.close)
        await export.aclose()  # the records are read: the connection goes back to the pool before the download
        with path.open("rb") as workbook:
            while chunk := await asyncio.to_thread(workbook.read, FILE_CHUNK):
                yield chunk


def _write_sheet(sheets: XlsxSheets, export: OpenExport, rows: Sequence[Any]) -> None:
    sheets.write(export.values(rows))


MEDIA_TYPES = {ExportFormat.CSV: CSV_TYPE, ExportFormat.XLSX: XLSX_TYPE}


class ExportResponse(StreamingResponse):
    """A streamed export that gives its read of the records back however the response ends (done, cut short by
    the client, failed)."""

    def __init__(self, export: OpenExport, file_format: ExportFormat, *, filename: str) -> None:
        body = csv_body(export) if file_format is ExportFormat.CSV else xlsx_body(export)
        disposition = f'attachment; filename="{filename}.{file_format.value}"'
        super().__init__(body, media_type=MEDIA_TYPES[file_format], headers={"Content-Disposition": disposition})
        self._export = export
        self._body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._body.aclose()
            await self._export.aclose()
