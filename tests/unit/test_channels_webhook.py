"""The webhook channel against a real local HTTP receiver: the signed event as JSON, and what counts as failure."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from services.contracts import unit_channels
from services.contracts.case_event_log import PersonalData
from services.contracts.events import EventKind
from services.contracts.payload_keys import build_keyring
from services.engines.sealed_data import seal
from services.notifier.channels.base import Delivery
from services.notifier.channels.webhook import WebhookChannel
from services.notifier.outbound_http import OutboundHttp
from services.notifier.rendering import TemplateRenderer
from tests.support.documented_receiver import verify
from tests.support.receiver import WebhookReceiver
from tests.unit.event_builders import realistic_event

SECRET = "kJ3x9Qm2Lw8Rt5Yv1Zp7Nc4Hd6Gf0Ab"
DEVELOPMENT_KEYRING = build_keyring("", "", development=True)


DESCRIPTION = "幸福家园小区从前天早上开始停水，联系人王秀英，电话13812345678。"


def delivery_to(url: str, *, description: str | None = None) -> Delivery:
    channels = unit_channels.UnitChannels(
        unit="water", webhook=unit_channels.WebhookChannel(url=url, secret=SECRET, updated_at=datetime.now(UTC))
    )
    event = realistic_event(EventKind.CASE_ASSIGNED)
    if description is not None:
        event.sealed_ticket = seal(PersonalData(description=description), DEVELOPMENT_KEYRING)
    return Delivery(event=event, channels=channels, renderer=TemplateRenderer(), description=description)


async def test_the_event_arrives_as_json_signed_so_the_documented_receiver_accepts_it(
    receiver: WebhookReceiver,
) -> None:
    delivery = delivery_to(receiver.url("/hotline/events"))
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await WebhookChannel(http).deliver(delivery)

    assert (result.delivered, result.detail) == (True, "200")
    [request] = receiver.received
    assert request.path == "/hotline/events"
    assert verify(SECRET, httpx.Headers(request.headers), request.body)
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["x-hotline-event-kind"] == "case_assigned"
    event = delivery.event
    assert request.headers["x-hotline-event-id"] == request.headers["idempotency-key"] == event.event_id
    assert json.loads(request.body) == json.loads(event.model_dump_json(exclude={"sealed_ticket"}))
    assert request.json()["title"] == "小区停水两天无人处理"


async def test_the_units_webhook_gets_the_description_opened_and_never_its_sealed_form(
    receiver: WebhookReceiver,
) -> None:
    delivery = delivery_to(receiver.url(), description=DESCRIPTION)
    async with OutboundHttp(timeout_seconds=2) as http:
        assert (await WebhookChannel(http).deliver(delivery)).delivered

    [request] = receiver.received
    body = request.json()
    assert body["description"] == DESCRIPTION
    assert "sealed_ticket" not in body
    assert verify(SECRET, httpx.Headers(request.headers), request.body)


async def test_each_attempt_is_signed_again_with_its_own_timestamp(receiver: WebhookReceiver) -> None:
    delivery = delivery_to(receiver.url())
    async with OutboundHttp(timeout_seconds=2) as http:
        for _ in range(2):
            assert (await WebhookChannel(http).deliver(delivery)).delivered

    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    for request in (first, second):
        assert verify(SECRET, httpx.Headers(request.headers), request.body)


async def test_an_error_status_is_a_failed_attempt_named_by_its_status(receiver: WebhookReceiver) -> None:
    receiver.failures_to_answer = 1
    receiver.failure_status = 503
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await WebhookChannel(http).deliver(delivery_to(receiver.url()))

    assert (result.delivered, result.detail) == (False, "HTTP 503")
    assert [r.status for r in receiver.requests] == [503]


async def test_a_receiver_that_is_down_is_a_failed_attempt() -> None:
    down = WebhookReceiver()  # never started: the port refuses connections
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await WebhookChannel(http).deliver(delivery_to(down.url()))

    assert not result.delivered
    assert result.detail.startswith("ConnectError")


async def test_no_answer_within_the_timeout_is_a_failed_attempt(receiver: WebhookReceiver) -> None:
    receiver.answer_delay_seconds = 1.0
    async with OutboundHttp(timeout_seconds=0.2) as http:
        result = await WebhookChannel(http).deliver(delivery_to(receiver.url()))

    assert not result.delivered
    assert result.detail == "Timeout: no answer within 0.2 s"
