"""While the coordination centre arbitrates, the deadlines the unit cannot meet stand still; they resume with the time
left (or restart, as the policy says) when the case is handed back, and the timeline says so."""

from __future__ import annotations

from datetime import timedelta

from services.contracts.case_actions import ArbitrationDecision, UnitAction
from services.contracts.case_policy import AfterPause
from services.contracts.case_view import CaseView, DeadlineKind, TrackedDeadline
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from tests.workflows.case.test_transfer import bounced_to_arbitration, transfer
from tests.workflows.harness import Cases, actions

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
PAUSED = (DeadlineKind.FEEDBACK, DeadlineKind.RESOLUTION)
TO_WATER = ArbitrationDecision(unit="coordination-centre", handling_unit="water", reason="供水管网属水务局职责")


def clock(view: CaseView, kind: DeadlineKind) -> TrackedDeadline:
    tracked = view.tracked(kind)
    assert tracked is not None, kind
    return tracked


def alarmed_kinds(cases: Cases, kind: EventKind) -> set[str | None]:
    return {event.deadline_kind for event in cases.published.of_kind(kind)}


async def test_the_units_deadlines_stand_still_while_the_centre_arbitrates_and_resume_with_the_time_left(
    cases: Cases,
) -> None:
    case = await bounced_to_arbitration(cases)

    disputed = await case.state()
    feedback, resolution = clock(disputed, DeadlineKind.FEEDBACK), clock(disputed, DeadlineKind.RESOLUTION)
    paused_at = feedback.paused_at
    assert paused_at is not None and resolution.paused_at == paused_at
    assert clock(disputed, DeadlineKind.ARBITRATION).paused_at is None
    # The summary shows no due time that is not running, and names the deadlines that stand still.
    assert (disputed.deadlines.feedback, disputed.deadlines.resolution) == (None, None)
    assert disputed.deadlines.paused == list(PAUSED)
    assert disputed.deadlines.arbitration is not None
    assert actions(disputed)[-3:] == [
        ("arbitration_requested", "law-enforcement"),
        ("deadline_paused", "system"),
        ("deadline_paused", "system"),
    ]

    # The centre takes its time, past the day the unit's feedback was due (and past its own deadline).
    await cases.sleep_until(feedback.due + HOUR)

    waiting = await case.state()
    assert [b.kind for b in waiting.breaches] == [DeadlineKind.ARBITRATION]
    for kind in (EventKind.REMINDER, EventKind.DEADLINE_BREACHED, EventKind.CHASE_UP):
        assert alarmed_kinds(cases, kind) <= {"arbitration"}, kind

    decided = await case.act(CaseUpdate.ARBITRATE, TO_WATER)

    [arbitrated_at] = [entry.at for entry in decided.timeline if entry.action == "arbitrated"]
    calendar = cases.sources.calendar
    for before in (feedback, resolution):
        left = calendar.working_time_between(paused_at, before.due)
        after = clock(decided, before.kind)
        assert after.paused_at is None
        assert after.due == calendar.add_working_time(arbitrated_at, left).at, before.kind
        assert after.started_at == before.started_at
    assert decided.deadlines.feedback == clock(decided, DeadlineKind.FEEDBACK).due
    assert decided.deadlines.paused == []
    assert [a for a in actions(decided) if a[0] in ("deadline_paused", "deadline_resumed")][-2:] == [
        ("deadline_resumed", "system"),
        ("deadline_resumed", "system"),
    ]

    # The handling unit is held to the moved due time, and to nothing before it.
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    moved = clock(decided, DeadlineKind.FEEDBACK).due
    await cases.sleep_until(moved - MINUTE)
    assert "feedback" not in alarmed_kinds(cases, EventKind.DEADLINE_BREACHED)
    await cases.sleep_until(moved + MINUTE)
    late = await case.state()
    assert [b.kind for b in late.breaches] == [DeadlineKind.ARBITRATION, DeadlineKind.FEEDBACK]
    assert late.breaches[-1].unit == "water"


async def test_the_policy_may_restart_the_deadlines_after_arbitration(cases: Cases) -> None:
    cases.sources.policy = cases.sources.policy.model_copy(update={"after_arbitration": AfterPause.RESTART})
    case = await bounced_to_arbitration(cases)
    await cases.sleep_until(await cases.now() + timedelta(days=1))

    decided = await case.act(CaseUpdate.ARBITRATE, TO_WATER)

    [arbitrated_at] = [entry.at for entry in decided.timeline if entry.action == "arbitrated"]
    calendar = cases.sources.calendar
    feedback, resolution = clock(decided, DeadlineKind.FEEDBACK), clock(decided, DeadlineKind.RESOLUTION)
    assert feedback.due == calendar.add_working_days(arbitrated_at, 3).at
    assert resolution.due == calendar.add_working_days(arbitrated_at, 7).at
    assert feedback.started_at == resolution.started_at == arbitrated_at
    resumed = [entry for entry in decided.timeline if entry.action == "deadline_resumed"]
    assert [entry.detail.split(" ")[0] for entry in resumed] == ["feedback", "resolution"]
    assert all("restart" in entry.detail for entry in resumed)


async def test_a_deadline_missed_before_arbitration_is_not_chased_while_the_centre_decides(cases: Cases) -> None:
    # Urgent: two hours to give feedback, 24 to resolve; the case bounces for longer than two hours.
    case = await cases.start(unit="housing-construction", urgent=True, callback=True)
    received = (await case.state()).received_at
    assert received is not None
    await cases.sleep_until(received + HOUR)
    await case.act(CaseUpdate.TRANSFER, transfer("housing-construction", "water"))
    await cases.sleep_until(received + 2 * HOUR + MINUTE)
    await case.act(CaseUpdate.TRANSFER, transfer("water", "law-enforcement", item="UC-05"))
    await case.refused(CaseUpdate.TRANSFER, transfer("law-enforcement", "natural-resources", item="NR-01"))

    disputed = await case.state()
    feedback, resolution = clock(disputed, DeadlineKind.FEEDBACK), clock(disputed, DeadlineKind.RESOLUTION)
    assert disputed.status is CaseStatus.ARBITRATION
    assert feedback.breached_at is not None and feedback.paused_at is not None
    assert feedback.chase_up_at is not None
    level = disputed.escalation_level

    # Past the chase-up it would have had, and past the resolution deadline it would have missed.
    await cases.sleep_until(max(feedback.chase_up_at, resolution.due) + HOUR)
    waiting = await case.state()
    assert cases.published.of_kind(EventKind.CHASE_UP) == []
    assert [b.kind for b in waiting.breaches] == [DeadlineKind.FEEDBACK]
    assert waiting.escalation_level == level

    decided = await case.act(CaseUpdate.ARBITRATE, TO_WATER)

    [arbitrated_at] = [entry.at for entry in decided.timeline if entry.action == "arbitrated"]
    calendar = cases.sources.calendar
    # The resolution window had hours left: the same hours, from the hand-back.
    assert resolution.paused_at is not None
    assert clock(decided, DeadlineKind.RESOLUTION).due == arbitrated_at + (resolution.due - resolution.paused_at)
    # The missed feedback stays missed; it is chased up the next working day after the hand-back.
    chase_up_at = calendar.start_of_next_working_day(arbitrated_at).at
    resumed = clock(decided, DeadlineKind.FEEDBACK)
    assert (resumed.breached_at, resumed.due, resumed.chase_up_at) == (feedback.breached_at, feedback.due, chase_up_at)
    await cases.sleep_until(chase_up_at + MINUTE)
    chased = [
        (e.unit, e.audience.value) for e in cases.published.of_kind(EventKind.CHASE_UP) if e.deadline_kind == "feedback"
    ]
    assert chased == [("water", "unit")]
