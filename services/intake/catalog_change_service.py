"""Starts `CatalogChange` workflows, passes the coordination centre's decisions to them, and reads their records."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import structlog
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from services.contracts.case_policy import Window
from services.contracts.catalog_changes import (
    CATALOG_CHANGE_DECIDE_UPDATE,
    CATALOG_CHANGE_STATE_QUERY,
    CATALOG_CHANGE_TYPE,
    CatalogChangeAccepted,
    CatalogChangeDecision,
    CatalogChangeInput,
    CatalogChangeRequest,
    CatalogChangeView,
    ChangeStatus,
    catalog_change_workflow_id,
)
from services.contracts.catalog_versions import CatalogVersion
from services.contracts.problem_codes import ProblemCode
from services.contracts.subjects import CASE_TASK_QUEUE
from services.engines.catalog_change_records import CatalogChangeRecords
from services.intake.errors import Conflict, NotFound
from services.intake.workflow_refusals import refused, workflow_unavailable

log = structlog.get_logger(__name__)

_CHANGE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class CatalogChangeService:
    def __init__(
        self, *, client: Client, records: CatalogChangeRecords, rpc_timeout: float, decision_window: Window
    ) -> None:
        self._client = client
        self._records = records
        self._rpc_timeout = timedelta(seconds=rpc_timeout)
        self._decision_window = decision_window

    async def submit(self, request: CatalogChangeRequest, current: CatalogVersion) -> CatalogChangeAccepted:
        """Start the change's workflow; it waits for the coordination centre's decision."""
        change_id = str(uuid.uuid4())
        start = CatalogChangeInput(
            change_id=change_id,
            request=request,
            submitted_against=current.version,
            item_before=current.catalog.item(request.item_code),
            decision_window=self._decision_window,
        )
        try:
            await self._client.start_workflow(
                CATALOG_CHANGE_TYPE,
                start,
                id=catalog_change_workflow_id(change_id),
                task_queue=CASE_TASK_QUEUE,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                rpc_timeout=self._rpc_timeout,
            )
        except RPCError as exc:
            raise workflow_unavailable(exc) from exc
        log.info(
            "catalog_change.submitted",
            change_id=change_id,
            unit=request.unit,
            kind=request.kind.value,
            item=request.item_code,
            catalog_version=current.version,
        )
        return CatalogChangeAccepted(change_id=change_id)

    async def view(self, change_id: str) -> CatalogChangeView:
        """The change's record; just after it was submitted (not recorded yet), its workflow's state."""
        if not _CHANGE_ID.match(change_id):
            raise NotFound(f"no catalog change {change_id}", code=ProblemCode.CATALOG_CHANGE_NOT_FOUND)
        recorded = await self._records.get(change_id)
        if recorded is not None:
            return recorded
        try:
            state: CatalogChangeView = await self._handle(change_id).query(
                CATALOG_CHANGE_STATE_QUERY, result_type=CatalogChangeView, rpc_timeout=self._rpc_timeout
            )
        except RPCError as exc:
            if exc.status is RPCStatusCode.NOT_FOUND:
                raise NotFound(f"no catalog change {change_id}", code=ProblemCode.CATALOG_CHANGE_NOT_FOUND) from exc
            raise workflow_unavailable(exc) from exc
        return state

    async def all(self, status: ChangeStatus | None) -> list[CatalogChangeView]:
        """Every recorded change, newest first; only those with `status` if given."""
        return [change for change in await self._records.all() if status is None or change.status is status]

    async def decide(self, change_id: str, decision: CatalogChangeDecision) -> CatalogChangeView:
        """Pass the decision to the change; 409 with the reason when the change refuses it."""
        if not _CHANGE_ID.match(change_id):
            raise NotFound(f"no catalog change {change_id}", code=ProblemCode.CATALOG_CHANGE_NOT_FOUND)
        bound = log.bind(change_id=change_id, unit=decision.unit, approved=decision.approved)
        try:
            view: CatalogChangeView = await self._handle(change_id).execute_update(
                CATALOG_CHANGE_DECIDE_UPDATE, decision, result_type=CatalogChangeView, rpc_timeout=self._rpc_timeout
            )
        except WorkflowUpdateFailedError as exc:
            conflict = refused(exc)
            bound.info("catalog_change.decision_refused", reason=conflict.message, code=conflict.code.value)
            raise conflict from exc
        except RPCError as exc:
            if exc.status is not RPCStatusCode.NOT_FOUND:
                raise workflow_unavailable(exc) from exc
            # The workflow takes no updates: it has finished, or there never was such a change.
            recorded = await self._records.get(change_id)
            if recorded is None:
                raise NotFound(f"no catalog change {change_id}", code=ProblemCode.CATALOG_CHANGE_NOT_FOUND) from exc
            raise Conflict(
                f"this change is {recorded.status.value}; only a pending change can be decided",
                code=ProblemCode.CHANGE_NOT_PENDING,
            ) from exc
        bound.info("catalog_change.decided", status=view.status.value, catalog_version=view.catalog_version)
        return view

    def _handle(self, change_id: str) -> WorkflowHandle[object, object]:
        return self._client.get_workflow_handle(catalog_change_workflow_id(change_id))
