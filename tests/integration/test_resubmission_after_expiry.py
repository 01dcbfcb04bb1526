"""Through the API, on a system whose `case_index` keys live seconds: a resubmission after its key expired is
answered 200 with the same case id from the case records, and starts nothing; the case is still read, also once
its workflow is gone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from nats.js.errors import KeyNotFoundError
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from services.contracts.case_ids import workflow_id_for
from services.contracts.settings import ServiceSettings
from services.contracts.subjects import CASE_INDEX_BUCKET, CASE_INTAKE_STREAM
from services.engines.records_db.connection import open_records
from services.engines.temporal import connect_temporal
from services.intake.case_records import CaseRecords
from tests.integration.test_end_to_end import wait_for_status
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

TTL_SECONDS = 3.0


@pytest_asyncio.fixture(scope="module")
async def short_index(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    """The system with the records, every service told that index keys live `TTL_SECONDS`."""
    env = {"HOTLINE_CASE_INDEX_TTL_DAYS": repr(TTL_SECONDS / 86400)}
    running = await RunningSystem.start(Path(tmp_path_factory.mktemp("short-index")), extra_env=env, with_records=True)
    try:
        yield running
    finally:
        running.stop()


async def test_a_resubmission_after_the_key_expired_is_the_same_case_and_starts_nothing(
    short_index: RunningSystem,
) -> None:
    system = short_index
    assert system.postgres is not None
    temporal = await connect_temporal(ServiceSettings(temporal_address=system.temporal.address))
    records = CaseRecords(open_records(system.postgres.url))
    nc = await system.nats.connect()
    js = nc.jetstream()
    body = ticket_body()
    try:
        async with system.client() as api:
            first = await api.post("/v1/cases", json=body)
            assert first.status_code == 202, first.text
            case_id = first.json()["case_id"]
            await wait_for_status(api, case_id, "assigned")

            async def recorded() -> None:
                assert await records.exists(case_id)

            await assert_eventually(recorded, what="the case in the records")
            index = await js.key_value(CASE_INDEX_BUCKET.name)
            assert (await js.stream_info(f"KV_{CASE_INDEX_BUCKET.name}")).config.max_age == pytest.approx(TTL_SECONDS)

            async def expired() -> None:
                try:
                    await index.get(case_id)
                except KeyNotFoundError:
                    return
                raise AssertionError("the index key is still there")

            await assert_eventually(expired, timeout=TTL_SECONDS + 10, what="the case's index key expired")
            published = (await js.stream_info(CASE_INTAKE_STREAM.name)).state.last_seq

            again = await api.post("/v1/cases", json=body)

            assert (again.status_code, again.json()["case_id"]) == (200, case_id), again.text
            assert (await api.get(f"/v1/cases/{case_id}")).json()["status"] == "assigned"
            # The workflow engine lets the case go (as its retention would): the records still answer for it.
            await delete_workflow(temporal, workflow_id_for(case_id))
            kept = await api.get(f"/v1/cases/{case_id}")
            assert (kept.status_code, kept.json()["status"]) == (200, "assigned"), kept.text
            once_more = await api.post("/v1/cases", json=body)
            assert (once_more.status_code, once_more.json()["case_id"]) == (200, case_id), once_more.text

            await asyncio.sleep(1.0)  # a second case would have reached the workflow engine by now
            assert (await js.stream_info(CASE_INTAKE_STREAM.name)).state.last_seq == published
            assert not await workflow_exists(temporal, workflow_id_for(case_id))
            metrics = (await api.get("/metrics")).text
            assert 'hotline_intake_records_lookups_total{result="found"} 2.0' in metrics
    finally:
        await nc.close()
        await records.engine.dispose()


async def delete_workflow(temporal: Client, workflow_id: str) -> None:
    """Gone from the workflow engine, as after its retention (`temporal workflow delete`)."""
    await temporal.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(
            namespace=temporal.namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id)
        )
    )

    async def deleted() -> None:
        assert not await workflow_exists(temporal, workflow_id)

    await assert_eventually(deleted, what=f"{workflow_id} deleted")


async def workflow_exists(temporal: Client, workflow_id: str) -> bool:
    try:
        await temporal.get_workflow_handle(workflow_id).describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True
