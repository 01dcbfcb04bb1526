"""`GET /v1/cases` (finding cases) and `GET /v1/cases/export` (the centre's CSV and XLSX), from the records.

Included before `case_routes`, so that `/v1/cases/export` is not taken for the case id `export`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.contracts.case_lists import CasePage
from services.intake.auth import Caller
from services.intake.authorization import require_coordination
from services.intake.case_export import CaseExport, ExportResponse, open_export
from services.intake.case_search import CaseSearch, find_cases, visible_to, words_first
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.export_formats import CSV_TYPE, EXPORT_TZ, XLSX_TYPE

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=ERROR_RESPONSES)

EXPORT_RESPONSE = {
    "description": "The cases as a file (`Content-Disposition: attachment`), streamed: CSV (UTF-8 with a byte "
    "order mark, Chinese headers) or XLSX.",
    "content": {
        CSV_TYPE: {"schema": {"type": "string"}},
        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
    },
    "headers": {
        "Content-Disposition": {
            "description": '`attachment; filename="cases-<local time>.<format>"`',
            "schema": {"type": "string"},
        }
    },
}


@router.get("")
async def search_cases(search: Annotated[CaseSearch, Query()], services: Services, caller: Caller) -> CasePage:
    """The cases the caller may find that match every filter given, newest first (`sort=received_at`: oldest
    first), `limit` at a time (default 50, at most 200); `next_cursor` fetches the next page. A unit finds the cases
    it is or was on, a platform its own tickets, the coordination centre and leaders every case. No personal data:
    `q` searches the title, description and address without showing them."""
    scope = visible_to(caller)
    async with services.records.reading() as connection:
        return await find_cases(
            connection, search, scope=scope, keyring=services.keyring, by_words=words_first(caller, search)
        )


@router.get("/export", status_code=200, response_class=ExportResponse, responses={200: EXPORT_RESPONSE})
async def export_cases(export: Annotated[CaseExport, Query()], services: Services, caller: Caller) -> ExportResponse:
    """The coordination centre's export of the cases matching the filters (those of `GET /v1/cases`), as `csv` or
    `xlsx`, streamed. Without personal data unless `personal=true`: then every exported case is written to the
    access log before the file is sent."""
    require_coordination(caller, action="export cases")
    opened = await open_export(
        services.records,
        export,
        caller=caller,
        keyring=services.keyring,
        statement_timeout_ms=services.settings.records_export_statement_timeout_ms,
    )
    stamp = datetime.now(UTC).astimezone(EXPORT_TZ).strftime("%Y%m%d-%H%M%S")
    return ExportResponse(opened, export.format, filename=f"cases-{stamp}")
