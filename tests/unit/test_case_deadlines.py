"""Deadline rules: feedback after 3 days, resolution after 7 (complex cases: 30)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.workflows.case_deadlines import deadlines_for

RECEIVED = datetime(2026, 11, 22, 9, 15, tzinfo=UTC)


def test_normal_case_gets_feedback_in_3_days_and_resolution_in_7() -> None:
    deadlines = deadlines_for(RECEIVED, complexity="normal")

    assert deadlines.feedback == datetime(2026, 11, 25, 9, 15, tzinfo=UTC)
    assert deadlines.resolution == datetime(2026, 11, 29, 9, 15, tzinfo=UTC)


def test_complex_case_gets_30_days_to_resolve_but_the_same_feedback_deadline() -> None:
    deadlines = deadlines_for(RECEIVED, complexity="complex")

    assert deadlines.feedback == RECEIVED + timedelta(days=3)
    assert deadlines.resolution == datetime(2026, 12, 22, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize("complexity", ["", "unknown", "COMPLEX"])
def test_unknown_complexity_is_treated_as_normal(complexity: str) -> None:
    assert deadlines_for(RECEIVED, complexity=complexity).resolution == RECEIVED + timedelta(days=7)


def test_deadlines_keep_the_time_zone_of_receipt() -> None:
    beijing = timezone(timedelta(hours=8))
    received = datetime(2026, 11, 22, 23, 30, tzinfo=beijing)

    deadlines = deadlines_for(received, complexity="normal")

    assert deadlines.resolution is not None
    assert deadlines.resolution.utcoffset() == timedelta(hours=8)
    assert deadlines.resolution.isoformat() == "2026-11-29T23:30:00+08:00"
