"""Actions that reach a case before its deadlines are counted (in its first workflow task) are refused with a
reason, as every other action the case's state does not allow."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from temporalio.client import WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError

from services.contracts.case_actions import (
    ActionDone,
    EscalationRequest,
    EscalationTarget,
    ExtensionRequest,
    TransferRequest,
)
from services.contracts.case_ids import workflow_id_for
from services.contracts.case_view import CaseView
from services.contracts.case_workflow import ACTION_REFUSED, WORKFLOW_TYPE, CaseUpdate
from services.workflows.workflow_starter import case_search_attributes
from tests.workflows.harness import Cases, routed_case

TOO_EARLY = [
    (
        CaseUpdate.TRANSFER,
        TransferRequest(unit="water", to_unit="housing-construction", reason="非本单位职责", catalog_item="UC-07"),
        "transferred",
    ),
    (
        CaseUpdate.ESCALATE,
        EscalationRequest(
            unit="water", to=EscalationTarget.CITY_LEADER, reason="需市级协调", plan="由市级领导牵头协调管网改造"
        ),
        "escalated",
    ),
    (CaseUpdate.REQUEST_EXTENSION, ExtensionRequest(unit="water", reason="等待材料", working_days=5), "extended"),
]


@pytest.mark.parametrize(("update", "body", "verb"), TOO_EARLY, ids=[u.value for u, _, _ in TOO_EARLY])
async def test_an_action_in_the_case_s_first_task_is_refused_with_a_reason(
    cases: Cases, update: CaseUpdate, body: BaseModel, verb: str
) -> None:
    case = routed_case(received_at=await cases.now(), unit="water")
    # Sent with the start: the update is validated in the case's first activation, before `run` has counted
    # its deadlines or loaded its policy.
    start = WithStartWorkflowOperation(
        WORKFLOW_TYPE,
        case,
        id=workflow_id_for(case.case_id),
        task_queue=cases.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        result_type=CaseView,
        search_attributes=case_search_attributes(case),
    )
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await cases.env.client.execute_update_with_start_workflow(
            update.value, body, start_workflow_operation=start, result_type=ActionDone
        )

    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == ACTION_REFUSED
    assert f"has not reached its unit yet and cannot be {verb}" in cause.message
    handle = await start.workflow_handle()
    view = await handle.query("state", result_type=CaseView)
    assert view.transfers == [] and view.escalations == [] and view.extensions == []
