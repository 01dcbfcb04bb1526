"""Small typed builders for the unit tests: a valid ticket, with only what a test cares about overridden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.contracts.tickets import Ticket


def ticket_fields(**overrides: Any) -> dict[str, Any]:
    """The fields of a valid ticket as a platform would send them (JSON-like), with overrides applied."""
    fields: dict[str, Any] = {
        "channel": "12345",
        "external_id": "12345-20261122-000187",
        "title": "小区停水两天无人处理",
        "description": "幸福家园小区从前天早上开始停水，至今没有恢复供水。",
        "reported_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
    }
    fields.update(overrides)
    return fields


def make_ticket(**overrides: Any) -> Ticket:
    """A validated ticket; pass `category_code=`, `township=` and so on to shape it."""
    return Ticket.model_validate(ticket_fields(**overrides))
