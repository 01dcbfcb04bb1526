"""`/v1/admin/access-log`: who read callers' contacts, newest first (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.contracts.access_log import AccessLogPage
from services.contracts.credentials import ClientKind
from services.contracts.problem_codes import ProblemCode
from services.contracts.tickets import CODE_PATTERN
from services.intake.access_log import AccessLogFilter, BadCursor, decode_cursor
from services.intake.auth import Caller, require_kind
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import UnprocessableInput

router = APIRouter(prefix="/v1/admin/access-log", tags=["admin"], responses=ERROR_RESPONSES)

CASE_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MAX_PAGE = 1000


@router.get("")
async def read_access_log(
    services: Services,
    caller: Caller,
    case_id: Annotated[str | None, Query(pattern=CASE_ID_PATTERN, description="One case's reads.")] = None,
    client_id: Annotated[str | None, Query(pattern=CODE_PATTERN, description="One client's reads.")] = None,
    since: Annotated[AwareDatetime | None, Query(alias="from", description="From this time on (inclusive).")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to", description="Before this time (exclusive).")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: Annotated[str | None, Query(max_length=64, description="`next_cursor` of the previous page.")] = None,
) -> AccessLogPage:
    """Every read that revealed a caller's name or phone, newest first, a page at a time."""
    require_kind(caller, ClientKind.ADMIN, action="read the access log")
    if since is not None and until is not None and until <= since:
        raise UnprocessableInput("to: must be later than from", code=ProblemCode.RANGE_INVALID)
    try:
        before_id = decode_cursor(cursor) if cursor is not None else None
    except BadCursor as exc:
        raise UnprocessableInput(f"cursor: {exc}", code=ProblemCode.CURSOR_INVALID) from None
    filters = AccessLogFilter(case_id=case_id, client_id=client_id, since=since, until=until)
    return await services.access_log.page(filters, limit=limit, before_id=before_id)
