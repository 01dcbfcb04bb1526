"""Deadline rules of a first-contact case (pure, unit-tested; calendar days until working days land)."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.contracts.cases import Deadlines

FEEDBACK_DAYS = 3
RESOLUTION_DAYS = {"normal": 7, "complex": 30}


def deadlines_for(received_at: datetime, *, complexity: str) -> Deadlines:
    """Feedback within 3 days and resolution within 7 (complex: 30) of receipt."""
    resolution_days = RESOLUTION_DAYS.get(complexity, RESOLUTION_DAYS["normal"])
    return Deadlines(
        feedback=received_at + timedelta(days=FEEDBACK_DAYS),
        resolution=received_at + timedelta(days=resolution_days),
    )
