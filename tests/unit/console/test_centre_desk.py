"""What the centre's desk shows of a case's view: the router's guess, the pending extension, a deadline, counts."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.centre_desk import DESK, Guess, count_label, deadline, guess, pending_extension

ROUTING = {
    "method": "text",
    "item": "UC-03",
    "confidence": 0.4612,
    "runner_up": "MS-04",
    "runner_up_confidence": 0.31,
    "reason": "text classification below 0.95: needs triage",
    "catalog_version": "3",
}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (None, None),
        ({"routing": None}, None),
        (
            {"routing": ROUTING},
            Guess("UC-03", "46%", "MS-04", "31%", "text classification below 0.95: needs triage"),
        ),
        ({"routing": {"method": "none", "catalog_version": "3"}}, Guess(None, "—", None, "—", "")),
    ],
)
def test_the_routers_guess(view: dict[str, Any] | None, expected: Guess | None) -> None:
    assert guess(view) == expected


def _extension(status: str, days: int) -> dict[str, Any]:
    return {"status": status, "working_days": days, "reason": "管网改造", "requested_by": "water"}


@pytest.mark.parametrize(
    ("extensions", "days"),
    [
        ([], None),
        ([_extension("approved", 5)], None),
        ([_extension("refused", 5), _extension("pending", 3)], 3),
        ([_extension("pending", 3), _extension("withdrawn", 2)], 3),
    ],
)
def test_the_extension_awaiting_a_decision(extensions: list[dict[str, Any]], days: int | None) -> None:
    found = pending_extension({"extensions": extensions})
    assert (found["working_days"] if found else None) == days


@pytest.mark.parametrize(
    ("view", "kind", "due"),
    [
        (None, "triage", None),
        ({"deadlines": {"triage": "2026-12-07T10:00:00+08:00"}}, "triage", "2026-12-07T10:00:00+08:00"),
        ({"deadlines": {"arbitration": None}}, "arbitration", None),
    ],
)
def test_a_deadline_of_the_view(view: dict[str, Any] | None, kind: str, due: str | None) -> None:
    assert deadline(view, kind) == due


@pytest.mark.parametrize(("rows", "more", "shown"), [(0, False, "0"), (7, False, "7"), (20, True, "20+")])
def test_a_lists_count(rows: int, more: bool, shown: str) -> None:
    assert count_label(rows, more) == shown


def test_each_list_links_to_the_whole_of_it_on_the_search_page() -> None:
    links = {d.key: d.search_link for d in DESK}
    assert links["triage"] == "/search?status=triage&sort=received_at"
    assert links["extensions"] == "/search?extension_pending=true&sort=received_at"
    assert links["escalations"].startswith("/search?escalation_level_min=1&status=received&status=triage")
