"""The case search (`/search`) over the records, for units, the centre and leaders (the API scopes what each
finds), and the centre's CSV and XLSX export of what it finds.

`/search` takes exactly the query parameters of `GET /v1/cases` (case_filters.py), so other pages link to it with
a filter (`/search?unit=water&overdue=true`, the leader dashboard's drill-downs) and its own links carry it on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from services.console.api_client import ApiRefused
from services.console.case_filters import LABELS, SORTS, FilterError, Search, query_pairs, read_search
from services.console.formats import CHANNEL_LABELS, ESCALATION_LABELS, STATUS_LABELS
from services.console.rendering import page
from services.console.session import SignedIn, require_role
from services.console.staff import Staff
from services.contracts.credentials import ClientKind

router = APIRouter()

EXPORT_FORMATS = ("csv", "xlsx")
PASSED_HEADERS = ("content-type", "content-disposition")


def _read(request: Request) -> Search:
    return read_search(request.query_params, request.query_params.getlist("status"))


def _form_context(request: Request, staff: Staff, search: Search | None) -> dict[str, Any]:
    pairs = list(request.query_params.multi_items())
    unpaged = query_pairs(pairs, cursor=None)
    if search is None:  # the filters did not parse: show them as they were typed
        raw = {name: value for name, value in pairs if name != "status"}
        search = Search(form=raw, statuses=tuple(request.query_params.getlist("status")))
    return {
        "staff": staff,
        "title": "工单查询",
        "search": search,
        "labels": LABELS,
        "statuses": STATUS_LABELS,
        "channels": CHANNEL_LABELS,
        "levels": ESCALATION_LABELS,
        "sorts": SORTS,
        "centre": staff.kind is ClientKind.COORDINATION,
        "export_query": urlencode(unpaged),
        "first_page": "/search?" + urlencode(unpaged),
    }


@router.get("/search")
async def search_cases(request: Request, staff: SignedIn) -> Response:
    """The filters' form and one page of what the API finds for this person, newest first by default."""
    require_role(staff, ClientKind.UNIT, ClientKind.COORDINATION, ClientKind.LEADER)
    try:
        search = _read(request)
    except FilterError as error:
        return page(request, "search.html", 422, error=str(error), found=None, **_form_context(request, staff, None))
    context = _form_context(request, staff, search)
    try:
        found = await request.app.state.api.acting_for(staff).get("/v1/cases", **search.params)
    except ApiRefused as refused:
        if refused.status != 422:
            raise
        return page(request, "search.html", 422, error=f"查询条件有误：{refused.detail}", found=None, **context)
    next_page = None
    if found.get("next_cursor"):
        pairs = list(request.query_params.multi_items())
        next_page = "/search?" + urlencode(query_pairs(pairs, cursor=found["next_cursor"]))
    return page(request, "search.html", error=None, found=found, next_page=next_page, **context)


@router.get("/search/export")
async def export_cases(request: Request, staff: SignedIn, format: str = "csv") -> Response:
    """The centre's export of the search's cases (all of them, not a page), passed on from `GET /v1/cases/export`
    as it streams."""
    require_role(staff, ClientKind.COORDINATION)
    if format not in EXPORT_FORMATS:
        return page(request, "error.html", 422, staff=staff, title="输入有误", reason="导出格式：应为 csv 或 xlsx")
    try:
        search = _read(request)
    except FilterError as error:
        return page(request, "error.html", 422, staff=staff, title="输入有误", reason=str(error))
    params = {name: value for name, value in search.params.items() if name not in ("limit", "cursor")}
    stack = AsyncExitStack()
    # Opened before the response starts, so that a refusal is still an error page and not a broken download.
    exported = await stack.enter_async_context(
        request.app.state.api.acting_for(staff).stream("/v1/cases/export", {**params, "format": format})
    )
    headers = {name: exported.headers[name] for name in PASSED_HEADERS if name in exported.headers}

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in exported.aiter_bytes():
                yield chunk
        finally:
            await stack.aclose()

    return StreamingResponse(chunks(), headers=headers)
