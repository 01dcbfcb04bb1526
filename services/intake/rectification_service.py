"""Starts `SpecialRectification` workflows on the assessment service's task queue and passes them the units' progress
and the coordination centre's closing (Temporal Updates, by name: intake does not import the assessment service)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog
from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from services.contracts.problem_codes import ProblemCode
from services.contracts.rectifications import (
    RECTIFICATION_CLOSE_UPDATE,
    RECTIFICATION_OPENED_UPDATE,
    RECTIFICATION_PROGRESS_UPDATE,
    RECTIFICATION_TYPE,
    RectificationClosing,
    RectificationProgress,
    RectificationRequest,
    RectificationStart,
    RectificationView,
    rectification_workflow_id,
)
from services.contracts.subjects import ASSESSMENT_TASK_QUEUE
from services.intake.errors import Conflict
from services.intake.workflow_refusals import refused, workflow_unavailable

log = structlog.get_logger(__name__)


class RectificationService:
    def __init__(self, *, client: Client, rpc_timeout: float, task_queue: str = ASSESSMENT_TASK_QUEUE) -> None:
        self._client = client
        self._rpc_timeout = timedelta(seconds=rpc_timeout)
        self._task_queue = task_queue

    async def open(self, request: RectificationRequest, *, opened_by: str) -> RectificationView:
        """Start the rectification and answer once it is open; 409 with the reason when it cannot be."""
        rectification_id = str(uuid.uuid4())
        start = RectificationStart(rectification_id=rectification_id, request=request, opened_by=opened_by)
        bound = log.bind(rectification_id=rectification_id, class_id=request.class_id, lead_unit=request.lead_unit)
        try:
            handle = await self._client.start_workflow(
                RECTIFICATION_TYPE,
                start,
                id=rectification_workflow_id(rectification_id),
                task_queue=self._task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                rpc_timeout=self._rpc_timeout,
            )
            view: RectificationView = await handle.execute_update(
                RECTIFICATION_OPENED_UPDATE, result_type=RectificationView, rpc_timeout=self._rpc_timeout
            )
        except WorkflowUpdateFailedError as exc:
            conflict = refused(exc)
            bound.info("rectification.open_refused", reason=conflict.message, code=conflict.code.value)
            raise conflict from exc
        except RPCError as exc:
            raise workflow_unavailable(exc) from exc
        bound.info("rectification.opened", cases=view.case_count)
        return view

    async def report_progress(self, rectification_id: str, report: RectificationProgress) -> RectificationView:
        return await self._update(rectification_id, RECTIFICATION_PROGRESS_UPDATE, report)

    async def close(self, rectification_id: str, closing: RectificationClosing) -> RectificationView:
        return await self._update(rectification_id, RECTIFICATION_CLOSE_UPDATE, closing)

    async def _update(self, rectification_id: str, update: str, body: BaseModel) -> RectificationView:
        """Pass the body to the rectification; 409 with the reason when it refuses (or has ended)."""
        handle = self._client.get_workflow_handle(rectification_workflow_id(rectification_id))
        bound = log.bind(rectification_id=rectification_id, update=update, unit=getattr(body, "unit", None))
        try:
            view: RectificationView = await handle.execute_update(
                update, body, result_type=RectificationView, rpc_timeout=self._rpc_timeout
            )
        except WorkflowUpdateFailedError as exc:
            conflict = refused(exc)
            bound.info("rectification.update_refused", reason=conflict.message, code=conflict.code.value)
            raise conflict from exc
        except RPCError as exc:
            if exc.status is RPCStatusCode.NOT_FOUND:
                # The workflow takes no updates: it has ended (closed).
                raise Conflict("this rectification is closed", code=ProblemCode.RECTIFICATION_CLOSED) from exc
            raise workflow_unavailable(exc) from exc
        bound.info("rectification.updated", status=view.status.value, revision=view.revision)
        return view
