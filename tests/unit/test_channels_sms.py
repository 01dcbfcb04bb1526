"""SMS through a gateway's generic HTTP API, against a real local server: one request per phone, templated body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio

from services.contracts.events import EventKind
from services.contracts.unit_channels import SmsChannel as SmsSetting
from services.contracts.unit_channels import UnitChannels
from services.notifier.channels.base import Delivery
from services.notifier.channels.sms import SmsChannel
from services.notifier.outbound_http import OutboundHttp
from services.notifier.rendering import Part, TemplateRenderer
from services.notifier.settings import SmsGatewaySettings
from tests.support.receiver import WebhookReceiver
from tests.unit.event_builders import realistic_event

RENDERER = TemplateRenderer()
PHONES = ["13800000001", "13900000002"]


@pytest_asyncio.fixture
async def gateway() -> AsyncIterator[WebhookReceiver]:
    """A gateway that answers `{"code": "0"}` when it accepted the message."""
    server = WebhookReceiver(answer={"code": "0", "msg": "success"})
    await server.start()
    yield server
    await server.stop()


def delivery(phones: list[str] = PHONES) -> Delivery:
    channels = UnitChannels(unit="water", sms=SmsSetting(phones=phones, updated_at=datetime.now(UTC)))
    return Delivery(event=realistic_event(EventKind.CASE_ASSIGNED), channels=channels, renderer=RENDERER)


def settings(gateway: WebhookReceiver, **overrides: object) -> SmsGatewaySettings:
    fields: dict[str, object] = {
        "url": gateway.url("/sms/send"),
        "headers": {"X-Api-Key": "gw-key-1"},
        "success_field": "code",
        "success_value": "0",
    }
    fields.update(overrides)
    return SmsGatewaySettings.model_validate(fields)


async def test_each_phone_gets_one_request_with_the_default_body(gateway: WebhookReceiver) -> None:
    sent = delivery()
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await SmsChannel(http, settings(gateway)).deliver(sent)

    assert (result.delivered, result.detail) == (True, "sent to 2")
    text = RENDERER.render(sent.event, Part.SMS)
    assert [r.json() for r in gateway.received] == [
        {"mobile": phone, "content": text, "requestId": sent.event.event_id} for phone in PHONES
    ]
    assert text == "【市民热线】新工单待签收：小区停水两天无人处理。请于2026-03-02 12:15前签收。工单号3f6c1a9e。"
    for request in gateway.received:
        assert request.path == "/sms/send"
        assert request.headers["x-api-key"] == "gw-key-1"
        assert request.headers["content-type"] == "application/json; charset=utf-8"


async def test_a_city_gateways_own_body_template_is_used(gateway: WebhookReceiver) -> None:
    template = '{"PhoneNumbers": "{{ phone }}", "SignName": "市民热线", "Text": {{ text | tojson }}, "OutId": "{{ event_id }}"}'
    sent = delivery(["13800000001"])
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await SmsChannel(http, settings(gateway, body_template=template)).deliver(sent)

    assert result.delivered, result.detail
    assert json.loads(gateway.received[0].body) == {
        "PhoneNumbers": "13800000001",
        "SignName": "市民热线",
        "Text": RENDERER.render(sent.event, Part.SMS),
        "OutId": sent.event.event_id,
    }


async def test_a_gateway_refusing_in_its_answer_is_a_failed_attempt_with_the_phone_masked(
    gateway: WebhookReceiver,
) -> None:
    gateway.answer = {"code": "isv.BUSINESS_LIMIT_CONTROL", "msg": "触发流控"}
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await SmsChannel(http, settings(gateway)).deliver(delivery())

    assert not result.delivered
    assert result.detail == "138****: gateway code='isv.BUSINESS_LIMIT_CONTROL'"
    assert "13800000001" not in result.detail
    assert len(gateway.requests) == 1  # the next phone waits for the retry


async def test_without_a_success_field_any_2xx_is_delivered_and_an_error_status_is_not(
    gateway: WebhookReceiver,
) -> None:
    gateway.answer = {"anything": True}
    async with OutboundHttp(timeout_seconds=2) as http:
        channel = SmsChannel(http, settings(gateway, success_field=None))
        assert (await channel.deliver(delivery())).delivered
        gateway.failures_to_answer = 1
        failed = await channel.deliver(delivery())

    assert (failed.delivered, failed.detail) == (False, "138****: HTTP 500")


def test_sms_is_configured_only_with_a_gateway_and_phones() -> None:
    with_phones = delivery().channels
    without = UnitChannels(unit="water")
    http = OutboundHttp(timeout_seconds=1)

    assert SmsChannel(http, SmsGatewaySettings(url="http://127.0.0.1:9/sms")).configured(with_phones)
    assert not SmsChannel(http, SmsGatewaySettings()).configured(with_phones)
    assert not SmsChannel(http, SmsGatewaySettings(url="http://127.0.0.1:9/sms")).configured(without)
