"""What a bulletin says of a rectification: as it stood at the end of the bulletin's period, whenever it is run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.assessment.classes.report_rows import as_of
from services.contracts.assessment_periods import PeriodKind, period_containing
from services.contracts.rectifications import LinkedCase, ProgressEntry, RectificationStatus, RectificationView

OPENED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # a Tuesday
WEEK = period_containing(PeriodKind.WEEK, OPENED)
NEXT_WEEK = period_containing(PeriodKind.WEEK, OPENED + timedelta(days=7))


def closed_in_the_second_week() -> RectificationView:
    return RectificationView(
        rectification_id="r1",
        class_id="c",
        title="集镇占道经营专项整治",
        lead_unit="law-enforcement",
        participants=["shiqiao-town"],
        status=RectificationStatus.CLOSED,
        deadline=OPENED + timedelta(days=30),
        overdue=False,
        opened_at=OPENED,
        opened_by="coordination-centre",
        closed_at=OPENED + timedelta(days=8),
        closed_by="coordination-centre",
        result="基本清零",
        cases=[
            LinkedCase(case_id="a", linked_at=OPENED),
            LinkedCase(case_id="b", linked_at=OPENED + timedelta(days=4), closed=True),
            LinkedCase(case_id="c", linked_at=OPENED + timedelta(days=7)),
        ],
        progress=[
            ProgressEntry(at=OPENED + timedelta(days=2), unit="law-enforcement", text="第一周"),
            ProgressEntry(at=OPENED + timedelta(days=7), unit="law-enforcement", text="第二周"),
        ],
    )


def test_a_rectification_closed_after_the_period_is_reported_open_as_it_then_was() -> None:
    first = as_of(closed_in_the_second_week(), WEEK)

    assert (first.status, first.closed_at, first.result) == ("open", None, "")
    assert (first.case_count, first.open_case_count, first.last_progress) == (2, 1, "第一周")


def test_in_the_period_it_closed_it_is_reported_closed_with_its_result() -> None:
    second = as_of(closed_in_the_second_week(), NEXT_WEEK)

    assert (second.status, second.result, second.case_count, second.last_progress) == (
        "closed",
        "基本清零",
        3,
        "第二周",
    )
    assert second.closed_at == OPENED + timedelta(days=8)
