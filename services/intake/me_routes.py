"""`GET /v1/me`: who the API takes the caller for (a console checks a development key with it at sign-in)."""

from __future__ import annotations

from fastapi import APIRouter

from services.contracts.credentials import CallerView
from services.intake.auth import Caller
from services.intake.error_handlers import ERROR_RESPONSES

router = APIRouter(prefix="/v1/me", tags=["auth"], responses=ERROR_RESPONSES)


@router.get("")
async def who_am_i(caller: Caller) -> CallerView:
    """The caller's client, kind and subject (and, through a console, the person it acts for)."""
    return CallerView(client_id=caller.client_id, kind=caller.kind, subject=caller.subject, person=caller.person)
