"""A report's notice (`report_published`): one event per recipient with an id that never changes, and what each
channel makes of it: the email is the report itself with its workbook attached, robots and SMS get the gist and
the link, webhooks the notice as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from services.assessment.reports.report_delivery import report_notification
from services.assessment.reports.report_html import render_report_html, render_report_summary
from services.assessment.reports.report_xlsx import render_report_xlsx
from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from services.contracts.events import Audience, EventKind, NotificationEvent
from services.contracts.unit_channels import EmailChannel as EmailSetting
from services.contracts.unit_channels import UnitChannels
from services.notifier.channels.base import Delivery
from services.notifier.channels.email import EmailChannel, attachment_name
from services.notifier.channels.webhook import webhook_body
from services.notifier.rendering import Part, TemplateRenderer
from services.notifier.report_files import ReportFiles
from services.notifier.settings import SmtpSettings
from tests.support.mail_receiver import MailReceiver
from tests.unit.report_builders import REPORT_ID, realistic_report

URL = "https://hotline.example.gov.cn/reports/weekly-week-2026-11-30-v1"
REPORT = realistic_report()
RENDERER = TemplateRenderer()
TO = ["duty@coordination.example.gov.cn"]


class HeldReportFiles(ReportFiles):
    """The reports object store's files, held in memory."""

    def __init__(self, files: dict[tuple[str, str], bytes]) -> None:
        self.files = files

    async def get(self, report_id: str, extension: str) -> bytes | None:
        return self.files.get((report_id, extension))


def notice(recipient: str = COORDINATION_CENTRE, audience: Audience = Audience.COORDINATION) -> NotificationEvent:
    return report_notification(
        REPORT, recipient=recipient, audience=audience, url=URL, summary=render_report_summary(REPORT)
    )


@pytest.fixture
def mail() -> Iterator[MailReceiver]:
    server = MailReceiver()
    server.start()
    yield server
    server.stop()


def test_each_recipient_gets_its_own_notice_whose_id_never_changes() -> None:
    centre, leader = notice(), notice(CITY_LEADER, Audience.LEADER)

    assert centre.event_id == f"{REPORT_ID}:{COORDINATION_CENTRE}:1"
    assert leader.event_id == f"{REPORT_ID}:{CITY_LEADER}:1"
    assert notice() == centre, "a retried publish sends the very same event"
    assert (centre.kind, centre.case_id, centre.unit, centre.audience) == (
        EventKind.REPORT_PUBLISHED,
        REPORT_ID,
        COORDINATION_CENTRE,
        Audience.COORDINATION,
    )
    assert centre.occurred_at == REPORT.generated_at and centre.title == REPORT.title


def test_the_notice_carries_the_citys_headline_rates_and_the_counts() -> None:
    report = notice().report
    assert report is not None

    assert (report.report_id, report.kind, report.url) == (REPORT_ID, "weekly", URL)
    assert report.period_label == "2026年第49周（11月30日至12月6日）"
    assert [(r.code, r.name) for r in report.headline] == [
        ("acceptance", "承接率"),
        ("completion", "办结率"),
        ("satisfaction", "满意率"),
    ]
    assert report.headline[0].value == pytest.approx(917 / 941)
    assert report.headline[0].change == pytest.approx(917 / 941 - 0.962)
    assert (report.stalled_count, report.units_named_count) == (3, 2)
    assert report.summary.startswith("全市承接率97.4%")


def test_robots_get_the_gist_and_the_link_in_markdown() -> None:
    markdown = RENDERER.render(notice(), Part.MARKDOWN)

    assert markdown.startswith("### 河口市12345热线工作周通报\n\n**2026年第49周（11月30日至12月6日）**")
    assert "- 全市承接率97.4%（较上期▲1.2）、办结率91.2%（较上期▼0.9）、满意率93.4%（较上期▲2.9）。" in markdown
    assert "- 通报单位2个，责令整改：交通运输局、综合行政执法局。" in markdown
    assert f"[查看全文]({URL})" in markdown
    assert markdown.endswith(f"> 报告编号：{REPORT_ID}　发布时间：2026-12-04 18:00")


def test_without_a_summary_the_markdown_says_the_headline_rates_itself() -> None:
    event = notice()
    assert event.report is not None
    bare = event.model_copy(update={"report": event.report.model_copy(update={"summary": ""})})

    markdown = RENDERER.render(bare, Part.MARKDOWN)

    assert "- 全市办结率：91.2%（较上期▼0.9）" in markdown
    assert "- 滞留事项：3件；通报单位：2个" in markdown


def test_the_subject_and_the_one_line_sms() -> None:
    assert (
        RENDERER.render(notice(), Part.SUBJECT)
        == "【市民热线】河口市12345热线工作周通报（2026年第49周（11月30日至12月6日））"
    )
    sms = RENDERER.render(notice(), Part.SMS)
    assert "\n" not in sms
    assert sms == (
        "【市民热线】河口市12345热线工作周通报（2026年第49周（11月30日至12月6日））："
        f"承接率97.4%、办结率91.2%、满意率93.4%；滞留事项3件，通报单位2个。全文：{URL}"
    )


def test_a_notice_without_its_report_still_reads_without_none() -> None:
    sparse = NotificationEvent(
        event_id="r:coordination-centre:1",
        kind=EventKind.REPORT_PUBLISHED,
        case_id="r",
        unit=COORDINATION_CENTRE,
        sequence=1,
        occurred_at=datetime(2026, 12, 4, 10, tzinfo=UTC),
        title="周通报",
    )

    for part in Part:
        assert "None" not in RENDERER.render(sparse, part), part


def test_the_webhook_gets_the_notice_as_json() -> None:
    event = notice()
    channels = UnitChannels(unit=COORDINATION_CENTRE)

    body = json.loads(webhook_body(Delivery(event=event, channels=channels, renderer=RENDERER)))

    assert body["kind"] == "report_published" and body["event_id"] == event.event_id
    assert body["report"]["url"] == URL and body["report"]["stalled_count"] == 3
    assert [rate["name"] for rate in body["report"]["headline"]] == ["承接率", "办结率", "满意率"]


async def test_the_email_is_the_report_with_its_workbook_attached(mail: MailReceiver) -> None:
    html, xlsx = render_report_html(REPORT), render_report_xlsx(REPORT)
    files = HeldReportFiles({(REPORT_ID, "html"): html.encode(), (REPORT_ID, "xlsx"): xlsx})
    channels = UnitChannels(unit=COORDINATION_CENTRE, email=EmailSetting(to=TO, updated_at=datetime.now(UTC)))
    delivery = Delivery(event=notice(), channels=channels, renderer=RENDERER)

    result = await EmailChannel(SmtpSettings(host="127.0.0.1", port=mail.port), files).deliver(delivery)

    assert (result.delivered, result.detail) == (True, "sent to 1")
    [received] = mail.received
    assert received.subject == "【市民热线】河口市12345热线工作周通报（2026年第49周（11月30日至12月6日））"
    assert received.body("html").replace("\r\n", "\n") == html  # SMTP carries lines ended CRLF
    assert received.body("plain").strip() == RENDERER.render(notice(), Part.TEXT)
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert attachment.get_filename() == "河口市12345热线工作周通报（2026年第49周（11月30日至12月6日））.xlsx"
    assert attachment.get_content() == xlsx
    assert received.raw.split(b"\r\n\r\n", 1)[0].isascii(), "headers (the file name too) travel encoded"


@pytest.mark.parametrize(("held", "missing"), [({"html"}, "xlsx"), ({"xlsx"}, "html"), (set(), "html and xlsx")])
async def test_a_report_file_not_in_the_store_is_a_failed_attempt_not_a_mail_without_it(
    mail: MailReceiver, held: set[str], missing: str
) -> None:
    files = HeldReportFiles({(REPORT_ID, extension): b"x" for extension in held})
    channels = UnitChannels(unit=COORDINATION_CENTRE, email=EmailSetting(to=TO, updated_at=datetime.now(UTC)))
    delivery = Delivery(event=notice(), channels=channels, renderer=RENDERER)

    result = await EmailChannel(SmtpSettings(host="127.0.0.1", port=mail.port), files).deliver(delivery)

    assert not result.delivered
    assert result.detail == f"report {REPORT_ID}: {missing} not in the reports object store yet"
    assert mail.received == []


def test_the_attachments_name_is_safe_on_the_readers_systems() -> None:
    event = notice()
    assert event.report is not None
    odd = event.report.model_copy(update={"title": 'A/B:"周报"?', "period_label": "第1周*"})

    assert attachment_name(odd) == "A_B__周报__（第1周_）.xlsx"
