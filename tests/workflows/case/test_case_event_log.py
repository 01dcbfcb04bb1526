"""The case event log: every change of a case once, in order, numbered without gaps across triage and the case,
with the public view after the change and the caller's data only on `received`."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from services.contracts.case_actions import (
    FeedbackReport,
    ProgressReport,
    RatingSubmission,
    TransferRequest,
    UnitAction,
)
from services.contracts.case_event_log import CaseEvent, EventSource
from services.contracts.case_ids import triage_workflow_id, workflow_id_for
from services.contracts.case_view import CaseView, RatingLevel
from services.contracts.case_workflow import TRIAGE_CASE_TYPE, TRIAGE_DECIDE_UPDATE, WORKFLOW_TYPE, CaseUpdate
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from services.workflows.workflow_starter import case_search_attributes
from tests.workflows.harness import (
    Cases,
    PublishedEvents,
    TriageOutbox,
    case_for_triage,
    eventually,
    lift_decision,
)

SATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED)


def assert_numbered_without_gaps(log: list[CaseEvent]) -> None:
    assert [event.sequence for event in log] == list(range(1, len(log) + 1))
    assert len({event.event_id for event in log}) == len(log)


async def test_every_change_of_a_case_is_on_its_log_once_in_order(cases: Cases) -> None:
    case = await cases.start(unit="water")
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water", note="已安排抢修"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已恢复供水"))
    await case.act(CaseUpdate.RATE, SATISFIED)
    result = await case.result()

    log = cases.published.log_of(case.case_id)
    assert_numbered_without_gaps(log)
    # One event per timeline entry, the same words, actors and times: the log is the timeline.
    assert [(e.kind, e.actor, e.at) for e in log] == [(t.action, t.actor, t.at) for t in result.timeline]
    assert {e.source for e in log} == {EventSource.CASE}
    routed = next(e for e in log if e.kind == "routed")
    assert (routed.fields.item, routed.fields.unit) == (case.case.routing.item, "water")
    # Each event carries the view after its step, without the timeline (the events are the timeline).
    assert all(e.view is not None and e.view.timeline == [] for e in log)
    assert [e.view.status for e in log if e.view][-1] is CaseStatus.CLOSED
    accepted = next(e for e in log if e.kind == "accepted")
    assert accepted.view is not None and accepted.view.status is CaseStatus.ACCEPTED
    assert accepted.view.model_dump(exclude={"timeline"}) != result.model_dump(exclude={"timeline"})
    # What the caller said goes with `received` only, to be sealed by the publishing activity.
    personal = cases.published.personal[case.case_id]
    assert personal.description == case.case.ticket.description
    assert all(e.personal is None for e in log)


async def test_each_event_carries_the_fields_its_kind_documents(cases: Cases) -> None:
    """docs/case-events.md: codes, times and a person's own words as data, for the records and the reports."""
    case = await cases.start(unit="water")
    item = case.case.routing.item
    moved = TransferRequest(unit="water", to_unit="housing", reason="供暖管网属住建", catalog_item=item)
    await case.act(CaseUpdate.TRANSFER, moved)
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="housing", note="已安排"))
    progress = ProgressReport(unit="housing", done="已到现场", next="明日更换阀门", explanation="配件到货晚")
    await case.act(CaseUpdate.PROGRESS, progress)
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="housing", note="已修复"))
    await case.act(CaseUpdate.RATE, RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.UNSATISFIED))

    fields = {e.kind: e.fields for e in cases.published.log_of(case.case_id)}
    transferred = fields["transferred"]
    assert (transferred.from_unit, transferred.to_unit, transferred.item) == ("water", "housing", item)
    assert (fields["accepted"].unit, fields["accepted"].note) == ("housing", "已安排")
    assert (fields["progress"].note, fields["progress"].plan, fields["progress"].reason) == (
        "已到现场",
        "明日更换阀门",
        "配件到货晚",
    )
    assert fields["resolved"].note == "已修复"
    assert (fields["rated"].outcome, fields["rated"].round) == ("unsatisfied", 0)
    assert (fields["rework"].round, fields["rework"].outcome) == (1, "unsatisfied")


async def test_a_triaged_case_continues_the_log_its_triage_began(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents, outbox: TriageOutbox
) -> None:
    case = case_for_triage(await env.get_current_time())
    triage = await env.client.start_workflow(
        TRIAGE_CASE_TYPE, case, id=triage_workflow_id(case.case_id), task_queue=task_queue, result_type=CaseView
    )
    await triage.execute_update(TRIAGE_DECIDE_UPDATE, lift_decision(), result_type=CaseView)
    await triage.result()
    [routed] = outbox.routed
    assert routed.events_published == len(published.log_of(case.case_id))

    # The case starter starts the routed case, as it does with any other.
    await env.client.start_workflow(
        WORKFLOW_TYPE,
        routed,
        id=workflow_id_for(case.case_id),
        task_queue=task_queue,
        search_attributes=case_search_attributes(routed),
    )

    async def assigned() -> None:
        assert any(e.case_id == case.case_id and e.kind is EventKind.CASE_ASSIGNED for e in published.events)

    await eventually(assigned, "the triaged case reaches its unit")
    log = published.log_of(case.case_id)
    assert_numbered_without_gaps(log)
    assert [(e.source.value, e.kind) for e in log] == [
        ("triage", "received"),
        ("triage", "sent_to_triage"),
        ("triage", "triaged"),
        ("triage", "routed"),
        ("case", "routed"),
        ("case", "assigned"),
    ]
    assert published.personal[case.case_id].description == case.ticket.description
