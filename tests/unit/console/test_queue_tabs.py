"""Which of a unit's open cases each queue tab shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.console.pages.unit_pages import in_tab

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def entry(**fields: Any) -> dict[str, Any]:
    return {"status": "accepted", "role": "handling", "overdue": False, **fields}


SOON = (NOW + timedelta(hours=5)).isoformat()
LATER = (NOW + timedelta(days=4)).isoformat()


@pytest.mark.parametrize(
    ("row", "tabs"),
    [
        (entry(status="assigned", sign_for_deadline=SOON), {"all", "new", "soon"}),
        (entry(status="assigned", sign_for_deadline=LATER, resolution_deadline=SOON), {"all", "new"}),
        (entry(feedback_deadline=LATER, resolution_deadline=SOON), {"all"}),  # feedback is what is due next
        (entry(resolution_deadline=SOON), {"all", "soon"}),
        (entry(overdue=True, resolution_deadline=(NOW - timedelta(hours=1)).isoformat()), {"all", "overdue"}),
        (entry(role="joint", resolution_deadline=LATER), {"all", "joint"}),
        (entry(status="rework", resolution_deadline=LATER), {"all", "rework"}),
        (entry(), {"all"}),
    ],
)
def test_tabs(row: dict[str, Any], tabs: set[str]) -> None:
    assert {tab for tab in ("all", "new", "soon", "overdue", "joint", "rework") if in_tab(row, tab, NOW)} == tabs
