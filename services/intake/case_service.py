"""Reads cases and runs actions on their workflows (Temporal queries and updates), mapping refusals to 409."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TypeVar

import structlog
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from services.contracts.case_actions import ActionDone
from services.contracts.case_ids import triage_workflow_id, workflow_id_for
from services.contracts.case_index import CaseIndexRecord
from services.contracts.case_view import CaseView, JointTaskView
from services.contracts.case_workflow import (
    STATE_QUERY,
    TRIAGE_CASE_TYPE,
    TRIAGE_DECIDE_UPDATE,
    WORKFLOW_TYPE,
    CaseUpdate,
    JointTaskUpdate,
)
from services.contracts.problem_codes import ProblemCode
from services.contracts.triage import TriageAssignment
from services.intake.case_records import CaseRecords, RecordsUnavailable
from services.intake.errors import Conflict, NotFound
from services.intake.workflow_refusals import refused, workflow_unavailable

log = structlog.get_logger(__name__)

_CASE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
R = TypeVar("R", bound=BaseModel)


class CaseService:
    def __init__(self, *, client: Client, case_index: KeyValue, records: CaseRecords, rpc_timeout: float) -> None:
        self._client = client
        self._case_index = case_index
        self._records = records
        self._rpc_timeout = timedelta(seconds=rpc_timeout)

    @property
    def client(self) -> Client:
        return self._client

    async def view(self, case_id: str) -> CaseView:
        """The case as its workflow knows it, or its triage does; as the records keep it once the workflow engine
        has let it go (retention); or as intake recorded it while it is routed."""
        handle = self._handle(case_id)
        for workflow in (handle, self._client.get_workflow_handle(triage_workflow_id(case_id))):
            try:
                view: CaseView = await workflow.query(STATE_QUERY, result_type=CaseView, rpc_timeout=self._rpc_timeout)
                return view
            except RPCError as exc:
                if exc.status is not RPCStatusCode.NOT_FOUND:
                    raise workflow_unavailable(exc) from exc
        try:
            kept = await self._records.view(case_id)
        except RecordsUnavailable:
            kept = None
            if (record := await self._index_record(case_id)) is None:
                raise
        if kept is not None:
            return kept
        # Received, not yet routed: no workflow has run, so the records hold nothing of it yet.
        record = await self._index_record(case_id)
        if record is None:
            raise NotFound(f"no case {case_id}", code=ProblemCode.CASE_NOT_FOUND)
        return record.as_view()

    async def act(self, case_id: str, update: CaseUpdate, body: BaseModel) -> CaseView:
        """Run an action on the case; 409 with the workflow's reason when the case refuses it."""
        actor = getattr(body, "unit", "platform")
        # The update answers briefly (its answer stays in the case's history); the case is then read as it stands.
        await self._update(case_id, self._handle(case_id), update.value, body, ActionDone, actor=actor)
        return await self.view(case_id)

    async def triage(self, case_id: str, assignment: TriageAssignment) -> CaseView:
        """The coordination centre's decision on a case waiting for triage (its `TriageCase` workflow)."""
        self._handle(case_id)  # 404 for what cannot be a case id
        handle = self._client.get_workflow_handle(triage_workflow_id(case_id))
        actor = assignment.decision.unit
        return await self._update(case_id, handle, TRIAGE_DECIDE_UPDATE, assignment, CaseView, actor=actor)

    async def act_on_joint_task(
        self, case_id: str, unit: str, update: JointTaskUpdate, body: BaseModel
    ) -> JointTaskView:
        """Run a participant's action on its joint task in the case's current (or latest) joint phase."""
        view = await self.view(case_id)
        task = _task_of(view, unit)
        if task is None:
            raise NotFound(f"case {case_id} has no joint task for unit {unit!r}", code=ProblemCode.JOINT_TASK_NOT_FOUND)
        handle = self._client.get_workflow_handle(task.workflow_id, result_type=JointTaskView)
        return await self._update(case_id, handle, update.value, body, JointTaskView, actor=getattr(body, "unit", ""))

    async def _update(
        self,
        case_id: str,
        handle: WorkflowHandle[object, object],
        name: str,
        body: BaseModel,
        result_type: type[R],
        *,
        actor: str,
    ) -> R:
        bound = log.bind(case_id=case_id, unit=actor, action=name)
        try:
            result: R = await handle.execute_update(name, body, result_type=result_type, rpc_timeout=self._rpc_timeout)
        except WorkflowUpdateFailedError as exc:
            conflict = refused(exc)
            bound.info("case.action_refused", reason=conflict.message, code=conflict.code.value)
            raise conflict from exc
        except RPCError as exc:
            if exc.status is not RPCStatusCode.NOT_FOUND:
                raise workflow_unavailable(exc) from exc
            raise await self._why_not_actionable(case_id, handle) from exc
        bound.info("case.action_done")
        return result

    async def _why_not_actionable(self, case_id: str, handle: WorkflowHandle[object, object]) -> Exception:
        """The workflow took no update: it has finished, or it does not exist (yet)."""
        try:
            description = await handle.describe(rpc_timeout=self._rpc_timeout)
        except RPCError as exc:
            if exc.status is not RPCStatusCode.NOT_FOUND:
                return workflow_unavailable(exc)
        else:
            status = description.status.name.lower() if description.status else "closed"
            what = {WORKFLOW_TYPE: "case", TRIAGE_CASE_TYPE: "triage"}.get(description.workflow_type, "joint task")
            return Conflict(
                f"this {what} is finished (its workflow is {status}); it takes no more actions",
                code=ProblemCode.WORKFLOW_FINISHED,
            )
        # Not started yet: waiting for triage (its own workflow) or still being routed (the index record).
        try:
            view = await self.view(case_id)
        except NotFound as exc:
            return exc
        return Conflict(
            f"case is {view.status.value} and not yet assigned to a unit; try again once it is",
            code=ProblemCode.CASE_NOT_ASSIGNED_YET,
        )

    def _handle(self, case_id: str) -> WorkflowHandle[object, object]:
        if not _CASE_ID.match(case_id):
            raise NotFound(f"no case {case_id}", code=ProblemCode.CASE_NOT_FOUND)
        return self._client.get_workflow_handle(workflow_id_for(case_id))

    async def _index_record(self, case_id: str) -> CaseIndexRecord | None:
        try:
            entry = await self._case_index.get(case_id)
        except KeyNotFoundError:
            return None
        return CaseIndexRecord.model_validate_json(entry.value or b"{}")


def _task_of(view: CaseView, unit: str) -> JointTaskView | None:
    for phase in reversed(view.joint_phases):
        for task in phase.tasks:
            if task.unit == unit:
                return task
    return None
