"""Webhook channel: the event as JSON, signed with the unit's secret (HMAC-SHA256 over timestamp + body)."""

from __future__ import annotations

import json
import time

from services.contracts.unit_channels import UnitChannels
from services.notifier.channels.base import Delivery, DeliveryResult, post_json
from services.notifier.outbound_http import OutboundHttp
from services.notifier.signing import (
    EVENT_ID_HEADER,
    EVENT_KIND_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    webhook_signature,
)


def signed_headers(secret: str, body: bytes, event_id: str, kind: str) -> dict[str, str]:
    """Headers of a signed POST (webhooks and platform callbacks alike); the event id is the idempotency key."""
    timestamp = int(time.time())
    headers = {
        "Idempotency-Key": event_id,
        EVENT_ID_HEADER: event_id,
        EVENT_KIND_HEADER: kind,
        TIMESTAMP_HEADER: str(timestamp),
    }
    if secret:
        headers[SIGNATURE_HEADER] = webhook_signature(secret, timestamp, body)
    return headers


def webhook_body(delivery: Delivery) -> bytes:
    """The event as the unit receives it: the ticket's description opened into `description` (when it carries
    one), never the sealed form the unit cannot open."""
    body = delivery.event.model_dump(mode="json", exclude={"sealed_ticket"})
    if delivery.description is not None:
        body["description"] = delivery.description
    if delivery.media:
        body["media"] = [link.model_dump(mode="json") for link in delivery.media]
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookChannel:
    name = "webhook"

    def __init__(self, http: OutboundHttp) -> None:
        self._http = http

    def configured(self, channels: UnitChannels) -> bool:
        return channels.webhook is not None

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        webhook = delivery.channels.webhook
        assert webhook is not None
        event = delivery.event
        body = webhook_body(delivery)
        headers = signed_headers(webhook.secret, body, event.event_id, event.kind.value)
        return await post_json(self._http, webhook.url, body, headers)
