"""(1) The engine limit: the case workflow driven straight through the SDK, as if nothing of ours stood in front.

The same `FirstContactCase` with the same input, search attributes and encryption the case starter uses, on the
same Temporal dev server and the same workflows worker (its settings untouched), run until the unit is told
(`case_assigned` published) and then left waiting on its deadline timers. Intake, router and notifier are stopped
while this runs, so the figure is what Temporal and the worker cost alone.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import UTC, datetime

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from bench.assigned_watch import AssignedWatch
from bench.bench_tickets import ticket
from bench.figures import Step
from bench.open_loop import fire_at_rate
from services.contracts.case_ids import case_id_for, workflow_id_for
from services.contracts.cases import RoutedCase
from services.contracts.catalog import load_catalog
from services.contracts.subjects import CASE_TASK_QUEUE
from services.contracts.tickets import Ticket
from services.router.routing import route_ticket
from services.workflows.case.first_contact_case import FirstContactCase
from services.workflows.workflow_starter import case_search_attributes

# A step is over when every case it started has completed: an overloaded step leaves a backlog, and the next step
# must not start on top of it (it would measure the backlog, not its own rate). Latencies include the wait.
DRAIN_SECONDS = 600.0


def routed_cases(run: str, count: int) -> list[RoutedCase]:
    """Routed by the real routing rules and catalog, as the router would publish them."""
    catalog = load_catalog()
    cases = []
    for index in range(count):
        parsed = Ticket.model_validate(ticket(run, index))
        case_id = case_id_for(parsed.channel, parsed.external_id)
        routing = route_ticket(parsed, catalog)
        received_at = datetime.now(UTC)
        cases.append(RoutedCase(case_id=case_id, received_at=received_at, ticket=parsed, routing=routing))
    return cases


async def start_case(client: Client, routed: RoutedCase, *, task_queue: str = CASE_TASK_QUEUE) -> None:
    await client.start_workflow(
        FirstContactCase.run,
        routed,
        id=workflow_id_for(routed.case_id),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        search_attributes=case_search_attributes(routed),
    )


async def engine_step(client: Client, watch: AssignedWatch, rate: float, seconds: float) -> Step:
    """Start cases at `rate`/s for `seconds`; wait until each one's unit was told (or the drain time passes)."""
    cases = routed_cases(uuid.uuid4().hex[:8], max(1, round(rate * seconds)))
    called_at: dict[str, float] = {}
    errors: Counter[str] = Counter()

    async def fire(index: int) -> bool:
        routed = cases[index]
        called_at[routed.case_id] = time.time()
        try:
            await start_case(client, routed)
        except Exception as exc:
            errors[type(exc).__name__] += 1
            return False
        return True

    answers = await fire_at_rate(rate, seconds, fire)
    accepted = [c.case_id for c, ok in zip(cases, answers, strict=True) if ok]
    published = watch.published
    await published.wait_for(accepted, timeout=DRAIN_SECONDS)
    return Step.measured(
        rate=rate,
        seconds=seconds,
        offered=len(cases),
        accepted=accepted,
        called_at=called_at,
        completed_at=published.at,
        completion="start_to_assigned_published",
        error_kinds=errors,
    )
