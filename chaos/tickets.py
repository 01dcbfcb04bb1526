"""The tickets the fault suite sends: a few catalog items with known units, and urgent deadline probes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.support.tickets import ticket_body


@dataclass(frozen=True)
class TicketKind:
    """A catalog item the router places by its code alone, and the unit whose receiver must hear of it."""

    item: str
    township: str
    unit: str
    title: str


# Explicit catalog items, so every ticket is routed straight to a unit (no triage) and its receiver is known.
KINDS = (
    TicketKind("LS-06", "hekou-town", "water", "小区停水两天无人处理"),
    TicketKind("EM-03", "qingshan-town", "fire-rescue", "楼道里电动车违规充电"),
    TicketKind("LS-07", "hekou-town", "transport", "公交车长期不按时发车"),
    TicketKind("LS-08", "qingshan-town", "public-security", "身份证办理进度无人答复"),
)
UNITS = tuple(sorted({kind.unit for kind in KINDS}))
# Urgent windows apply only to items that allow them (LS-06 does): the probe's sign-for window is the short one.
PROBE_KIND = KINDS[0]


@dataclass(frozen=True)
class PlannedTicket:
    """A ticket body and the unit it must reach."""

    body: dict[str, Any]
    unit: str
    probe: bool = False
    resend: bool = False

    @property
    def external_id(self) -> str:
        return str(self.body["external_id"])


def steady_tickets(run: str, *, resend_every: int = 10) -> Iterator[PlannedTicket]:
    """Normal tickets, cycling over the kinds; external ids are unique per run.

    Every `resend_every`-th ticket is sent again once accepted, as a platform that missed the answer would.
    """
    for index, kind in zip(itertools.count(), itertools.cycle(KINDS), strict=False):
        body = ticket_body(
            external_id=f"chaos-{run}-{index}", category_code=kind.item, township=kind.township, title=kind.title
        )
        yield PlannedTicket(body, kind.unit, resend=resend_every > 0 and index % resend_every == 0)


def deadline_probe(run: str, index: int) -> PlannedTicket:
    """An urgent ticket: under the suite's policy its sign-for deadline falls due seconds after it is received."""
    kind = PROBE_KIND
    body = ticket_body(
        external_id=f"chaos-{run}-probe-{index}",
        category_code=kind.item,
        township=kind.township,
        title=kind.title,
        urgency="urgent",
    )
    return PlannedTicket(body, kind.unit, probe=True)
