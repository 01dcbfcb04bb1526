"""DingTalk and WeCom group robots against a real local HTTP server: the message shapes their docs give."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio

from services.contracts.events import EventKind
from services.contracts.unit_channels import RobotChannel, UnitChannels
from services.contracts.webhook_bodies import MediaLink
from services.notifier.channels.base import Delivery
from services.notifier.channels.robots import DingTalkChannel, WeComChannel
from services.notifier.outbound_http import OutboundHttp
from services.notifier.rendering import Part, TemplateRenderer
from tests.support.receiver import WebhookReceiver
from tests.unit.event_builders import realistic_event

ROBOT_SECRET = "SEC4d1b2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2"
RENDERER = TemplateRenderer(names=lambda code: {"water": "水务局"}.get(code, code))


@pytest_asyncio.fixture
async def robot() -> AsyncIterator[WebhookReceiver]:
    """A robot endpoint answering as both robots do on success: 200 with `errcode` 0."""
    server = WebhookReceiver(answer={"errcode": 0, "errmsg": "ok"})
    await server.start()
    yield server
    await server.stop()


def delivery(**robots: RobotChannel) -> Delivery:
    event = realistic_event(EventKind.DEADLINE_BREACHED)
    return Delivery(event=event, channels=UnitChannels(unit="water", **robots), renderer=RENDERER)


def robot_at(url: str, secret: str | None = None) -> RobotChannel:
    return RobotChannel(url=url, secret=secret, updated_at=datetime.now(UTC))


async def test_dingtalk_gets_a_markdown_message_on_a_url_signed_as_dingtalk_checks(robot: WebhookReceiver) -> None:
    sent = delivery(dingtalk=robot_at(robot.url("/robot/send?access_token=0f1e2d3c"), ROBOT_SECRET))
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await DingTalkChannel(http).deliver(sent)

    assert result.delivered, result.detail
    [request] = robot.received
    assert request.path == "/robot/send"
    assert request.headers["content-type"].startswith("application/json")
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "title": RENDERER.render(sent.event, Part.SUBJECT),
            "text": RENDERER.render(sent.event, Part.MARKDOWN),
        },
    }
    assert request.json()["markdown"]["title"] == "【市民热线】工单已超时：小区停水两天无人处理"
    # What DingTalk's server does: the timestamp (ms) is within an hour of now, the sign is recomputed from it.
    query = request.query
    assert set(query) == {"access_token", "timestamp", "sign"}
    assert query["access_token"] == "0f1e2d3c"
    assert abs(int(query["timestamp"]) - time.time() * 1000) < 60_000
    string_to_sign = f"{query['timestamp']}\n{ROBOT_SECRET}".encode()
    expected = base64.b64encode(hmac.new(ROBOT_SECRET.encode(), string_to_sign, hashlib.sha256).digest()).decode()
    assert query["sign"] == expected


async def test_dingtalk_without_a_secret_leaves_the_url_unsigned(robot: WebhookReceiver) -> None:
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await DingTalkChannel(http).deliver(
            delivery(dingtalk=robot_at(robot.url("/robot/send?access_token=ab")))
        )

    assert result.delivered
    assert robot.received[0].query == {"access_token": "ab"}


async def test_a_robot_refusing_with_an_errcode_is_a_failed_attempt(robot: WebhookReceiver) -> None:
    robot.answer = {"errcode": 310000, "errmsg": "sign not match"}
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await DingTalkChannel(http).deliver(delivery(dingtalk=robot_at(robot.url("/robot/send"), "SECwrong")))

    assert (result.delivered, result.detail) == (False, "errcode 310000: sign not match")


async def test_wecom_gets_a_markdown_message_with_its_content(robot: WebhookReceiver) -> None:
    sent = delivery(wecom=robot_at(robot.url("/cgi-bin/webhook/send?key=693a91f6-7xxx")))
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await WeComChannel(http).deliver(sent)

    assert result.delivered, result.detail
    [request] = robot.received
    assert (request.path, request.query) == ("/cgi-bin/webhook/send", {"key": "693a91f6-7xxx"})
    assert request.headers["content-type"].startswith("application/json")
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {"content": RENDERER.render(sent.event, Part.MARKDOWN)},
    }
    assert "- 超时环节：办结" in request.json()["markdown"]["content"]


async def test_a_robot_answering_an_error_status_is_a_failed_attempt(robot: WebhookReceiver) -> None:
    robot.failures_to_answer = 1
    async with OutboundHttp(timeout_seconds=2) as http:
        result = await WeComChannel(http).deliver(delivery(wecom=robot_at(robot.url("/cgi-bin/webhook/send"))))

    assert (result.delivered, result.detail) == (False, "HTTP 500")


DESCRIPTION = "幸福家园小区停水两天，联系人王秀英，电话13812345678，住河口镇幸福家园小区3号楼2单元。"


async def test_a_group_robot_shows_the_description_masked(robot: WebhookReceiver) -> None:
    # A group chat is read by many: the description goes there with its phones, names and addresses masked.
    channels = UnitChannels(
        unit="water",
        dingtalk=robot_at(robot.url("/robot/send?access_token=ab")),
        wecom=robot_at(robot.url("/cgi-bin/webhook/send?key=cd")),
    )
    sent = Delivery(
        event=realistic_event(EventKind.CASE_ASSIGNED), channels=channels, renderer=RENDERER, description=DESCRIPTION
    )
    async with OutboundHttp(timeout_seconds=2) as http:
        assert (await DingTalkChannel(http).deliver(sent)).delivered
        assert (await WeComChannel(http).deliver(sent)).delivered

    dingtalk, wecom = (request.json()["markdown"] for request in robot.received)
    for text in (dingtalk["text"], wecom["content"]):
        assert "- 诉求内容：幸福家园小区停水两天，联系人王**，电话138****5678" in text
        assert "13812345678" not in text and "王秀英" not in text


PHOTO = MediaLink(
    attachment_id="a1",
    url="https://h.example/dl/F1",
    thumbnail_url="https://h.example/dl/T1",
    expires_at=datetime(2026, 3, 5, 2, 15, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("channel", "text_of", "shown", "not_shown"),
    [
        # DingTalk's markdown shows an image: the thumbnail, the file a link below it.
        (DingTalkChannel, lambda body: body["markdown"]["text"],
         ["![附件1](https://h.example/dl/T1)", "[附件1原图](https://h.example/dl/F1)"], []),
        # WeCom's markdown renders no image: a link to the file, never the thumbnail.
        (WeComChannel, lambda body: body["markdown"]["content"],
         ["[附件1](https://h.example/dl/F1)"], ["![", "https://h.example/dl/T1"]),
    ],
)  # fmt: skip
async def test_each_robot_shows_a_photo_as_its_markdown_can(
    robot: WebhookReceiver,
    channel: type[DingTalkChannel | WeComChannel],
    text_of: Callable[[dict[str, Any]], str],
    shown: list[str],
    not_shown: list[str],
) -> None:
    channels = UnitChannels(
        unit="hekou-town",
        dingtalk=robot_at(robot.url("/robot/send?access_token=ab")),
        wecom=robot_at(robot.url("/cgi-bin/webhook/send?key=cd")),
    )
    event = realistic_event(EventKind.CASE_RESOLVED, unit="hekou-town", attachment_ids=["a1"], thumbnail_ids=["a1"])
    sent = Delivery(event=event, channels=channels, renderer=RENDERER, media=(PHOTO,))
    async with OutboundHttp(timeout_seconds=2) as http:
        assert (await channel(http).deliver(sent)).delivered

    [request] = robot.received
    text = text_of(request.json())
    assert [part for part in shown if part not in text] == []
    assert [part for part in not_shown if part in text] == []
