"""The coordination centre's desk, as data: which lists it shows, the search each one is, and what a row shows of
its case's view. Pure, apart from `read_desk`, which asks the API.

Each list is a `GET /v1/cases` search (the records), oldest first: what waits longest comes first. The pending
extension requests are `extension_pending=true` (added to the API for the desk: the records keep a request only in
the case's view, and a partial index holds the cases with one pending). The rows that need more than the records'
columns (the router's guess of a triage case, an arbitration's deadline, an extension's days and reason) read their
case's view (`GET /v1/cases/{id}`, a query of the case's workflow) concurrently, at most `DESK_ROWS` a list.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from services.console.api_client import ApiRefused, StaffApi

DESK_ROWS = 20
OPEN_STATUSES = ("received", "triage", "assigned", "accepted", "arbitration", "rework")


@dataclass(frozen=True)
class DeskList:
    key: str
    title: str
    params: dict[str, Any]
    with_views: bool = False
    empty: str = "暂无"

    @property
    def search_link(self) -> str:
        """The whole list on the search page (the desk shows its first `DESK_ROWS`)."""
        return "/search?" + urlencode(self.params, doseq=True)


DESK: tuple[DeskList, ...] = (
    DeskList(
        "triage", "待分拨", {"status": ["triage"], "sort": "received_at"}, with_views=True, empty="暂无待分拨工单"
    ),
    DeskList(
        "arbitration",
        "争议待仲裁",
        {"status": ["arbitration"], "sort": "received_at"},
        with_views=True,
        empty="暂无待仲裁工单",
    ),
    DeskList(
        "extensions",
        "延期待审批",
        {"extension_pending": "true", "sort": "received_at"},
        with_views=True,
        empty="暂无待审批的延期申请",
    ),
    DeskList(
        "escalations",
        "升级督办",
        {"escalation_level_min": 1, "status": list(OPEN_STATUSES), "sort": "received_at"},
        empty="暂无升级中的工单",
    ),
    DeskList("visits", "待回访评价", {"status": ["resolved"], "sort": "received_at"}, empty="暂无待回访工单"),
)


@dataclass(frozen=True)
class Guess:
    """The router's best guess for a case waiting for triage, and the next best."""

    item: str | None
    confidence: str
    runner_up: str | None
    runner_up_confidence: str
    reason: str


def percent(value: object) -> str:
    return f"{float(value) * 100:.0f}%" if isinstance(value, int | float) else "—"


def guess(view: dict[str, Any] | None) -> Guess | None:
    """What the router made of a case it could not place (None: no routing in the view)."""
    routing = (view or {}).get("routing")
    if not isinstance(routing, dict):
        return None
    return Guess(
        item=routing.get("item"),
        confidence=percent(routing.get("confidence")),
        runner_up=routing.get("runner_up"),
        runner_up_confidence=percent(routing.get("runner_up_confidence")),
        reason=str(routing.get("reason") or ""),
    )


def pending_extension(view: dict[str, Any] | None) -> dict[str, Any] | None:
    """The extension request awaiting the centre's decision (the newest, were there several)."""
    pending = [e for e in (view or {}).get("extensions", []) if isinstance(e, dict) and e.get("status") == "pending"]
    return pending[-1] if pending else None


def deadline(view: dict[str, Any] | None, kind: str) -> str | None:
    """A deadline's current due time (ISO 8601) from a view, None when it has none."""
    due = ((view or {}).get("deadlines") or {}).get(kind)
    return str(due) if due else None


def count_label(rows: int, more: bool) -> str:
    """How many a list holds, as its tab says it: `20+` when the API has another page."""
    return f"{rows}+" if more else str(rows)


@dataclass(frozen=True)
class DeskSection:
    kind: DeskList
    rows: list[dict[str, Any]]
    more: bool

    @property
    def count(self) -> str:
        return count_label(len(self.rows), self.more)


async def read_desk(api: StaffApi) -> list[DeskSection]:
    """Every list of the desk (each `DESK_ROWS` at most), their rows with their views where a list needs them."""
    pages = await asyncio.gather(*(api.get("/v1/cases", limit=DESK_ROWS, **d.params) for d in DESK))
    wanted = {row["case_id"] for d, p in zip(DESK, pages, strict=True) if d.with_views for row in p["items"]}
    views = dict(zip(wanted, await asyncio.gather(*(_view(api, case_id) for case_id in wanted)), strict=True))
    sections = []
    for desk_list, found in zip(DESK, pages, strict=True):
        rows = [dict(row, view=views.get(row["case_id"])) for row in found["items"]]
        sections.append(DeskSection(desk_list, rows, more=found.get("next_cursor") is not None))
    return sections


async def _view(api: StaffApi, case_id: str) -> dict[str, Any] | None:
    try:
        view: dict[str, Any] = await api.get(f"/v1/cases/{case_id}")
    except ApiRefused as refused:
        if refused.status == 401:
            raise
        return None  # the row still shows what the records say; its case page says why the view is missing
    return view
