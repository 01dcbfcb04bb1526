"""A resubmitted ticket or a redelivered routed message never makes a second case or workflow."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
from temporalio.client import Client

from services.contracts.case_ids import case_id_for, intake_msg_id
from services.contracts.cases import ReceivedTicket, RoutedCase, RoutingDecision, RoutingMethod
from services.contracts.subjects import (
    CASE_INTAKE_STREAM,
    CASE_ROUTING_STREAM,
    ROUTER_CONSUMER,
    intake_subject,
    routed_subject,
)
from services.contracts.tickets import Ticket
from tests.integration.test_end_to_end import set_webhook, wait_for_status
from tests.support.case_lifecycle import wait_for_case
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body


async def workflow_count(client: Client, case_id: str) -> int:
    return (await client.count_workflows(f"CaseId = '{case_id}'")).count


async def test_same_ticket_twice_gives_one_case_and_one_workflow(
    api: httpx.AsyncClient, receiver: WebhookReceiver, temporal_client: Client
) -> None:
    await set_webhook(api, "water", receiver.url())
    body = ticket_body()
    first = await api.post("/v1/cases", json=body)
    second = await api.post("/v1/cases", json=body)

    assert first.status_code == 202
    assert second.status_code == 200
    assert first.json() == second.json()
    case_id = first.json()["case_id"]
    assert case_id == case_id_for("12345", body["external_id"])
    await wait_for_status(api, case_id, "assigned")

    async def one_delivery() -> None:
        assert len(receiver.for_case(case_id)) == 1

    await assert_eventually(one_delivery, what="one case_assigned webhook")
    assert await workflow_count(temporal_client, case_id) == 1
    await asyncio.sleep(1.0)  # a second workflow or event would have shown up by now
    assert len(receiver.for_case(case_id)) == 1
    assert await workflow_count(temporal_client, case_id) == 1


async def test_duplicate_answer_comes_from_the_case_index_not_the_dedup_window(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """The resubmission publishes nothing at all, so the answer holds after JetStream's window has passed."""
    nc = await system.nats.connect()
    js = nc.jetstream()
    try:
        body = ticket_body()
        assert (await api.post("/v1/cases", json=body)).status_code == 202
        before = (await js.stream_info(CASE_INTAKE_STREAM.name)).state.last_seq
        assert (await api.post("/v1/cases", json=body)).status_code == 200
        after = (await js.stream_info(CASE_INTAKE_STREAM.name)).state.last_seq
        assert after == before
    finally:
        await nc.close()


async def test_concurrent_resubmissions_create_exactly_one_case(
    api: httpx.AsyncClient, temporal_client: Client
) -> None:
    body = ticket_body()
    answers = await asyncio.gather(*(api.post("/v1/cases", json=body) for _ in range(8)))

    assert sorted(a.status_code for a in answers) == [200] * 7 + [202]
    assert len({a.json()["case_id"] for a in answers}) == 1
    case_id = answers[0].json()["case_id"]
    await wait_for_status(api, case_id, "assigned")
    assert await workflow_count(temporal_client, case_id) == 1


async def test_a_redelivered_routed_message_starts_no_second_workflow(
    api: httpx.AsyncClient, system: RunningSystem, receiver: WebhookReceiver, temporal_client: Client
) -> None:
    await set_webhook(api, "market-regulation", receiver.url())
    ticket = Ticket.model_validate(ticket_body(category_code="MS-01", title="超市卖过期面包"))
    case_id = case_id_for(ticket.channel, ticket.external_id)
    routed = RoutedCase(
        case_id=case_id,
        received_at=ticket.reported_at,
        ticket=ticket,
        routing=RoutingDecision(
            method=RoutingMethod.CATEGORY_CODE, item="MS-01", unit="market-regulation", catalog_version="test"
        ),
    )
    nc = await system.nats.connect()
    js = nc.jetstream()
    try:
        # Two publishes with different msg ids: JetStream keeps both, as after a redelivery outside the window.
        for attempt in ("a", "b"):
            await js.publish(
                routed_subject("market-regulation"),
                routed.model_dump_json().encode(),
                stream=CASE_ROUTING_STREAM.name,
                headers={"Nats-Msg-Id": f"test-redelivery-{case_id}-{attempt}"},
            )
    finally:
        await nc.close()

    async def one_delivery() -> None:
        assert len(receiver.for_case(case_id)) == 1

    await assert_eventually(one_delivery, what="case_assigned delivered")
    await asyncio.sleep(1.0)
    assert await workflow_count(temporal_client, case_id) == 1
    assert len(receiver.for_case(case_id)) == 1
    metrics = (await httpx.AsyncClient().get(f"{system.services['workflows'].base_url}/metrics/")).text
    assert 'hotline_case_workflow_starts_total{result="duplicate"}' in metrics


async def test_the_first_submission_is_202_even_when_the_router_handled_it_first(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """Intake's index record is intake's alone: a router that routed the ticket to triage before intake wrote it
    (intake slow or restarted between its publish and its write) leaves nothing that turns the 202 into a 200."""
    body = ticket_body(title="物业和电梯", description="物业不管事，电梯也坏了。", category_code=None)
    ticket = Ticket.model_validate(body)
    case_id = case_id_for(ticket.channel, ticket.external_id)
    received = ReceivedTicket(case_id=case_id, received_at=datetime.now(UTC), ticket=ticket)
    nc = await system.nats.connect()
    js = nc.jetstream()
    try:
        # Intake's publish, as intake makes it, landed; its index write has not happened yet.
        await js.publish(
            intake_subject(ticket.channel),
            received.model_dump_json().encode(),
            stream=CASE_INTAKE_STREAM.name,
            headers={"Nats-Msg-Id": intake_msg_id(ticket.channel, ticket.external_id)},
        )
        await wait_for_case(
            api,
            case_id,
            lambda c: c["status"] == "triage" and c["deadlines"]["triage"] is not None,
            what="waiting for triage, with its deadline",
        )

        async def router_done() -> None:
            info = await js.consumer_info(ROUTER_CONSUMER.stream.name, ROUTER_CONSUMER.durable)
            assert (info.num_pending, info.num_ack_pending) == (0, 0), (info.num_pending, info.num_ack_pending)

        await assert_eventually(router_done, timeout=30, what="the router has acknowledged the ticket")
    finally:
        await nc.close()

    first = await api.post("/v1/cases", json=body)

    assert (first.status_code, first.json()["case_id"]) == (202, case_id), first.text
    again = await api.post("/v1/cases", json=body)
    assert (again.status_code, again.json()["case_id"]) == (200, case_id), again.text
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert (case["status"], case["routing"]["method"]) == ("triage", "text")
