"""The workflow starter: each spec starts its workflow once under its id, acks a duplicate, retries a passing failure,
terminates what can never start, and counts each under its own metric."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from prometheus_client import REGISTRY
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from services.contracts import search_attributes as sa
from services.contracts.cases import RoutedCase
from services.contracts.subjects import CASE_TASK_QUEUE
from services.engines.pull_consumer import Outcome, RetryPolicy, Verdict
from services.workflows.case.first_contact_case import FirstContactCase
from services.workflows.triage.triage_case import TriageCase
from services.workflows.workflow_starter import CASE_START, STARTS, TRIAGE_START, StartSpec, WorkflowStarter
from tests.unit.test_pull_consumer import FakeMsg
from tests.workflows.harness import case_for_triage, routed_case

RETRY = RetryPolicy(base_seconds=1.0, max_seconds=8.0)


@dataclass
class FakeClient:
    """Stands in for the Temporal client: records each start, or fails it as told."""

    fails_with: Exception | None = None
    starts: list[tuple[Any, RoutedCase, dict[str, Any]]] = field(default_factory=list)

    async def start_workflow(self, workflow: Any, argument: RoutedCase, **options: Any) -> None:
        if self.fails_with is not None:
            raise self.fails_with
        self.starts.append((workflow, argument, options))


def starts_counted(spec: StartSpec, result: str) -> float:
    """The spec's metric, read by its exported name."""
    name = "hotline_case_workflow_starts_total" if spec is CASE_START else "hotline_triage_workflow_starts_total"
    return REGISTRY.get_sample_value(name, {"result": result}) or 0.0


async def handle(spec: StartSpec, routed: RoutedCase, client: FakeClient) -> Outcome:
    starter = WorkflowStarter(cast(Client, client), spec, retry=RETRY)
    return await starter.handle(cast(Any, FakeMsg(routed.model_dump_json().encode())))


def received() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize(
    ("spec", "routed", "workflow", "prefix", "status"),
    [
        (CASE_START, routed_case(received_at=received()), FirstContactCase.run, "case-", "assigned"),
        (TRIAGE_START, case_for_triage(received()), TriageCase.run, "triage-", "triage"),
    ],
    ids=["case", "triage"],
)
async def test_a_message_starts_its_workflow_once_under_its_id(
    spec: StartSpec, routed: RoutedCase, workflow: Any, prefix: str, status: str
) -> None:
    client = FakeClient()
    before = starts_counted(spec, "started")

    assert await handle(spec, routed, client) == Outcome.ack()

    [(started, argument, options)] = client.starts
    assert (started, argument) == (workflow, routed)
    assert options["id"] == f"{prefix}{routed.case_id}"
    assert options["task_queue"] == CASE_TASK_QUEUE
    assert options["id_reuse_policy"] is WorkflowIDReusePolicy.REJECT_DUPLICATE
    assert options["id_conflict_policy"] is WorkflowIDConflictPolicy.FAIL
    attributes = options["search_attributes"]
    assert (attributes.get(sa.CASE_ID), attributes.get(sa.CASE_STATUS)) == (routed.case_id, status)
    assert options["static_summary"] == spec.summary(routed)
    assert options["static_summary"].endswith(f" · {status}")  # what the Web UI lists
    assert starts_counted(spec, "started") == before + 1


@pytest.mark.parametrize("spec", STARTS, ids=["case", "triage"])
async def test_a_redelivered_message_is_acked_as_a_duplicate(spec: StartSpec) -> None:
    routed = routed_case(received_at=received())
    client = FakeClient(fails_with=WorkflowAlreadyStartedError(spec.workflow_id(routed.case_id), "any"))
    before = starts_counted(spec, "duplicate")

    assert await handle(spec, routed, client) == Outcome.ack()
    assert starts_counted(spec, "duplicate") == before + 1


async def test_a_passing_failure_is_retried_with_backoff() -> None:
    client = FakeClient(fails_with=RPCError("temporal unavailable", RPCStatusCode.UNAVAILABLE, b""))

    outcome = await handle(CASE_START, routed_case(received_at=received()), client)

    assert outcome.verdict is Verdict.NAK
    # The third delivery (FakeMsg's): between half and all of 4 s.
    assert outcome.delay_seconds is not None and 2.0 <= outcome.delay_seconds <= 4.0
    assert "temporal unavailable" in outcome.reason


async def test_a_routed_case_without_a_unit_is_terminated_and_nothing_started() -> None:
    routed = routed_case(received_at=received())
    routed.routing.unit = None
    client = FakeClient()

    outcome = await handle(CASE_START, routed, client)

    assert outcome.verdict is Verdict.TERM and "names no unit" in outcome.reason
    assert client.starts == []


def test_each_start_has_its_own_durable_consumer() -> None:
    assert [(spec.consumer.durable, spec.consumer.filter_subject) for spec in STARTS] == [
        ("case-starter", "cases.routed.>"),
        ("triage-starter", "cases.triage"),
    ]
