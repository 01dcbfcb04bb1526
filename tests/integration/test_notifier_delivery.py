"""The notifier keeps an event until the unit's receiver takes it."""

from __future__ import annotations

import asyncio

import httpx

from tests.integration.conftest import RunningSystem
from tests.integration.test_end_to_end import set_webhook
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.support.tickets import ticket_body


async def failed_attempts(system: RunningSystem) -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{system.services['notifier'].base_url}/metrics/")).text
    for line in text.splitlines():
        if line.startswith('hotline_notifier_delivery_attempts_total{channel="webhook",result="failed"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_event_published_while_receiver_is_down_arrives_when_it_is_up(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    receiver = WebhookReceiver()  # not started yet: its port refuses connections
    await set_webhook(api, "education", receiver.url())
    failures_before = await failed_attempts(system)
    body = ticket_body(category_code="LS-05", title="学校乱收费", township="donghu-street")
    case_id = (await api.post("/v1/cases", json=body)).json()["case_id"]

    async def notifier_tried() -> None:
        assert await failed_attempts(system) >= failures_before + 2

    await assert_eventually(notifier_tried, what="failed delivery attempts while the receiver is down")
    await receiver.start()
    try:

        async def delivered() -> None:
            assert len(receiver.for_case(case_id)) == 1

        await assert_eventually(delivered, what="delivery once the receiver is up")
        await asyncio.sleep(1.5)  # retries would have produced a second delivery by now
        assert len(receiver.for_case(case_id)) == 1
        assert receiver.for_case(case_id)[0].json()["kind"] == "case_assigned"
    finally:
        await receiver.stop()


async def test_receiver_answering_errors_gets_the_event_after_retries(
    api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    receiver.failures_to_answer = 3
    await set_webhook(api, "transport", receiver.url())
    body = ticket_body(category_code="LS-07", title="公交车不按时发车")
    case_id = (await api.post("/v1/cases", json=body)).json()["case_id"]

    async def delivered() -> None:
        assert len(receiver.for_case(case_id)) == 1

    await assert_eventually(delivered, what="delivery after three 500 answers")
    assert receiver.failures_to_answer == 0
