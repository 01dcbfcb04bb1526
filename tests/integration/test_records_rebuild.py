"""`hotline records rebuild` on the running system: the records it rebuilds equal those the live projection made,
from the case event log, and from Temporal for a case the log no longer holds; a case Temporal has let go (a deleted
workflow) reads the same from the records as it did from its workflow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from services.contracts.case_event_log import case_events_subject
from services.contracts.case_ids import workflow_id_for
from services.contracts.payload_keys import build_keyring
from services.contracts.subjects import CASE_EVENTS_STREAM
from tests.support.case_lifecycle import Case, accepted_case, act, actions, open_case
from tests.support.polling import assert_eventually
from tests.support.records import (
    hotline,
    record_of,
    recorded_case_ids,
    records_service_stopped,
    wait_until_recorded,
)
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

KEYRING = build_keyring("", "", development=True)
SATISFIED = {"speed": "satisfied", "outcome": "satisfied", "comment": "处理及时"}


@dataclass
class Rebuilt:
    """One rebuild of the records, with the cases before and after it."""

    output: str
    cases: list[str]  # taken from the stream
    purged: str  # its events purged from the stream first: taken from Temporal
    before: dict[str, Case]
    after: dict[str, Case]
    every_case_before: set[str]
    every_case_after: set[str]


@pytest_asyncio.fixture(scope="module")
async def rebuilt(
    system: RunningSystem, api: httpx.AsyncClient, temporal_client: Client, database: AsyncEngine
) -> Rebuilt:
    """Cases in several states, one of them purged from the stream, rebuilt while the records service is stopped
    (one rebuild for both tests: each costs seconds)."""
    cases = await cases_in_several_states(api)
    purged: str = (await accepted_case(api, category="LS-06", unit="water", title="水压不足"))["case_id"]
    await act(api, purged, "feedback", {"unit": "water", "message": "已安排检修"})
    for case_id in [*cases, purged]:
        await wait_until_recorded(database, temporal_client, case_id)
    before = {case_id: await record_of(database, case_id, KEYRING) for case_id in [*cases, purged]}
    every_case_before = await recorded_case_ids(database)
    nc = await system.nats.connect()
    try:
        await nc.jetstream().purge_stream(CASE_EVENTS_STREAM.name, subject=case_events_subject(purged))
    finally:
        await nc.close()

    async with records_service_stopped(system):
        output = await hotline(system, "records", "rebuild")
        after = {case_id: await record_of(database, case_id, KEYRING) for case_id in [*cases, purged]}
        every_case_after = await recorded_case_ids(database)
    return Rebuilt(output, cases, purged, before, after, every_case_before, every_case_after)


async def cases_in_several_states(api: httpx.AsyncClient) -> list[str]:
    """A closed case, one being worked on, one just assigned."""
    working: str = (await accepted_case(api, category="LS-04", unit="civil-affairs", title="老年食堂饭菜质量差"))[
        "case_id"
    ]
    await act(api, working, "progress", {"unit": "civil-affairs", "done": "已约谈食堂运营方", "next": "下周回访"})
    assigned: str = (await open_case(api, category="LS-06", title="小区停水"))["case_id"]
    return [await closed_case(api), working, assigned]


async def closed_case(api: httpx.AsyncClient) -> str:
    """A case signed for, answered, resolved and rated: closed."""
    case_id: str = (await accepted_case(api, category="LS-06", unit="water", title="自来水发黄有异味"))["case_id"]
    await act(api, case_id, "feedback", {"unit": "water", "message": "已联系来电人，今日上门检测"})
    await act(api, case_id, "resolve", {"unit": "water", "note": "已冲洗管网，水质检测合格"})
    await act(api, case_id, "rating", SATISFIED)
    return case_id


def rebuilt_counts(output: str) -> dict[str, int]:
    """The report's figures: cases from the stream, from Temporal, skipped."""
    found = re.search(r"(\d+) from the stream .* (\d+) from Temporal, (\d+) skipped", output)
    assert found, output
    return dict(zip(("stream", "temporal", "skipped"), map(int, found.groups()), strict=True))


async def test_the_rebuilt_records_equal_the_live_ones(rebuilt: Rebuilt) -> None:
    assert rebuilt_counts(rebuilt.output)["stream"] >= len(rebuilt.cases), rebuilt.output
    for case_id in rebuilt.cases:
        assert case_id not in rebuilt.output, rebuilt.output  # not skipped
        assert rebuilt.after[case_id] == rebuilt.before[case_id], case_id
        assert rebuilt.after[case_id]["facts"], case_id  # each case reached a unit: it has facts
    assert rebuilt.every_case_after >= rebuilt.every_case_before


async def test_a_case_the_stream_no_longer_holds_is_rebuilt_from_temporal_and_then_followed_again(
    rebuilt: Rebuilt, api: httpx.AsyncClient, temporal_client: Client, database: AsyncEngine
) -> None:
    case_id = rebuilt.purged
    before, after = rebuilt.before[case_id], rebuilt.after[case_id]
    assert rebuilt_counts(rebuilt.output)["temporal"] >= 1 and case_id not in rebuilt.output, rebuilt.output
    assert (after["record"], after["ticket"], after["search"]) == (before["record"], before["ticket"], before["search"])
    assert after["search"] is not None
    # The units' facts come from the events' kinds, times and actors, which the timeline keeps.
    assert after["facts"] == before["facts"] and after["facts"], after["facts"]
    # Temporal keeps each event's timeline entry (time, actor, kind, words), not the fields the stream carried.
    assert [without_fields(event) for event in after["events"]] == [without_fields(e) for e in before["events"]]

    # The records service, started again, goes on with the case's next event.
    await act(api, case_id, "progress", {"unit": "water", "done": "已更换减压阀"})
    await wait_until_recorded(database, temporal_client, case_id)
    followed = await record_of(database, case_id, KEYRING)
    assert [event["kind"] for event in followed["events"]][-1] == "progress"
    assert followed["record"]["last_sequence"] == before["record"]["last_sequence"] + 1


async def test_a_closed_case_deleted_from_temporal_reads_the_same_from_the_records(
    api: httpx.AsyncClient, temporal_client: Client, database: AsyncEngine
) -> None:
    case_id = await closed_case(api)
    handle = temporal_client.get_workflow_handle(workflow_id_for(case_id))
    await assert_eventually(
        lambda: _status_is(handle.describe(), WorkflowExecutionStatus.COMPLETED), what="the case's workflow ended"
    )
    await wait_until_recorded(database, temporal_client, case_id)
    before = (await api.get(f"/v1/cases/{case_id}")).json()

    await temporal_client.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(
            namespace=temporal_client.namespace, workflow_execution=WorkflowExecution(workflow_id=handle.id)
        )
    )
    await assert_eventually(lambda: _gone(handle.describe()), what="the case's workflow deleted")
    after = await api.get(f"/v1/cases/{case_id}")

    assert after.status_code == 200, after.text
    assert (before["status"], actions(before)[0], actions(before)[-1]) == ("closed", "received", "closed")
    assert after.json() == before


def without_fields(event: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in event.items() if name != "fields"}


async def _status_is(described: Any, status: WorkflowExecutionStatus) -> None:
    assert (await described).status is status


async def _gone(described: Any) -> None:
    try:
        await described
    except RPCError as exc:
        assert exc.status is RPCStatusCode.NOT_FOUND, exc
        return
    raise AssertionError("still there")
