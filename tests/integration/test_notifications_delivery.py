"""The notifier keeps an event until the unit's receiver takes it, records every attempt, and never loses one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support.documented_receiver import verify
from tests.support.engines import free_port
from tests.support.notifications import metric_total, of, wait_for_notification
from tests.support.polling import assert_eventually
from tests.support.receiver import ReceivedRequest, WebhookReceiver
from tests.support.services import ServiceProcess
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

CHANNELS = ("webhook", "email", "dingtalk", "wecom", "sms")


async def submit(api: httpx.AsyncClient, **ticket: Any) -> str:
    response = await api.post("/v1/cases", json=ticket_body(**ticket))
    assert response.status_code == 202, response.text
    case_id: str = response.json()["case_id"]
    return case_id


async def set_webhook(api: httpx.AsyncClient, unit: str, url: str) -> str:
    """Point the unit's webhook at `url`; returns the generated secret, shown this once."""
    response = await api.put(f"/v1/units/{unit}/webhook", json={"url": url})
    assert response.status_code == 200, response.text
    secret: str = response.json()["secret"]
    return secret


@pytest_asyncio.fixture
async def unit_without_channels(api: httpx.AsyncClient) -> AsyncIterator[str]:
    """Development and reform (KW-04) with no channel at all, for this test; its channels are removed after."""
    unit = "development-reform"
    for channel in CHANNELS:
        assert (await api.delete(f"/v1/units/{unit}/{channel}")).status_code == 200
    yield unit
    for channel in CHANNELS:
        await api.delete(f"/v1/units/{unit}/{channel}")


async def test_an_event_sent_while_the_receiver_is_down_is_delivered_once_when_it_is_up(
    api: httpx.AsyncClient,
) -> None:
    receiver = WebhookReceiver()  # not started yet: its port refuses connections
    await set_webhook(api, "emergency-management", receiver.url("/emergency"))
    try:
        case_id = await submit(api, category_code="EM-01", title="化工厂仓库消防通道被货物堵塞")
        failing = await wait_for_notification(
            api, case_id, lambda s: s["kind"] == "case_assigned" and s["attempts"] >= 2, what="failed attempts"
        )
        assert failing["status"] == "retrying"
        assert failing["last_error"].startswith("ConnectError"), failing["last_error"]

        await receiver.start()
        delivered = await wait_for_notification(api, case_id, of("case_assigned", status="delivered"), what="delivered")

        # Delivered is recorded before the event is acknowledged: no later retry can send it again.
        assert [r.json()["kind"] for r in receiver.for_case(case_id)] == ["case_assigned"]
        record = (await api.get(f"/v1/notifications/{delivered['event_id']}")).json()
        assert [a["ok"] for a in record["attempts"]] == [False] * (len(record["attempts"]) - 1) + [True]
    finally:
        await receiver.stop()
        await api.delete("/v1/units/emergency-management/webhook")


async def test_a_receiver_answering_500_three_times_gets_the_event_on_the_fourth_attempt(
    api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    body = ticket_body(category_code="EM-03", title="楼道里电动车违规充电", township="qingshan-town")
    # Only this case's events fail: events of earlier tests released to the unit must not use up the failures.
    receiver.fail_only = lambda request: request.json().get("external_id") == body["external_id"]
    receiver.failures_to_answer = 3
    secret = await set_webhook(api, "fire-rescue", receiver.url("/fire-rescue"))
    try:
        case_id = await submit(api, **body)

        summary = await wait_for_notification(
            api, case_id, of("case_assigned", unit="fire-rescue", status="delivered"), what="delivered"
        )

        assert summary["attempts"] == 4
        assert summary["last_error"] == "HTTP 500"
        assert summary["channels"]["webhook"]["status"] == "delivered"
        assert summary["channels"]["webhook"]["attempts"] == 4
        assert summary["channels"]["webhook"]["last_error"] is None
        record = (await api.get(f"/v1/notifications/{summary['event_id']}")).json()
        attempts = [(a["channel"], a["ok"], a["detail"]) for a in record["attempts"]]
        assert attempts == [("webhook", False, "HTTP 500")] * 3 + [("webhook", True, "200")]
        tried = [r for r in receiver.requests if r.json()["case_id"] == case_id]
        assert [r.status for r in tried] == [500, 500, 500, 200]
        assert {r.headers["idempotency-key"] for r in tried} == {summary["event_id"]}
        [arrived] = receiver.for_case(case_id)
        assert verify(secret, httpx.Headers(arrived.headers), arrived.body)
    finally:
        await api.delete("/v1/units/fire-rescue/webhook")


async def test_the_webhook_secret_is_shown_once_and_never_again(api: httpx.AsyncClient) -> None:
    unit = "civil-affairs"
    try:
        generated = await api.put(f"/v1/units/{unit}/webhook", json={"url": "http://127.0.0.1:9/civil"})
        secret = generated.json()["secret"]
        assert len(secret) >= 32
        channels = await api.get(f"/v1/units/{unit}/channels")

        assert channels.status_code == 200
        assert channels.json()["webhook"]["signed"] is True
        assert channels.json()["webhook"]["url"] == "http://127.0.0.1:9/civil"
        assert secret not in channels.text and "secret" not in channels.json()

        own = await api.put(f"/v1/units/{unit}/webhook", json={"url": "http://127.0.0.1:9/civil", "secret": "x" * 24})
        assert own.status_code == 200 and own.json()["secret"] is None
        assert "x" * 24 not in (await api.get(f"/v1/units/{unit}/channels")).text
    finally:
        await api.delete(f"/v1/units/{unit}/webhook")


async def test_a_unit_with_no_channel_keeps_its_events_until_it_sets_one(
    api: httpx.AsyncClient, receiver: WebhookReceiver, unit_without_channels: str
) -> None:
    case_id = await submit(
        api, category_code="KW-04", title="高铁站配套道路与管网交叉施工协调", township="shiqiao-town"
    )

    parked = await wait_for_notification(api, case_id, of("case_assigned", unit=unit_without_channels), what="recorded")
    assert parked["status"] == "no_channel"
    assert parked["attempts"] == 0
    assert receiver.for_case(case_id) == []

    await set_webhook(api, unit_without_channels, receiver.url("/development-reform"))

    delivered = await wait_for_notification(
        api, case_id, of("case_assigned", unit=unit_without_channels, status="delivered"), what="released"
    )
    [arrived] = receiver.for_case(case_id)
    assert arrived.json()["event_id"] == parked["event_id"] == delivered["event_id"]
    assert arrived.path == "/development-reform"


async def test_redelivering_an_unknown_event_is_404(api: httpx.AsyncClient) -> None:
    unknown = "00000000-0000-4000-8000-000000000000:7"

    assert (await api.post(f"/v1/notifications/{unknown}/redeliver")).status_code == 404
    assert (await api.get(f"/v1/notifications/{unknown}")).status_code == 404


async def test_two_notifier_instances_deliver_every_event_exactly_once(
    api: httpx.AsyncClient, system: RunningSystem, receiver: WebhookReceiver
) -> None:
    first = system.services["notifier"]
    port = free_port()
    env = {**first.env, "HOTLINE_NOTIFIER_OPS_PORT": str(port)}
    second = ServiceProcess("notifier", port, env, system.workdir / "notifier-2.log")
    await second.start()
    seen: set[str] = set()

    def first_attempt(request: ReceivedRequest) -> bool:
        # Every event fails once, so its retry may be taken by either instance.
        event_id = request.headers["x-hotline-event-id"]
        fresh = event_id not in seen
        seen.add(event_id)
        return fresh

    receiver.fail_only = first_attempt
    receiver.failures_to_answer = 10**6
    try:
        # Both instances see the channel appear and release the unit's parked events (from earlier tests) at once.
        await set_webhook(api, "housing-construction", receiver.url("/housing"))
        bodies = [
            ticket_body(category_code="UC-03", title=f"物业不作为，电梯停运第{n}天", township="donghu-street")
            for n in range(12)
        ]
        case_ids = [await submit(api, **body) for body in bodies]

        async def all_delivered() -> list[ReceivedRequest]:
            arrived = [r for r in receiver.received if r.json()["case_id"] in case_ids]
            assert {r.json()["case_id"] for r in arrived} == set(case_ids), f"{len(arrived)} of {len(case_ids)}"
            return arrived

        arrived = await assert_eventually(all_delivered, timeout=30, what="every case_assigned delivered")
        for case_id in case_ids:
            await wait_for_notification(api, case_id, of("case_assigned", status="delivered"), what="recorded")
        event_ids = [r.json()["event_id"] for r in arrived]
        assert len(event_ids) == len(set(event_ids)) == len(case_ids)
        every_event_ids = [r.headers["x-hotline-event-id"] for r in receiver.received]
        assert len(every_event_ids) == len(set(every_event_ids)), "an event was delivered twice"
        assert second.process is not None and second.process.poll() is None, "the second instance died"
        delivered_by_second = await metric_total(
            second.base_url, "hotline_notifier_delivery_attempts_total", channel="webhook", result="delivered"
        )
        assert delivered_by_second > 0, "the second instance delivered nothing: two instances were not exercised"
    finally:
        await api.delete("/v1/units/housing-construction/webhook")
        second.stop()


async def test_a_webhook_moved_to_a_new_address_gets_the_next_event_there(
    api: httpx.AsyncClient, receiver: WebhookReceiver, unit_without_channels: str
) -> None:
    """The notifier holds units' channels in memory: a change reaches it through the bucket's watch, not a restart."""
    ticket = {"category_code": "KW-04", "title": "高铁站配套道路与管网交叉施工协调", "township": "shiqiao-town"}
    await set_webhook(api, unit_without_channels, receiver.url("/before"))
    first = await submit(api, **ticket)
    await wait_for_notification(api, first, of("case_assigned", status="delivered"), what="first delivered")

    await set_webhook(api, unit_without_channels, receiver.url("/after"))
    second = await submit(api, **ticket)
    await wait_for_notification(api, second, of("case_assigned", status="delivered"), what="second delivered")

    assert [r.path for r in receiver.for_case(first)] == ["/before"]
    assert [r.path for r in receiver.for_case(second)] == ["/after"]


async def test_a_receiver_that_keeps_failing_gets_probes_not_every_event_and_loses_none(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """Its breaker opens after five failures in a row: its events are held (not attempted) and one probe goes
    every 0.5 s (the tests' interval); once it answers, every held event is delivered."""
    notifier = system.services["notifier"].base_url
    receiver = WebhookReceiver(failures_to_answer=10**6, failure_status=503)
    await receiver.start()
    name = f"http://127.0.0.1:{receiver.port}"

    async def breaker(state: str) -> float:
        return await metric_total(
            notifier, "hotline_notifier_receiver_breaker", receiver=name, hotline_notifier_receiver_breaker=state
        )

    try:
        await set_webhook(api, "emergency-management", receiver.url("/emergency"))
        case_ids = [
            await submit(api, category_code="EM-01", title=f"工业园区第{n}号仓库消防通道堵塞") for n in range(8)
        ]
        for case_id in case_ids:
            await wait_for_notification(api, case_id, of("case_assigned", status="retrying"), what="retrying")

        async def opened() -> None:
            assert await breaker("open") + await breaker("half_open") == 1

        await assert_eventually(opened, what="the receiver's breaker is open")
        before = len(receiver.requests)
        await asyncio.sleep(3)
        # Eight events retried every second at most would be 24 requests or more; probes are one per 0.5 s.
        assert len(receiver.requests) - before <= 8, len(receiver.requests) - before
        held = await metric_total(
            notifier, "hotline_notifier_delivery_attempts_total", channel="webhook", result="held"
        )
        assert held > 0

        receiver.failures_to_answer = 0
        attempts = 0
        for case_id in case_ids:
            delivered = await wait_for_notification(
                api, case_id, of("case_assigned", status="delivered"), what="delivered once the receiver is back"
            )
            attempts += delivered["attempts"]
        assert {r.json()["case_id"] for r in receiver.received} >= set(case_ids)
        # A held event is not an attempt: the records count exactly the requests the receiver saw.
        assigned = [
            r for r in receiver.requests if r.json()["case_id"] in case_ids and r.json()["kind"] == "case_assigned"
        ]
        assert attempts == len(assigned)
        assert await breaker("closed") == 1
    finally:
        await api.delete("/v1/units/emergency-management/webhook")
        await receiver.stop()
