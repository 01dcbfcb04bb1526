"""The coordination centre's desk, as data: which lists it shows and the search each one is. Pure, apart from
`read_desk`, which asks the API.

Each list is a `GET /v1/cases` search (the records), oldest first: what waits longest comes first. The pending
extension requests are `extension_pending=true` (the records keep a request only in the case's view; a partial
index holds the cases with one pending). What a row shows beyond the records' columns (the router's guess of a
triage case with its confidence and runner-up, an arbitration's deadline and transfers, an extension's days and
reason) comes with the search's summaries, read from the records' copy of each view for the page's rows: one desk
is five searches, whatever it holds, not a query of each case's workflow.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from services.console.api_client import StaffApi
from services.console.formats import count_shown

DESK_ROWS = 20
OPEN_STATUSES = ("received", "triage", "assigned", "accepted", "arbitration", "rework")


@dataclass(frozen=True)
class DeskList:
    key: str
    title: str
    params: dict[str, Any]
    empty: str = "暂无"

    @property
    def search_link(self) -> str:
        """The whole list on the search page (the desk shows its first `DESK_ROWS`)."""
        return "/search?" + urlencode(self.params, doseq=True)


DESK: tuple[DeskList, ...] = (
    DeskList("triage", "待分拨", {"status": ["triage"], "sort": "received_at"}, empty="暂无待分拨工单"),
    DeskList(
        "arbitration",
        "争议待仲裁",
        {"status": ["arbitration"], "sort": "received_at"},
        empty="暂无待仲裁工单",
    ),
    DeskList(
        "extensions",
        "延期待审批",
        {"extension_pending": "true", "sort": "received_at"},
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
class DeskSection:
    kind: DeskList
    rows: list[dict[str, Any]]
    more: bool

    @property
    def count(self) -> str:
        return count_shown(len(self.rows), self.more)


async def read_desk(api: StaffApi) -> list[DeskSection]:
    """Every list of the desk, `DESK_ROWS` at most each."""
    pages = await asyncio.gather(*(api.get("/v1/cases", limit=DESK_ROWS, **d.params) for d in DESK))
    return [
        DeskSection(desk_list, found["items"], more=found.get("next_cursor") is not None)
        for desk_list, found in zip(DESK, pages, strict=True)
    ]
