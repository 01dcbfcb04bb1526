"""The unit clerk's pages: the queue (with its live rows) and the unit's notification channels (its own to change)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.formats import count_shown
from services.console.pages import channel_editor
from services.console.rendering import page
from services.console.session import SignedIn, require_role
from services.contracts.credentials import ClientKind

router = APIRouter()

# The queue's tabs: what each shows of the unit's open cases (GET /v1/queue).
TABS = {
    "all": "全部",
    "new": "待签收",
    "soon": "即将到期",
    "overdue": "已超时",
    "joint": "联办任务",
    "rework": "退回重办",
}
SOON = timedelta(days=1)
# The queue lists a unit's `queue_page` most pressing open cases (overdue, then by deadline); a unit with more is
# told so, and finds the rest by the search. Its cases still to sign for come last by resolution deadline (they
# are the newest), so for such a unit they are read on their own (`GET /v1/queue?status=assigned`, over the unit's
# open cases only), up to `UNSIGNED_PAGE`.
UNSIGNED_PAGE = 100
# Who has channels of their own to change (the API: the admin, or the recipient itself).
OWN_CHANNELS = (ClientKind.UNIT, ClientKind.COORDINATION, ClientKind.LEADER)


def _next_due(entry: dict[str, Any]) -> str | None:
    """The deadline the clerk faces next: sign-for while unsigned, feedback until given, then resolution."""
    if entry.get("status") == "assigned" and entry.get("sign_for_deadline"):
        return str(entry["sign_for_deadline"])
    return entry.get("feedback_deadline") or entry.get("resolution_deadline")


def in_tab(entry: dict[str, Any], tab: str, now: datetime) -> bool:
    due = _next_due(entry)
    if tab == "new":
        return entry.get("status") == "assigned" and entry.get("role") == "handling"
    if tab == "soon":
        return bool(due) and not entry.get("overdue") and datetime.fromisoformat(str(due)) - now < SOON
    if tab == "overdue":
        return bool(entry.get("overdue"))
    if tab == "joint":
        return entry.get("role") == "joint"
    if tab == "rework":
        return entry.get("status") == "rework"
    return True


async def _queue(request: Request, staff: Any, tab: str) -> dict[str, Any]:
    api = request.app.state.api.acting_for(staff)
    answer = await api.request("GET", "/v1/queue", params={"limit": request.app.state.settings.queue_page})
    entries: list[dict[str, Any]] = answer.json()
    more = "x-next-cursor" in answer.headers
    if more:
        unsigned: list[dict[str, Any]] = await api.get("/v1/queue", status=["assigned"], limit=UNSIGNED_PAGE)
        listed = {entry["case_id"] for entry in entries}
        entries += [entry for entry in unsigned if entry["case_id"] not in listed]
    now = datetime.now(UTC)
    counts = {key: count_shown(sum(in_tab(e, key, now) for e in entries), more) for key in TABS}
    rows = [dict(e, next_due=_next_due(e)) for e in entries if in_tab(e, tab, now)]
    return {"rows": rows, "counts": counts, "tab": tab if tab in TABS else "all", "tabs": TABS, "more": more}


@router.get("/queue")
async def queue(request: Request, staff: SignedIn, tab: str = "all") -> Response:
    require_role(staff, ClientKind.UNIT)
    return page(request, "queue.html", staff=staff, title="我的工单", **await _queue(request, staff, tab))


@router.get("/queue/rows")
async def queue_rows(request: Request, staff: SignedIn, tab: str = "all") -> Response:
    """The queue's table alone: the page asks for it every `refresh_seconds` (htmx), so new cases appear."""
    require_role(staff, ClientKind.UNIT)
    return page(request, "queue_rows.html", staff=staff, **await _queue(request, staff, tab))


@router.get("/channels")
async def channels(request: Request, staff: SignedIn) -> Response:
    """Where the unit's (the centre's, a leader's) own notifications go, and the forms to change them."""
    require_role(staff, *OWN_CHANNELS)
    return await channel_editor.channels_page(request, staff, staff.subject, base="/channels")


@router.post("/channels/{channel}")
async def save_channel(request: Request, channel: str, staff: SignedIn) -> Response:
    require_role(staff, *OWN_CHANNELS)
    return await channel_editor.save_channel(request, staff, staff.subject, channel, base="/channels")


@router.post("/channels/{channel}/delete")
async def remove_channel(request: Request, channel: str, staff: SignedIn) -> Response:
    require_role(staff, *OWN_CHANNELS)
    return await channel_editor.remove_channel(request, staff, staff.subject, channel, base="/channels")
