"""Reads a case from its Temporal workflows, for a rebuild: the view, the timeline and the event counter (one
`internal_state` query, so the three agree), and the ticket from the workflow's input (the caller's data).

Queries on a closed workflow are answered by a worker replaying its history: the workflows service must run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError, WorkflowQueryRejectedError
from temporalio.service import RPCError, RPCStatusCode

from services.contracts.case_event_log import EventSource
from services.contracts.case_ids import triage_workflow_id, workflow_id_for
from services.contracts.case_view import CaseView
from services.contracts.case_workflow import INTERNAL_STATE_QUERY, TRIAGE_CASE_TYPE, WORKFLOW_TYPE
from services.contracts.cases import RoutedCase
from services.contracts.tickets import Ticket
from services.records.rebuilt_log import WorkflowLog

# Every run of every case and triage workflow the server keeps (open, or closed within the namespace's retention).
CASE_WORKFLOWS_QUERY = f"WorkflowType = '{WORKFLOW_TYPE}' OR WorkflowType = '{TRIAGE_CASE_TYPE}'"
_PREFIXES = {workflow_id_for(""): EventSource.CASE, triage_workflow_id(""): EventSource.TRIAGE}
_CASE_ID_LENGTH = 36


class WorkflowUnreadable(ValueError):
    """Temporal holds the workflow but did not tell what it is (no worker answered, or its input is unreadable)."""


class _InternalState(CaseView):
    """The part of a workflow's `internal_state` (`CaseState`) a rebuild needs: the public fields and the counter."""

    event_sequence: int = 0


@dataclass(frozen=True)
class CaseWorkflow:
    """One of a case's workflows as Temporal holds it: its log, and the ticket it was started with."""

    log: WorkflowLog
    ticket: Ticket


def case_id_of(workflow_id: str) -> str | None:
    """The case id in a case's or triage's workflow id (`case-<id>`, `triage-<id>`); None for any other workflow."""
    for prefix in _PREFIXES:
        if workflow_id.startswith(prefix) and len(workflow_id) == len(prefix) + _CASE_ID_LENGTH:
            return workflow_id[len(prefix) :]
    return None


class WorkflowReader:
    def __init__(self, client: Client, *, rpc_timeout: float = 10.0) -> None:
        self._client = client
        self._rpc_timeout = timedelta(seconds=rpc_timeout)

    async def case_ids(self) -> AsyncIterator[str]:
        """The case id of every case and triage workflow run Temporal holds (a case may come more than once)."""
        async for execution in self._client.list_workflows(CASE_WORKFLOWS_QUERY, rpc_timeout=self._rpc_timeout):
            case_id = case_id_of(execution.id)
            if case_id is not None:
                yield case_id

    async def read(self, case_id: str, source: EventSource) -> CaseWorkflow | None:
        """The case's workflow of that source (its newest run); None when Temporal holds none."""
        workflow_id = workflow_id_for(case_id) if source is EventSource.CASE else triage_workflow_id(case_id)
        handle = self._client.get_workflow_handle(workflow_id)
        try:
            state = await handle.query(INTERNAL_STATE_QUERY, result_type=_InternalState, rpc_timeout=self._rpc_timeout)
            started = await self._input(handle)
        except RPCError as exc:
            if exc.status is RPCStatusCode.NOT_FOUND:
                return None
            raise WorkflowUnreadable(f"{workflow_id}: Temporal did not answer ({exc.status}: {exc.message})") from exc
        except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as exc:
            raise WorkflowUnreadable(f"{workflow_id}: its state query failed ({exc})") from exc
        except RuntimeError as exc:  # the SDK's "failed decoding": a payload that is not what it should be
            raise WorkflowUnreadable(f"{workflow_id}: {exc}") from exc
        view = CaseView.model_validate(state.model_dump(exclude={"event_sequence"}))
        log = WorkflowLog(
            source=source,
            view=view,
            timeline=view.timeline,
            event_sequence=state.event_sequence,
            events_before=started.events_published if source is EventSource.CASE else 0,
        )
        return CaseWorkflow(log=log, ticket=started.ticket)

    async def _input(self, handle: WorkflowHandle[object, object]) -> RoutedCase:
        """The input the run was started with (a continued run's carries the same ticket), decrypted."""
        async for event in handle.fetch_history_events(page_size=1, rpc_timeout=self._rpc_timeout):
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            if not payloads:
                break
            [routed] = await self._client.data_converter.decode(payloads, [RoutedCase])
            if isinstance(routed, RoutedCase):
                return routed
            break
        raise WorkflowUnreadable(f"{handle.id}: its first history event holds no routed case")
