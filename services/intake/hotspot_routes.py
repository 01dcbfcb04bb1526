"""`GET /v1/reports/hotspots`: the classes of cases (类案) the hotspot scan found, with their cases.

Included before any `/v1/reports/{report_id}` route, so that `hotspots` is not taken for a report's id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.contracts.case_classes import HotspotPage
from services.intake.auth import Caller
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.hotspot_reads import HotspotQuery, find_classes, hotspot_scope

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=ERROR_RESPONSES)


@router.get("/hotspots")
async def list_hotspots(query: Annotated[HotspotQuery, Query()], services: Services, caller: Caller) -> HotspotPage:
    """Classes of cases, newest found first, `limit` at a time (default 20, at most 100; `next_cursor` for the
    next page), each with its cases (ids, titles, statuses; no personal data). The coordination centre and leaders
    see every class; a unit the classes in which it handles cases, and of their cases those it is or was on.
    `by=grid`: each class split by the grid its cases lie in (`place`)."""
    unit = hotspot_scope(caller)
    async with services.records.reading() as connection:
        return await find_classes(connection, query, unit=unit)
