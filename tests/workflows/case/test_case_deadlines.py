"""Deadlines as a case counts them: working days on the official calendar, urgent windows and utility outages in
hours, provisional deadlines over a year with no holiday schedule yet, and the policy version a case keeps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from services.contracts import search_attributes as sa
from services.contracts.case_actions import FeedbackReport, RatingSubmission, UnitAction
from services.contracts.case_policy import ItemPolicy, Window, WindowOverrides, load_policy
from services.contracts.case_view import CaseView, DeadlineKind, RatingLevel
from services.contracts.case_workflow import CaseSignal, CaseUpdate
from services.contracts.events import EventKind
from services.contracts.holiday_schedule import HolidaySchedule
from services.workflows.calendar.working_calendar import CHINA_TZ, WorkingCalendar
from tests.workflows.harness import CaseHandle, Cases, actions, eventually

# Not the State Council's 2027 notice (not published when this was written): a made-up schedule for the test only.
TEST_FIXTURE_2027 = HolidaySchedule(
    year=2027,
    source="TEST FIXTURE — invented for tests, not an official schedule",
    holidays=[date(2027, 1, 1)],
    workdays=[],
)


def end_of_day(day: date) -> datetime:
    """23:59:59 China time on `day`: when a working-day deadline falls."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    ("item", "complexity", "resolution_day"),
    [
        ("NR-03", "normal", date(2025, 10, 16)),  # 7 working days
        ("NR-01", "complex", date(2025, 11, 18)),  # 30 working days
    ],
)
async def test_deadlines_skip_the_national_day_holiday_and_count_the_make_up_saturday(
    cases: Cases, item: str, complexity: str, resolution_day: date
) -> None:
    # The day before the 2025 National Day break (1–8 October off, Saturday 11 October worked). The deadlines lie
    # in the test server's past, so they are read right after the start, without moving the clock.
    received = datetime(2025, 9, 30, 10, 0, tzinfo=CHINA_TZ)
    case = await cases.start(cases.new_case(received, unit="natural-resources", item=item, complexity=complexity))

    deadlines = (await case.state()).deadlines

    assert deadlines.sign_for == deadlines.transfer == end_of_day(date(2025, 10, 9))
    assert deadlines.feedback == end_of_day(date(2025, 10, 11))
    assert deadlines.resolution == end_of_day(resolution_day)
    assert deadlines.provisional is False


async def test_urgent_case_counts_hours_reminds_at_three_quarters_and_breaches_after_two_hours(cases: Cases) -> None:
    case = await cases.start(unit="water", item="LS-06", urgent=True)
    received = case.case.received_at
    view = await case.state()
    assert view.urgency == "urgent"
    assert view.deadlines.sign_for == view.deadlines.feedback == received + timedelta(hours=2)
    assert view.deadlines.resolution == received + timedelta(hours=24)
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    feedback = (await case.internal_state()).tracked(DeadlineKind.FEEDBACK)
    assert feedback is not None
    three_quarters = received + timedelta(hours=1, minutes=30)
    # Plus 09:00 China time when a working morning falls inside the two hours.
    assert feedback.reminders == cases.sources.calendar.reminder_times(received, received + timedelta(hours=2))
    assert three_quarters in feedback.reminders

    await cases.sleep_until(three_quarters + timedelta(minutes=1))
    reminders = [e for e in cases.published.of_kind(EventKind.REMINDER) if e.deadline_kind == "feedback"]
    sent_by_now = [moment for moment in feedback.reminders if moment <= three_quarters]
    assert [(e.unit, e.due) for e in reminders] == [("water", received + timedelta(hours=2))] * len(sent_by_now)
    assert cases.published.of_kind(EventKind.DEADLINE_BREACHED) == []

    await cases.sleep_until(received + timedelta(hours=2, minutes=1))
    view = await case.state()
    assert (view.overdue, view.escalation_level) == (True, 1)
    assert [(b.kind, b.due) for b in view.breaches] == [(DeadlineKind.FEEDBACK, received + timedelta(hours=2))]
    assert cases.published.to(EventKind.DEADLINE_BREACHED) == [("water", "unit"), ("water", "unit_leader")]
    assert {e.deadline_kind for e in cases.published.of_kind(EventKind.DEADLINE_BREACHED)} == {"feedback"}


async def test_urgent_ticket_on_an_item_that_allows_no_urgency_gets_the_normal_windows(cases: Cases) -> None:
    case = await cases.start(unit="human-resources", item="LS-02", urgent=True, urgent_allowed=False)
    received = case.case.received_at

    view = await case.state()

    assert view.urgency == "normal"
    assert view.deadlines.feedback == cases.sources.calendar.add_working_days(received, 3).at
    assert view.deadlines.resolution == cases.sources.calendar.add_working_days(received, 7).at


async def test_provisional_deadlines_are_counted_again_once_the_year_is_known(cases: Cases) -> None:
    received = datetime(2026, 12, 28, 10, 0, tzinfo=CHINA_TZ)  # 7 working days reach into 2027
    assert WorkingCalendar().is_provisional(date(2027, 1, 1)), "the calendar library now knows 2027: pick a later year"
    assert await cases.now() < received, "the case must be received in the test server's future"
    case = await cases.start(cases.new_case(received, unit="water"))

    provisional = await case.state()
    # Counted Monday to Friday, 1 January 2027 included.
    assert provisional.deadlines.resolution == end_of_day(date(2027, 1, 6))
    assert provisional.deadlines.feedback == end_of_day(date(2026, 12, 31))
    assert provisional.deadlines.provisional is True
    resolution = provisional.tracked(DeadlineKind.RESOLUTION)
    assert resolution is not None and resolution.provisional_years == [2027]
    assert (await case.handle.describe()).typed_search_attributes.get(sa.PROVISIONAL_DEADLINE) is True

    cases.sources.calendar = WorkingCalendar({2027: TEST_FIXTURE_2027})
    await case.signal(CaseSignal.RECOMPUTE_DEADLINES.value)

    async def recomputed() -> None:
        view = await case.state()
        assert view.deadlines.provisional is False
        assert view.deadlines.resolution == end_of_day(date(2027, 1, 7))
        assert view.deadlines.feedback == end_of_day(date(2026, 12, 31))
        assert [a for a in actions(view) if a[0] == "deadline_recomputed"] == [("deadline_recomputed", "system")]
        assert (await case.handle.describe()).typed_search_attributes.get(sa.PROVISIONAL_DEADLINE) is False

    await eventually(recomputed, "the resolution deadline is recounted on the loaded 2027 schedule")


async def test_a_reminder_whose_deadline_has_passed_is_dropped_not_sent(cases: Cases) -> None:
    """A worker back after an outage finds a deadline's reminders and the deadline itself due: the unit hears of
    the breach, not a reminder of a deadline already missed."""
    calendar = cases.sources.calendar
    received = calendar.start_of_next_working_day(await cases.now()).at + timedelta(hours=1)
    sign_for_due = calendar.add_working_days(received, 1).at
    feedback_due = calendar.add_working_days(received, 3).at
    back_at = sign_for_due + timedelta(hours=1)
    assert back_at < feedback_due
    await cases.sleep_until(back_at)

    case = await cases.start(cases.new_case(received, unit="water"))

    async def breached() -> None:
        assert (await case.state()).overdue

    await eventually(breached, "the missed sign-for is breached at once")
    reminded = [(e.deadline_kind, e.due) for e in cases.published.of_kind(EventKind.REMINDER)]
    assert ("sign_for", sign_for_due) not in reminded
    assert ("transfer", sign_for_due) not in reminded
    breaches = {e.deadline_kind for e in cases.published.of_kind(EventKind.DEADLINE_BREACHED)}
    assert "sign_for" in breaches


UNSATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.UNSATISFIED, comment="还是没水")


async def test_a_utility_outage_counts_hours_around_the_clock_without_being_urgent(cases: Cases) -> None:
    """Water supply (LS-06) in the sample policy: 24 hours to resolve, on a day off too, for a normal ticket."""
    calendar = cases.sources.calendar
    day = (await cases.now()).astimezone(CHINA_TZ).date() + timedelta(days=2)
    while calendar.is_working_day(day):
        day += timedelta(days=1)
    received = datetime.combine(day, time(20, 0), tzinfo=CHINA_TZ)  # the evening of a day off

    def hours(n: float) -> datetime:
        return received + timedelta(hours=n)

    case = await cases.start(cases.new_case(received, unit="water", item="LS-06"))
    view = await case.internal_state()

    assert (view.urgency, view.policy_version) == ("normal", load_policy().version)
    assert view.deadlines.sign_for == view.deadlines.transfer == hours(2)
    assert view.deadlines.feedback == hours(4)
    assert view.deadlines.resolution == hours(24)
    resolution = view.tracked(DeadlineKind.RESOLUTION)
    assert resolution is not None and resolution.window == Window(hours=24)
    assert resolution.reminders == calendar.reminder_times(received, hours(24))
    assert hours(18) in resolution.reminders  # three quarters of the window, at 14:00 on the next day

    await cases.sleep_until(hours(1))
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已安排抢修"))
    await cases.sleep_until(hours(24) + timedelta(minutes=1))
    late = await case.state()

    assert [(b.kind, b.due) for b in late.breaches] == [(DeadlineKind.RESOLUTION, hours(24))]
    assert (late.overdue, late.escalation_level) == (True, 1)
    reminded = [e.due for e in cases.published.of_kind(EventKind.REMINDER) if e.deadline_kind == "resolution"]
    assert reminded and set(reminded) == {hours(24)}

    reworked = await rated_unsatisfied(case)
    again = reworked.tracked(DeadlineKind.RESOLUTION)
    assert again is not None and again.due == reworked.ratings[-1].at + timedelta(hours=24)


async def rated_unsatisfied(case: CaseHandle) -> CaseView:
    """Resolve the case (accepting and answering it first if needed) and rate its outcome unsatisfied: rework."""
    view = await case.state()
    if view.status.value == "assigned":
        await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
        await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已恢复供水"))
    return await case.act(CaseUpdate.RATE, UNSATISFIED)


async def test_a_case_keeps_the_policy_version_it_started_with(cases: Cases) -> None:
    """A new policy version applies to cases started after it; a running case counts every later window (here its
    rework's) with the policy it started under."""
    shipped = load_policy()
    first = await cases.start(unit="water", item="LS-06")
    cases.sources.policy = shipped.model_copy(
        update={
            "version": "test-next",
            "items": {"LS-06": ItemPolicy(normal=WindowOverrides(resolution=Window(hours=48)))},
        }
    )
    second = await cases.start(unit="water", item="LS-06")

    old, new = await rated_unsatisfied(first), await rated_unsatisfied(second)

    assert (old.policy_version, new.policy_version) == (shipped.version, "test-next")
    old_rework, new_rework = old.tracked(DeadlineKind.RESOLUTION), new.tracked(DeadlineKind.RESOLUTION)
    assert old_rework is not None and new_rework is not None
    assert old_rework.due == old.ratings[-1].at + timedelta(hours=24)
    assert new_rework.due == new.ratings[-1].at + timedelta(hours=48)
