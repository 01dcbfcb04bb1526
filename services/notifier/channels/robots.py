"""DingTalk and WeCom group robots: their documented markdown messages (DingTalk's signed-URL mode too).

A group chat is read by many: the ticket's description goes there masked (phones, names, addresses). The event's
files (a unit's copy only, services/notifier/media_links.py) are shown as DingTalk's markdown shows an image, its
thumbnail linked to the file; WeCom's markdown renders no image, so there each is a link.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from services.contracts.unit_channels import UnitChannels
from services.notifier.channels.base import Delivery, DeliveryResult, unanswered
from services.notifier.outbound_http import OutboundHttp, OutboundHttpError
from services.notifier.rendering import Part
from services.notifier.signing import dingtalk_signed_url


async def _post_robot(http: OutboundHttp, url: str, message: Mapping[str, object]) -> DeliveryResult:
    try:
        # Both robots refuse a body without a JSON content type (DingTalk errcode 43004, WeCom HTTP 415).
        response = await http.post(
            url,
            json.dumps(message, ensure_ascii=False).encode(),
            {"Content-Type": "application/json; charset=utf-8"},
        )
    except OutboundHttpError as exc:
        return unanswered(exc)
    if not response.is_success:
        return DeliveryResult(False, f"HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        return DeliveryResult(False, "robot answered with no JSON")
    # Both robots answer 200 with `errcode` 0 on success, another code (and `errmsg`) on failure.
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        return DeliveryResult(False, f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500])
    return DeliveryResult(True, str(response.status_code))


class DingTalkChannel:
    name = "dingtalk"

    def __init__(self, http: OutboundHttp) -> None:
        self._http = http

    def configured(self, channels: UnitChannels) -> bool:
        return channels.dingtalk is not None

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        robot = delivery.channels.dingtalk
        assert robot is not None
        url = robot.url
        if robot.secret:
            url = dingtalk_signed_url(url, robot.secret, int(time.time() * 1000))
        message = {
            "msgtype": "markdown",
            "markdown": {
                "title": delivery.render(Part.SUBJECT, masked=True),
                "text": delivery.render(Part.MARKDOWN, masked=True),
            },
        }
        return await _post_robot(self._http, url, message)


class WeComChannel:
    name = "wecom"

    def __init__(self, http: OutboundHttp) -> None:
        self._http = http

    def configured(self, channels: UnitChannels) -> bool:
        return channels.wecom is not None

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        robot = delivery.channels.wecom
        assert robot is not None
        message = {
            "msgtype": "markdown",
            # WeCom's markdown shows no image: a thumbnail is given as a link to its file.
            "markdown": {"content": delivery.render(Part.MARKDOWN, masked=True, images=False)},
        }
        return await _post_robot(self._http, robot.url, message)
