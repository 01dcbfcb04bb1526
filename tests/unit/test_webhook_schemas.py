"""What the notifier POSTs is what the API's OpenAPI `webhooks` section says a receiver gets: every kind's body fits
its schema (and no other kind's), no field is undeclared, and every required header is sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import jsonschema_rs
import pytest

from services.contracts import unit_channels
from services.contracts.events import PLATFORM_EVENTS, Audience, EventKind
from services.contracts.settings import Environment
from services.contracts.webhook_bodies import MediaLink
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from services.notifier.channels.base import Delivery
from services.notifier.channels.webhook import WebhookChannel
from services.notifier.outbound_http import OutboundHttp
from services.notifier.platform_callback import PlatformCallback
from services.notifier.rendering import TemplateRenderer
from tests.support.receiver import ReceivedRequest, WebhookReceiver
from tests.unit.event_builders import realistic_event

SECRET = "kJ3x9Qm2Lw8Rt5Yv1Zp7Nc4Hd6Gf0Ab"
DESCRIPTION = "幸福家园小区从前天早上开始停水，至今没有恢复。"
# A photo (with its thumbnail) and a PDF: every field a link may have, and one it may leave null.
MEDIA = (
    MediaLink(
        attachment_id="5f0c2b7e9a1d4c3e8b6a0f1e2d3c4b5a",
        url="https://hotline.example.gov.cn/v1/attachment-downloads/eyJj.k1.c2ln",
        thumbnail_url="https://hotline.example.gov.cn/v1/attachment-downloads/eyJk.k1.c2lo",
        expires_at=datetime(2026, 3, 5, 2, 15, tzinfo=UTC),
    ),
    MediaLink(
        attachment_id="6a1d3c2b8e9f4a0b7c6d5e4f3a2b1c0d",
        url="https://hotline.example.gov.cn/v1/attachment-downloads/eyJl.k1.c2lp",
        expires_at=datetime(2026, 3, 5, 2, 15, tzinfo=UTC),
    ),
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    app = create_app(IntakeSettings(_env_file=None, environment=Environment.DEVELOPMENT))
    return app.openapi()


def body_schema(schema: dict[str, Any], webhook: str) -> jsonschema_rs.Validator:
    """The webhook's body schema, its references resolved in the whole document."""
    body = schema["webhooks"][webhook]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**body, "components": schema["components"]})


def properties(schema: dict[str, Any], model: str) -> set[str]:
    return set(schema["components"]["schemas"][model]["properties"])


def assert_headers_declared(schema: dict[str, Any], webhook: str, request: ReceivedRequest) -> None:
    sent = httpx.Headers(request.headers)
    for parameter in schema["webhooks"][webhook]["post"]["parameters"]:
        assert parameter["in"] == "header"
        if parameter["required"]:
            assert parameter["name"] in sent, parameter["name"]


@pytest.mark.parametrize("kind", list(EventKind))
async def test_each_webhook_delivery_fits_its_kinds_schema(
    schema: dict[str, Any], receiver: WebhookReceiver, kind: EventKind
) -> None:
    channels = unit_channels.UnitChannels(
        unit="water",
        webhook=unit_channels.WebhookChannel(url=receiver.url(), secret=SECRET, updated_at=datetime.now(UTC)),
    )
    delivery = Delivery(
        event=realistic_event(kind),
        channels=channels,
        renderer=TemplateRenderer(),
        description=DESCRIPTION,
        media=MEDIA,
    )
    async with OutboundHttp(timeout_seconds=2) as http:
        assert (await WebhookChannel(http).deliver(delivery)).delivered

    [request] = receiver.received
    body = json.loads(request.body)
    body_schema(schema, f"notification.{kind.value}").validate(body)
    assert set(body) <= properties(schema, "WebhookEvent")
    assert_headers_declared(schema, f"notification.{kind.value}", request)
    other = next(k for k in EventKind if k is not kind)
    assert not body_schema(schema, f"notification.{other.value}").is_valid(body)


@pytest.mark.parametrize("kind", sorted(PLATFORM_EVENTS))
@pytest.mark.parametrize("secret", [SECRET, ""])
async def test_each_platform_callback_fits_its_kinds_schema(
    schema: dict[str, Any], receiver: WebhookReceiver, kind: EventKind, secret: str
) -> None:
    event = realistic_event(
        kind, unit="platform-12345", audience=Audience.PLATFORM, address=None, callback_url=receiver.url("/callbacks")
    )
    channels = unit_channels.UnitChannels(
        unit="platform-12345",
        callback=unit_channels.PlatformCallbackChannel(secret=secret, updated_at=datetime.now(UTC)) if secret else None,
    )
    async with OutboundHttp(timeout_seconds=2) as http:
        assert (await PlatformCallback(http).deliver(event, channels, MEDIA)).delivered

    [request] = receiver.received
    body = json.loads(request.body)
    body_schema(schema, f"callback.{kind.value}").validate(body)
    assert set(body) <= properties(schema, "CallbackEvent")
    assert_headers_declared(schema, f"callback.{kind.value}", request)
    assert ("x-hotline-signature" in httpx.Headers(request.headers)) == bool(secret)
