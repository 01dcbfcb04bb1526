"""Joint handling (联动): a `JointTask` child per participant, the case's combined view, and closing the phase."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from services.contracts.case_actions import FeedbackReport, JointHandlingRequest, JointParticipant, UnitAction
from services.contracts.case_view import CaseView, JointRole, JointTaskStatus, JointTaskView
from services.contracts.case_workflow import CaseUpdate, JointTaskUpdate, joint_task_workflow_id
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from tests.workflows.harness import CaseHandle, Cases, actions, eventually

LEAD, CO_MANAGING, TOWNSHIP = "law-enforcement", "natural-resources", "hekou-town"
REQUEST = JointHandlingRequest(
    unit=LEAD,
    reason="违建涉及规划和土地，需多部门联合处置",
    participants=[
        JointParticipant(unit=LEAD, role=JointRole.LEAD, task="牵头拆除违建"),
        JointParticipant(unit=CO_MANAGING, role=JointRole.CO_MANAGING, task="核查用地性质"),
        JointParticipant(unit=TOWNSHIP, role=JointRole.TOWNSHIP, task="属地配合、做好群众工作", working_days=3),
    ],
)


async def accepted_case(cases: Cases) -> CaseHandle:
    """An illegal-building case the enforcement bureau has signed for and answered."""
    case = await cases.start(unit=LEAD, item="UC-06", township=TOWNSHIP)
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit=LEAD))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit=LEAD, message="已受理，将联合处置"))
    return case


async def on_task(cases: Cases, case: CaseHandle, unit: str, update: JointTaskUpdate, note: str = "") -> JointTaskView:
    """A participant acts on its own joint task (an update on the `JointTask` child)."""
    task = cases.child(joint_task_workflow_id(case.case_id, 1, unit), JointTaskView)
    view: JointTaskView = await task.execute_update(
        update.value, UnitAction(unit=unit, note=note), result_type=JointTaskView
    )
    return view


async def does_its_share(cases: Cases, case: CaseHandle, unit: str) -> None:
    await on_task(cases, case, unit, JointTaskUpdate.ACCEPT)
    await on_task(cases, case, unit, JointTaskUpdate.COMPLETE, note="已完成")


def task_statuses(view: CaseView) -> dict[str, JointTaskStatus]:
    return {task.unit: task.status for task in view.joint_phases[-1].tasks}


async def test_joint_phase_with_a_late_participant_closes_when_the_last_task_completes(cases: Cases) -> None:
    case = await accepted_case(cases)

    started = await case.act(CaseUpdate.REQUEST_JOINT_HANDLING, REQUEST)

    [phase] = started.joint_phases
    assert (phase.number, phase.requested_by, phase.open) == (1, LEAD, True)
    five_days = cases.sources.calendar.add_working_days(phase.started_at, 5).at
    three_days = cases.sources.calendar.add_working_days(phase.started_at, 3).at
    assert [(t.unit, t.role, t.due) for t in phase.tasks] == [
        (LEAD, JointRole.LEAD, five_days),
        (CO_MANAGING, JointRole.CO_MANAGING, five_days),
        (TOWNSHIP, JointRole.TOWNSHIP, three_days),
    ]
    for task in phase.tasks:
        assert task.workflow_id == f"case-{case.case_id}-joint-1-{task.unit}"
        child = await cases.query_child(task.workflow_id, JointTaskView)
        assert (child.unit, child.role, child.status, child.due) == (
            task.unit,
            task.role,
            JointTaskStatus.ASSIGNED,
            task.due,
        )

    async def everyone_told() -> None:
        assert sorted(cases.published.to(EventKind.JOINT_TASK_ASSIGNED)) == sorted(
            [(LEAD, "unit"), (CO_MANAGING, "unit"), (TOWNSHIP, "unit")]
        )

    await eventually(everyone_told, "each participant is told of its joint task")
    refused = await case.refused(CaseUpdate.RESOLVE, UnitAction(unit=LEAD))
    assert (
        "joint handling is still open (waiting for law-enforcement, natural-resources, hekou-town)" in refused.message
    )

    await does_its_share(cases, case, LEAD)
    await does_its_share(cases, case, CO_MANAGING)

    async def two_done() -> None:
        statuses = task_statuses(await case.state())
        assert statuses == {
            LEAD: JointTaskStatus.COMPLETED,
            CO_MANAGING: JointTaskStatus.COMPLETED,
            TOWNSHIP: JointTaskStatus.ASSIGNED,
        }

    await eventually(two_done, "the case's combined view shows two tasks completed")

    # The township misses its three working days.
    await cases.sleep_until(three_days + timedelta(minutes=1))

    async def township_late() -> CaseView:
        view = await case.state()
        [late] = [t for t in view.joint_phases[0].tasks if t.unit == TOWNSHIP]
        assert late.overdue is True
        return view

    late_view = await eventually(township_late, "the township's task shows overdue in the case")
    assert late_view.joint_phases[0].open
    assert ("joint_task_deadline_breached", "system") in actions(late_view)
    assert any(e.detail.startswith(TOWNSHIP) for e in late_view.timeline if e.action == "joint_task_deadline_breached")
    assert cases.published.to(EventKind.JOINT_TASK_BREACHED) == [
        (TOWNSHIP, "unit"),
        (TOWNSHIP, "unit_leader"),
        (LEAD, "unit"),
    ]
    assert (await case.refused(CaseUpdate.RESOLVE, UnitAction(unit=LEAD))).message.endswith("the lead closes it")

    await does_its_share(cases, case, TOWNSHIP)

    async def phase_closed() -> CaseView:
        view = await case.state()
        assert not view.joint_phases[0].open
        return view

    closed = await eventually(phase_closed, "the phase closes once every task is completed")
    assert closed.joint_phases[0].closed_by == "system"
    assert set(task_statuses(closed).values()) == {JointTaskStatus.COMPLETED}
    assert actions(closed)[-1] == ("joint_handling_closed", "system")
    assert cases.published.to(EventKind.JOINT_PHASE_CLOSED) == [(LEAD, "unit")]
    assert len(cases.published.of_kind(EventKind.JOINT_TASK_BREACHED)) == 3
    resolved = await case.act(CaseUpdate.RESOLVE, UnitAction(unit=LEAD, note="违建已拆除"))
    assert resolved.status is CaseStatus.RESOLVED
    for task in closed.joint_phases[0].tasks:
        finished = await cases.child(task.workflow_id, JointTaskView).result()
        assert finished.status is JointTaskStatus.COMPLETED


async def test_lead_closes_the_phase_early_and_open_tasks_are_closed_by_the_lead(cases: Cases) -> None:
    case = await accepted_case(cases)
    await case.act(CaseUpdate.REQUEST_JOINT_HANDLING, REQUEST)
    await does_its_share(cases, case, LEAD)
    await on_task(cases, case, CO_MANAGING, JointTaskUpdate.ACCEPT)

    not_lead = await case.refused(CaseUpdate.CLOSE_JOINT_PHASE, UnitAction(unit=CO_MANAGING))
    assert "only the lead unit (law-enforcement) can close the joint phase" in not_lead.message

    photo = "e" * 32  # the lead's proof, named by the close (intake checked it is the case's)
    closed = await case.act(
        CaseUpdate.CLOSE_JOINT_PHASE, UnitAction(unit=LEAD, note="主体工作已完成，联动结束", attachment_ids=[photo])
    )

    [phase] = closed.joint_phases
    assert (phase.open, phase.closed_by) == (False, LEAD)
    assert task_statuses(closed) == {
        LEAD: JointTaskStatus.COMPLETED,
        CO_MANAGING: JointTaskStatus.CLOSED_BY_LEAD,
        TOWNSHIP: JointTaskStatus.CLOSED_BY_LEAD,
    }
    assert actions(closed)[-1] == ("joint_handling_closed", LEAD)
    assert cases.published.to(EventKind.JOINT_PHASE_CLOSED) == [(LEAD, "unit")]
    assert [e.attachment_ids for e in cases.published.of_kind(EventKind.JOINT_PHASE_CLOSED)] == [[photo]]

    for unit in (CO_MANAGING, TOWNSHIP):
        child = cases.child(joint_task_workflow_id(case.case_id, 1, unit), JointTaskView)

        async def stopped() -> None:
            assert (await child.describe()).status is WorkflowExecutionStatus.COMPLETED  # noqa: B023

        await eventually(stopped, f"{unit}'s joint task stops when the lead closes the phase")
        assert (await child.result()).status is JointTaskStatus.CLOSED_BY_LEAD

    # Nothing more is expected of them: no breach comes when their deadlines pass.
    await cases.sleep_until(phase.tasks[1].due + timedelta(hours=1))
    assert cases.published.of_kind(EventKind.JOINT_TASK_BREACHED) == []
    resolved = await case.act(CaseUpdate.RESOLVE, UnitAction(unit=LEAD, note="违建已拆除"))
    assert resolved.status is CaseStatus.RESOLVED


async def test_joint_phases_and_a_task_s_reports_are_capped_with_a_reason(cases: Cases) -> None:
    cases.sources.policy = cases.sources.policy.model_copy(update={"max_joint_phases": 1, "max_progress_reports": 2})
    case = await accepted_case(cases)
    await case.act(CaseUpdate.REQUEST_JOINT_HANDLING, REQUEST)
    await on_task(cases, case, CO_MANAGING, JointTaskUpdate.ACCEPT)
    for n in (1, 2):
        await on_task(cases, case, CO_MANAGING, JointTaskUpdate.REPORT, note=f"核查进展{n}")

    task = cases.child(joint_task_workflow_id(case.case_id, 1, CO_MANAGING), JointTaskView)
    with pytest.raises(WorkflowUpdateFailedError) as third:
        await task.execute_update(
            JointTaskUpdate.REPORT.value, UnitAction(unit=CO_MANAGING, note="核查进展3"), result_type=JointTaskView
        )
    assert isinstance(third.value.cause, ApplicationError)
    assert "2 reports, the most it takes" in third.value.cause.message

    await case.act(CaseUpdate.CLOSE_JOINT_PHASE, UnitAction(unit=LEAD, note="已处置完毕"))
    second = await case.refused(CaseUpdate.REQUEST_JOINT_HANDLING, REQUEST)
    assert "1 joint handling phases, the most allowed" in second.message
