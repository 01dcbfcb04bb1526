"""The coordination centre's (基层赋能中心) pages: the desk with its live lists, and the centre's other pages
(the case search, catalog changes, classes of cases and special rectifications), each in a module of its own."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console import centre_desk
from services.console.pages import catalog_change_pages, class_pages, search_pages
from services.console.rendering import page
from services.console.session import SignedIn, require_role
from services.console.staff import Staff
from services.contracts.credentials import ClientKind

router = APIRouter()
router.include_router(search_pages.router)
router.include_router(catalog_change_pages.router)
router.include_router(class_pages.router)


async def _desk(request: Request, staff: Staff) -> dict[str, Any]:
    require_role(staff, ClientKind.COORDINATION)
    sections = await centre_desk.read_desk(request.app.state.api.acting_for(staff))
    return {
        "staff": staff,
        "sections": sections,
    }


@router.get("/centre")
async def desk(request: Request, staff: SignedIn) -> Response:
    """The desk: what waits for the centre (triage, arbitration, extensions, escalations, return visits)."""
    return page(request, "centre.html", title="中心工作台", **await _desk(request, staff))


@router.get("/centre/rows")
async def desk_rows(request: Request, staff: SignedIn) -> Response:
    """The desk's lists alone: the page asks for them every `refresh_seconds` (htmx), so new work appears."""
    return page(request, "centre_rows.html", **await _desk(request, staff))
