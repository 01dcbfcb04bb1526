"""Email through a real local SMTP server (aiosmtpd): Chinese subject, text and HTML parts from the templates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from services.contracts.events import EventKind
from services.contracts.unit_channels import EmailChannel as EmailSetting
from services.contracts.unit_channels import UnitChannels
from services.contracts.webhook_bodies import MediaLink
from services.notifier.channels.base import Delivery
from services.notifier.channels.email import EmailChannel
from services.notifier.rendering import Part, TemplateRenderer
from services.notifier.settings import SmtpSettings
from tests.support.mail_receiver import MailReceiver
from tests.unit.event_builders import realistic_event

RENDERER = TemplateRenderer(
    names=lambda code: {"water": "水务局", "hekou-town": "河口镇", "industry-it": "工业和信息化局"}.get(code, code)
)
TO = ["duty@water.example.gov.cn", "director@water.example.gov.cn"]


@pytest.fixture
def mail() -> Iterator[MailReceiver]:
    server = MailReceiver()
    server.start()
    yield server
    server.stop()


def delivery(*, description: str | None = None) -> Delivery:
    channels = UnitChannels(unit="water", email=EmailSetting(to=TO, updated_at=datetime.now(UTC)))
    return Delivery(
        event=realistic_event(EventKind.CASE_ASSIGNED), channels=channels, renderer=RENDERER, description=description
    )


async def test_the_message_has_the_chinese_subject_and_the_text_and_html_parts(mail: MailReceiver) -> None:
    sent = delivery()

    result = await EmailChannel(SmtpSettings(host="127.0.0.1", port=mail.port)).deliver(sent)

    assert (result.delivered, result.detail) == (True, "sent to 2")
    [received] = mail.received
    assert received.rcpt_tos == TO
    assert received.mail_from == "hotline@localhost"
    assert received.subject == "【市民热线】新工单待签收：小区停水两天无人处理"
    assert received.message["From"].addresses[0].display_name == "市民热线"
    assert received.message["To"].addresses[1].addr_spec == "director@water.example.gov.cn"
    assert received.message["X-Hotline-Event-Id"] == sent.event.event_id
    assert received.body("plain").strip() == RENDERER.render(sent.event, Part.TEXT)
    assert received.body("html").strip() == RENDERER.render(sent.event, Part.HTML)
    assert "<h3>新工单待签收</h3>" in received.body("html")
    assert "- 首接单位：水务局" in received.body("plain")


async def test_the_units_email_carries_the_description_whole(mail: MailReceiver) -> None:
    said = "幸福家园小区停水两天，联系人王秀英，电话13812345678。"

    await EmailChannel(SmtpSettings(host="127.0.0.1", port=mail.port)).deliver(delivery(description=said))

    [received] = mail.received
    assert f"- 诉求内容：{said}" in received.body("plain")
    assert said in received.body("html")


async def test_chinese_headers_travel_rfc2047_encoded(mail: MailReceiver) -> None:
    await EmailChannel(SmtpSettings(host="127.0.0.1", port=mail.port)).deliver(delivery())

    headers = mail.received[0].raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert b"Subject: =?utf-8?b?" in headers
    assert b"From: =?utf-8?b?5biC5rCR54Ot57q/?= <hotline@localhost>" in headers


async def test_a_mail_server_that_is_down_is_a_failed_attempt() -> None:
    down = MailReceiver()  # never started

    result = await EmailChannel(SmtpSettings(host="127.0.0.1", port=down.port, timeout_seconds=2)).deliver(delivery())

    assert not result.delivered
    assert "SMTPConnectError" in result.detail or "ConnectionRefused" in result.detail, result.detail


def test_email_is_configured_only_with_an_smtp_host_and_addresses() -> None:
    with_addresses = delivery().channels

    assert EmailChannel(SmtpSettings(host="127.0.0.1")).configured(with_addresses)
    assert not EmailChannel(SmtpSettings()).configured(with_addresses)
    assert not EmailChannel(SmtpSettings(host="127.0.0.1")).configured(UnitChannels(unit="water"))


async def test_the_email_shows_each_photos_thumbnail_linked_to_the_file_and_lists_the_links(
    mail: MailReceiver,
) -> None:
    expires = datetime(2026, 3, 5, 2, 15, tzinfo=UTC)
    photo = MediaLink(attachment_id="a1", url="https://h.example/dl/F1", thumbnail_url="https://h.example/dl/T1",
                      expires_at=expires)  # fmt: skip
    channels = UnitChannels(unit="hekou-town", email=EmailSetting(to=TO, updated_at=datetime.now(UTC)))
    event = realistic_event(EventKind.CASE_RESOLVED, unit="hekou-town", attachment_ids=["a1"], thumbnail_ids=["a1"])
    sent = Delivery(event=event, channels=channels, renderer=RENDERER, media=(photo,))

    assert (await EmailChannel(SmtpSettings(host="127.0.0.1", port=mail.port)).deliver(sent)).delivered

    [received] = mail.received
    assert '<a href="https://h.example/dl/F1"><img src="https://h.example/dl/T1"' in received.body("html")
    assert "- 附件1：https://h.example/dl/F1" in received.body("plain")
