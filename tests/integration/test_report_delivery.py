"""A report sent end to end on a real nats-server: its files into the reports object store, a notice per recipient,
and the notifier's delivery (in this process, on its durable consumer) to a real local SMTP server and robot and
SMS receivers: the email is the report's page with the stored workbook attached, robots get the summary and link.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.object_store import ObjectStore

from services.assessment.reports.report_delivery import publish_report, report_notification
from services.assessment.reports.report_html import render_report_html
from services.assessment.reports.report_xlsx import render_report_xlsx
from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from services.contracts.events import Audience
from services.contracts.notifications import DeliveryStatus, NotificationRecord
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.subjects import (
    CALLBACK_PROGRESS_BUCKET,
    DELIVERIES_BUCKET,
    NOTIFIER_CONSUMER,
    NOTIFY_STREAM,
    PARKED_EVENTS_BUCKET,
    REPORTS_OBJECT_STORE,
    UNIT_CHANNELS_BUCKET,
    notify_subject,
)
from services.contracts.unit_channels import EmailChannel as EmailSetting
from services.contracts.unit_channels import RobotChannel, SmsChannel, UnitChannels
from services.engines.held_bucket import HeldBucket
from services.engines.jetstream import declare_buckets, declare_object_stores, declare_streams, key_value
from services.engines.notification_store import NotificationStore
from services.engines.pull_consumer import RetryPolicy, run_pull_consumer
from services.notifier.callback_order import CallbackOrder
from services.notifier.channels.email import EmailChannel
from services.notifier.channels.robots import DingTalkChannel, WeComChannel
from services.notifier.channels.sms import SmsChannel as SmsSender
from services.notifier.dead_letters import DeadLetters
from services.notifier.event_delivery import EventDelivery
from services.notifier.outbound_http import OutboundHttp
from services.notifier.parked_events import ParkedEvents
from services.notifier.platform_callback import PlatformCallback
from services.notifier.rendering import TemplateRenderer
from services.notifier.report_files import ReportFiles
from services.notifier.settings import SmsGatewaySettings, SmtpSettings
from tests.support.engines import NatsServer
from tests.support.mail_receiver import MailReceiver, ReceivedMail
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.unit.report_builders import realistic_report

URL = "https://hotline.example.gov.cn/reports/weekly-week-2026-11-30-v1"
CENTRE_MAIL = ["duty@coordination.example.gov.cn", "director@coordination.example.gov.cn"]
LEADER_PHONE = "13800000009"
RECIPIENTS = [(COORDINATION_CENTRE, Audience.COORDINATION), (CITY_LEADER, Audience.LEADER)]


@dataclass
class Notifier:
    js: JetStreamContext
    reports: ObjectStore
    store: NotificationStore
    mail: MailReceiver
    robots: WebhookReceiver

    async def record(self, event_id: str) -> NotificationRecord:
        record = await self.store.get(event_id)
        assert record is not None, f"no delivery record of {event_id} yet"
        return record

    def mails_of(self, event_id: str) -> list[ReceivedMail]:
        return [m for m in self.mail.received if m.message["X-Hotline-Event-Id"] == event_id]

    async def one_mail(self, event_id: str) -> ReceivedMail:
        """The event's email, once it has arrived."""

        async def arrived() -> ReceivedMail:
            mails = self.mails_of(event_id)
            assert len(mails) == 1, f"{len(mails)} mails of {event_id}"
            return mails[0]

        return await assert_eventually(arrived, what=f"the email of {event_id}")


@pytest_asyncio.fixture
async def nc(tmp_path: Path) -> AsyncIterator[NatsClient]:
    server = NatsServer.at(tmp_path)
    await server.start()
    client = await server.connect()
    try:
        yield client
    finally:
        await client.close()
        server.stop()


@pytest.fixture
def mail() -> Iterator[MailReceiver]:
    server = MailReceiver()
    server.start()
    yield server
    server.stop()


@pytest_asyncio.fixture
async def notifier(nc: NatsClient, mail: MailReceiver, receiver: WebhookReceiver) -> AsyncIterator[Notifier]:
    """The notifier's delivery on its durable consumer, with the coordination centre on email and the city leader
    on DingTalk, WeCom and SMS; retries a second apart."""
    js = nc.jetstream()
    await declare_streams(js)
    await declare_buckets(js)
    await declare_object_stores(js)
    receiver.answer = {"errcode": 0, "errmsg": "ok", "code": "0"}
    now = datetime.now(UTC)
    channels = await key_value(js, UNIT_CHANNELS_BUCKET)
    for unit in (
        UnitChannels(unit=COORDINATION_CENTRE, email=EmailSetting(to=CENTRE_MAIL, updated_at=now)),
        UnitChannels(
            unit=CITY_LEADER,
            dingtalk=RobotChannel(url=receiver.url("/robot/send?access_token=t1"), updated_at=now),
            wecom=RobotChannel(url=receiver.url("/cgi-bin/webhook/send?key=k1"), updated_at=now),
            sms=SmsChannel(phones=[LEADER_PHONE], updated_at=now),
        ),
    ):
        await channels.put(unit.unit, unit.model_dump_json().encode())
    reports = await js.object_store(REPORTS_OBJECT_STORE.name)
    store = NotificationStore(await key_value(js, DELIVERIES_BUCKET))
    retry = RetryPolicy(base_seconds=0.5, max_seconds=1.0)
    stop = asyncio.Event()
    async with OutboundHttp(timeout_seconds=5) as http:
        delivery = EventDelivery(
            channels=HeldBucket(channels, UnitChannels.model_validate_json),
            store=store,
            order=CallbackOrder(await key_value(js, CALLBACK_PROGRESS_BUCKET)),
            parked=ParkedEvents(await key_value(js, PARKED_EVENTS_BUCKET), js),
            dead_letters=DeadLetters(js),
            unit_channels=[
                EmailChannel(SmtpSettings(host="127.0.0.1", port=mail.port), ReportFiles(reports)),
                DingTalkChannel(http),
                WeComChannel(http),
                SmsSender(http, SmsGatewaySettings(url=receiver.url("/sms/send"), success_field="code")),
            ],
            callback=PlatformCallback(http),
            renderer=TemplateRenderer(),
            keyring=PayloadKeyring("k1", {"k1": os.urandom(32)}),  # reports carry no sealed text
            retry=retry,
            budget_seconds=3600,
            ordered_wait_seconds=1,
        )
        consumer = asyncio.create_task(
            run_pull_consumer(js, NOTIFIER_CONSUMER, delivery.handle, stop=stop, retry=retry)
        )
        try:
            yield Notifier(js, reports, store, mail, receiver)
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(consumer, timeout=10)


async def test_the_centre_gets_the_report_by_email_with_the_stored_workbook_and_the_leader_by_robots(
    notifier: Notifier,
) -> None:
    report = realistic_report()
    html, xlsx = render_report_html(report), render_report_xlsx(report)

    centre, leader = await publish_report(notifier.js, report, html, xlsx, RECIPIENTS, URL)

    stored = (await notifier.reports.get(f"{report.report_id}.xlsx")).data
    assert stored == xlsx
    assert (await notifier.reports.get(f"{report.report_id}.html")).data == html.encode()

    message = await notifier.one_mail(centre)
    assert message.rcpt_tos == CENTRE_MAIL
    assert message.subject == "【市民热线】河口市12345热线工作周通报（2026年第49周（11月30日至12月6日））"
    assert message.body("html").replace("\r\n", "\n") == html
    assert f"[查看全文]({URL})" in message.body("plain")
    [attachment] = list(message.message.iter_attachments())
    assert attachment.get_content() == stored, "the attachment is the workbook in the object store, byte for byte"
    assert attachment.get_filename() == "河口市12345热线工作周通报（2026年第49周（11月30日至12月6日））.xlsx"

    async def leader_delivered() -> NotificationRecord:
        record = await notifier.record(leader)
        assert record.status is DeliveryStatus.DELIVERED, record.status
        return record

    record = await assert_eventually(leader_delivered, what="the leader's robots and SMS")
    assert set(record.channels) == {"dingtalk", "wecom", "sms"}
    [ding] = [r for r in notifier.robots.received if r.path == "/robot/send"]
    [wecom] = [r for r in notifier.robots.received if r.path == "/cgi-bin/webhook/send"]
    [sms] = [r for r in notifier.robots.received if r.path == "/sms/send"]
    text = ding.json()["markdown"]["text"]
    assert ding.json()["markdown"]["title"] == message.subject
    assert text.startswith("### 河口市12345热线工作周通报")
    assert "- 滞留事项3件（超期2件、无进展1件）。" in text and f"[查看全文]({URL})" in text
    assert wecom.json() == {"msgtype": "markdown", "markdown": {"content": text}}
    assert sms.json()["mobile"] == LEADER_PHONE
    assert sms.json()["content"].endswith(f"滞留事项3件，通报单位2个。全文：{URL}")
    assert (await notifier.record(centre)).status is DeliveryStatus.DELIVERED


async def test_a_retried_publish_sends_nothing_twice_and_leaves_the_stored_files_alone(notifier: Notifier) -> None:
    report = realistic_report()
    html, xlsx = render_report_html(report), render_report_xlsx(report)
    first = await publish_report(notifier.js, report, html, xlsx, RECIPIENTS, URL)
    stored = await notifier.reports.get_info(f"{report.report_id}.xlsx")

    again = await publish_report(notifier.js, report, html, xlsx, RECIPIENTS, URL)

    assert again == first
    assert (await notifier.reports.get_info(f"{report.report_id}.xlsx")).nuid == stored.nuid, "not put again"
    info = await notifier.js.stream_info(NOTIFY_STREAM.name, subjects_filter="notify.>")
    assert info.state.messages == len(RECIPIENTS)
    await assert_eventually(lambda: _delivered(notifier, first), what="both notices delivered")
    await asyncio.sleep(1.5)  # a second copy, had one been sent, would arrive within the retry delay
    assert len(notifier.mails_of(first[0])) == 1
    assert len([r for r in notifier.robots.received if r.path == "/sms/send"]) == 1


async def test_a_notice_whose_files_are_not_stored_yet_waits_for_them_and_is_never_lost(notifier: Notifier) -> None:
    report = realistic_report()
    event = report_notification(report, recipient=COORDINATION_CENTRE, audience=Audience.COORDINATION, url=URL)
    # Published without its files (a store that lost them, or a publisher that put them elsewhere).
    await notifier.js.publish(
        notify_subject(event.unit, event.kind.value),
        event.model_dump_json().encode(),
        stream=NOTIFY_STREAM.name,
        headers={"Nats-Msg-Id": event.event_id},
    )

    async def retrying() -> NotificationRecord:
        record = await notifier.record(event.event_id)
        assert record.status is DeliveryStatus.RETRYING and len(record.attempts) >= 2, record.status
        return record

    record = await assert_eventually(retrying, what="attempts failing while the files are missing")
    assert record.last_error == f"report {report.report_id}: html and xlsx not in the reports object store yet"
    assert notifier.mails_of(event.event_id) == []

    xlsx = render_report_xlsx(report)
    await publish_report(notifier.js, report, render_report_html(report), xlsx, [], URL)

    message = await notifier.one_mail(event.event_id)
    [attachment] = list(message.message.iter_attachments())
    assert attachment.get_content() == xlsx
    assert (await notifier.record(event.event_id)).status is DeliveryStatus.DELIVERED


async def _delivered(notifier: Notifier, event_ids: list[str]) -> None:
    for event_id in event_ids:
        assert (await notifier.record(event_id)).status is DeliveryStatus.DELIVERED, event_id
