"""`GET /v1/queue`: the open cases a unit handles or has a joint task in, from the records (no personal data)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from services.contracts.case_lists import QueueEntry
from services.contracts.credentials import ClientKind
from services.intake.auth import Caller, require_kind
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.queue_reads import QueuePage, unit_queue

router = APIRouter(prefix="/v1/queue", tags=["cases"], responses=ERROR_RESPONSES)

NEXT_PAGE_HEADERS = {
    "Link": {
        "description": 'The next page, when there is one: `<...>; rel="next"`.',
        "schema": {"type": "string"},
    },
    "X-Next-Cursor": {
        "description": "The next page's `cursor`, when there is one.",
        "schema": {"type": "string"},
    },
}


@router.get("", responses={200: {"headers": NEXT_PAGE_HEADERS, "description": "A page of the unit's queue."}})
async def my_queue(
    page: Annotated[QueuePage, Query()], request: Request, response: Response, services: Services, caller: Caller
) -> list[QueueEntry]:
    """The calling unit's open cases, as handling unit (`role: handling`) or with an open joint task (`joint`):
    overdue first, then by resolution deadline (none last), then case id. A page holds `limit` cases (default 100,
    at most 500); the next is in the `Link` header (`rel="next"`) and its cursor in `X-Next-Cursor`."""
    require_kind(caller, ClientKind.UNIT, action="read a unit's queue")
    async with services.records.reading() as connection:
        entries, next_cursor = await unit_queue(connection, caller.subject, page)
    if next_cursor is not None:
        following = urlencode(
            {"status": [status.value for status in page.status], "limit": page.limit, "cursor": next_cursor},
            doseq=True,
        )
        response.headers["Link"] = f'<{request.url.path}?{following}>; rel="next"'
        response.headers["X-Next-Cursor"] = next_cursor
    return entries
