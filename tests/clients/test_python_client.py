"""The Python client against the running API, as a platform uses it: its callback key set, a ticket submitted twice
(one case), the case and its ticket read, a rating refused while the case is open and taken once it is resolved,
every refusal a `ProblemError` with its code; and the status callbacks of its ticket, signed by the real notifier
with the platform's key, taken by the receiver example."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio
from hotline_client import AsyncHotlineClient, HotlineClient, ProblemError, Rating, Ticket, TicketCaller

from clients.examples.webhook_receiver import Inbox, create_app
from tests.support.local_http import LocalHttpServer
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_server_errors")]

CALLBACK_KEY = "grid-callbacks-0123456789abcdef"
PATH = "/hotline/callbacks"


@pytest_asyncio.fixture
async def platform(system: RunningSystem) -> AsyncIterator[AsyncHotlineClient]:
    """The grid platform's client (no other test sets the grid's callback key)."""
    async with AsyncHotlineClient(system.api_url, system.keys["platform-grid"]) as client:
        yield client


@pytest_asyncio.fixture
async def callbacks() -> AsyncIterator[tuple[Inbox, str]]:
    """The receiver example, checking with the grid's callback key: what it kept, and its URL."""
    inbox, server = Inbox(), LocalHttpServer()
    await server.start(create_app(CALLBACK_KEY, inbox, path=PATH))
    yield inbox, f"http://127.0.0.1:{server.port}{PATH}"
    await server.stop()


def grid_ticket(callback_url: str) -> Ticket:
    return Ticket(
        channel="grid",
        external_id=f"grid-{uuid.uuid4().hex[:12]}",
        title="小区停水两天无人处理",
        description="网格员上报：幸福家园小区从前天开始停水，至今没有恢复。",
        category_code="LS-06",
        township="hekou-town",
        caller=TicketCaller(name="王女士", phone="13800000000"),
        reported_at=datetime.now(UTC),
        callback_url=callback_url,
    )


async def test_a_platform_submits_reads_and_rates_its_case(
    platform: AsyncHotlineClient, system: RunningSystem, api: httpx.AsyncClient, callbacks: tuple[Inbox, str]
) -> None:
    generated = await platform.set_callback_secret("grid")
    assert generated.platform == "grid" and generated.secret  # shown once
    assert (await platform.set_callback_secret("grid", CALLBACK_KEY)).secret is None  # its own: not shown back
    inbox, callback_url = callbacks
    ticket = grid_ticket(callback_url)
    first = await platform.submit_ticket(ticket)
    again = await platform.submit_ticket(ticket)
    assert (first.created, again.created, again.case_id) == (True, False, first.case_id)
    case_id = first.case_id

    async def assigned() -> None:
        assert (await platform.get_case(case_id)).status == "assigned"

    await assert_eventually(assigned, what="the case assigned to its unit")
    with HotlineClient(system.api_url, system.keys["platform-grid"]) as blocking:
        case = await asyncio.to_thread(blocking.get_case, case_id)
    assert (case.channel, case.external_id, case.handling_unit) == ("grid", ticket.external_id, "water")
    whole = await platform.get_ticket(case_id)
    assert (whole.description, whole.caller) == (
        ticket.description,
        {"name": "王女士", "phone": "13800000000", "confidential": False},
    )

    rating = Rating(speed="satisfied", outcome="basically_satisfied", comment="处理及时")
    with pytest.raises(ProblemError) as early:
        await platform.rate_case(case_id, rating)
    assert (early.value.status, early.value.code) == (409, "wrong_case_status")

    for action in ("accept", "resolve"):
        answer = await api.post(f"/v1/cases/{case_id}/{action}", json={"unit": "water", "note": "已恢复供水"})
        assert answer.status_code == 200, answer.text
    rated = await platform.rate_case(case_id, rating)
    assert (rated.status, rated.closed_reason) == ("closed", "rated")

    async def told() -> None:
        kinds = [event.kind for event in inbox.events if event.case_id == case_id]
        assert kinds[:1] == ["case_assigned"] and kinds[-1:] == ["case_closed"], kinds

    await assert_eventually(told, what="the platform's signed callbacks, in order, taken by the receiver example")


async def test_refusals_are_problem_errors_with_their_codes(
    platform: AsyncHotlineClient, system: RunningSystem
) -> None:
    with pytest.raises(ProblemError) as unknown:
        await platform.get_case(str(uuid.uuid4()))
    assert (unknown.value.status, unknown.value.code) == (404, "case_not_found")

    with pytest.raises(ProblemError) as not_its_channel:
        await platform.submit_ticket(grid_ticket("https://example.gov.cn/cb").model_copy(update={"channel": "12345"}))
    assert (not_its_channel.value.status, not_its_channel.value.code) == (403, "channel_not_allowed")

    with pytest.raises(ProblemError) as overseers_only:
        await platform.list_notifications(str(uuid.uuid4()))
    assert (overseers_only.value.status, overseers_only.value.code) == (403, "client_kind_not_allowed")

    async with AsyncHotlineClient(system.api_url, "hk_unknown_0") as stranger:
        with pytest.raises(ProblemError) as refused:
            await stranger.get_case(str(uuid.uuid4()))
    assert (refused.value.status, refused.value.code) == (401, "api_key_invalid")


async def test_the_coordination_centre_lists_a_cases_notifications(
    platform: AsyncHotlineClient, system: RunningSystem
) -> None:
    receipt = await platform.submit_ticket(
        grid_ticket("https://example.gov.cn/cb").model_copy(update={"callback_url": None})
    )
    async with AsyncHotlineClient(system.api_url, system.keys["coordination-centre"]) as centre:

        async def listed() -> None:
            kinds = {n.kind for n in await centre.list_notifications(receipt.case_id)}
            assert "case_assigned" in kinds, kinds

        await assert_eventually(listed, what="the case's notifications")
