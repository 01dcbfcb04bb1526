"""Where the automatic escalation ladder ends: a routine case's missed deadlines climb by themselves to the unit
leader (the coordination centre told with it) and no further; the steps after are held, and only a decision takes
the case higher. A major item's climb to the top is in test_escalation.py."""

from __future__ import annotations

from datetime import timedelta

from services.contracts.case_actions import EscalationRequest, EscalationTarget
from services.contracts.case_view import DeadlineKind
from services.contracts.case_workflow import CaseUpdate
from services.contracts.events import EventKind
from tests.workflows.harness import Cases, actions, around

MINUTE = timedelta(minutes=1)
CENTRE = ("coordination-centre", "coordination")
BY_CENTRE = EscalationRequest(
    unit="coordination-centre",
    to=EscalationTarget.CITY_LEADER,
    reason="积水反复发生，排水改造涉及多个部门",
    plan="建议水务局牵头，住建、交通配合实施排水管网改造",
)


async def test_an_unsigned_routine_case_climbs_to_the_unit_leader_and_the_centre_and_no_further(
    cases: Cases,
) -> None:
    """The automatic ladder ends at level 1 for a routine item: further missed steps are recorded and the
    coordination centre is told the case is stuck there; only a decision takes it higher, and not by itself on."""
    calendar = cases.sources.calendar
    case = await cases.start(unit="water")
    view = await case.state()
    sign_for_due = calendar.add_working_days(case.case.received_at, 1).at

    await cases.sleep_until(sign_for_due + MINUTE)
    assert (await case.state()).escalation_level == 1
    assert cases.published.to(EventKind.ESCALATED) == [CENTRE]

    # Where the next step would have climbed (with the feedback deadline missed at the same instant): held.
    held_at = calendar.add_working_days(calendar.start_of_next_working_day(sign_for_due).at, 1).at
    assert held_at == view.deadlines.feedback
    await cases.sleep_until(held_at - MINUTE)
    assert cases.published.of_kind(EventKind.ESCALATION_HELD) == []
    await cases.sleep_until(held_at + MINUTE)
    view = await case.state()
    assert view.escalation_level == 1
    assert [b.kind for b in view.breaches] == [DeadlineKind.SIGN_FOR, DeadlineKind.FEEDBACK]
    [held] = [entry for entry in view.timeline if entry.action == "escalation_held"]
    assert around(held.at, held_at) and held.actor == "system"
    assert cases.published.to(EventKind.ESCALATION_HELD) == [CENTRE]
    assert cases.published.of_kind(EventKind.ESCALATION_HELD)[0].escalation_level == 1
    assert cases.published.to(EventKind.ESCALATED) == [CENTRE]
    internal = await case.internal_state()
    assert all(t.next_escalation_at is None for t in internal.tracked_deadlines), "no further step by itself"

    # The coordination centre judges (研判) that the matter needs the city leader: a decision climbs.
    assert (await case.act(CaseUpdate.ESCALATE, BY_CENTRE)).escalation_level == 2
    assert cases.published.to(EventKind.ESCALATED) == [CENTRE, ("city-leader", "leader")]

    # The resolution deadline missed at level 2: recorded, the centre told, no climb to top-level coordination.
    resolution_due = view.deadlines.resolution
    assert resolution_due is not None
    await cases.sleep_until(resolution_due + timedelta(days=10))
    view = await case.state()
    assert view.escalation_level == 2
    assert [b.kind for b in view.breaches][-1] is DeadlineKind.RESOLUTION
    assert [e.escalation_level for e in cases.published.of_kind(EventKind.ESCALATION_HELD)] == [1, 2]
    assert len(cases.published.of_kind(EventKind.ESCALATED)) == 2
    assert ("top_level_coordination", "system") not in actions(view)
