"""SMS through a provincial gateway's generic HTTP API: one request per phone, body from a Jinja2 template."""

from __future__ import annotations

import json

from jinja2 import Environment, StrictUndefined

from services.contracts.unit_channels import UnitChannels
from services.notifier.channels.base import Delivery, DeliveryResult, unanswered
from services.notifier.outbound_http import OutboundHttp, OutboundHttpError
from services.notifier.rendering import Part
from services.notifier.settings import SmsGatewaySettings


class SmsChannel:
    name = "sms"

    def __init__(self, http: OutboundHttp, gateway: SmsGatewaySettings) -> None:
        self._http = http
        self._gateway = gateway
        self._body = Environment(autoescape=False, undefined=StrictUndefined).from_string(gateway.body_template)

    def configured(self, channels: UnitChannels) -> bool:
        return channels.sms is not None and self._gateway.url is not None

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        sms = delivery.channels.sms
        assert sms is not None and self._gateway.url is not None
        text = delivery.renderer.render(delivery.event, Part.SMS)
        for phone in sms.phones:
            body = self._body.render(phone=phone, text=text, event_id=delivery.event.event_id)
            result = await self._send(body)
            if not result.delivered:
                return DeliveryResult(False, f"{phone[:3]}****: {result.detail}", held_seconds=result.held_seconds)
        return DeliveryResult(True, f"sent to {len(sms.phones)}")

    async def _send(self, body: str) -> DeliveryResult:
        gateway = self._gateway
        assert gateway.url is not None
        try:
            response = await self._http.post(
                gateway.url, body.encode(), {"Content-Type": "application/json; charset=utf-8", **gateway.headers}
            )
        except OutboundHttpError as exc:
            return unanswered(exc, limit=300)
        if not response.is_success:
            return DeliveryResult(False, f"HTTP {response.status_code}")
        if gateway.success_field is None:
            return DeliveryResult(True, str(response.status_code))
        try:
            answer = response.json()
        except json.JSONDecodeError:
            return DeliveryResult(False, "gateway answered with no JSON")
        value = answer.get(gateway.success_field) if isinstance(answer, dict) else None
        if str(value) != gateway.success_value:
            return DeliveryResult(False, f"gateway {gateway.success_field}={value!r}")
        return DeliveryResult(True, str(response.status_code))
