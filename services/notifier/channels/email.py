"""Email over SMTP (aiosmtplib): subject, plain text and HTML rendered from the event's template.

A report's notice (`report_published`) is sent as the report itself: its HTML page is the HTML body and its XLSX
workbook is attached, both read from the reports object store; while either is missing there the attempt fails
and is retried like any other.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from services.contracts.events import ReportNotice
from services.contracts.subjects import REPORT_HTML, REPORT_XLSX
from services.contracts.unit_channels import UnitChannels
from services.notifier.channels.base import Delivery, DeliveryResult
from services.notifier.rendering import Part
from services.notifier.report_files import ReportFiles
from services.notifier.settings import SmtpSettings

XLSX_SUBTYPE = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a file name may not hold on the readers' systems (Windows' set and control characters).
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class EmailChannel:
    name = "email"

    def __init__(self, smtp: SmtpSettings, reports: ReportFiles | None = None) -> None:
        self._smtp = smtp
        self._reports = reports

    def configured(self, channels: UnitChannels) -> bool:
        return channels.email is not None and self._smtp.host is not None

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        email = delivery.channels.email
        assert email is not None and self._smtp.host is not None
        event = delivery.event
        message = EmailMessage()
        message["From"] = self._smtp.sender
        message["To"] = ", ".join(email.to)
        message["Subject"] = delivery.render(Part.SUBJECT)
        message["Message-ID"] = make_msgid(idstring=event.event_id.replace(":", "."))
        # Receivers' systems can de-duplicate on the event id, as webhook receivers do.
        message["X-Hotline-Event-Id"] = event.event_id
        # To the unit's own addresses: the description whole, as the webhook body carries it.
        message.set_content(delivery.render(Part.TEXT))
        if event.report is not None:
            missing = await self._add_report(message, event.report)
            if missing:
                return DeliveryResult(False, missing)
        else:
            message.add_alternative(delivery.render(Part.HTML), subtype="html")
        try:
            await aiosmtplib.send(
                message,
                hostname=self._smtp.host,
                port=self._smtp.port,
                username=self._smtp.username,
                password=self._smtp.password,
                start_tls=self._smtp.starttls,
                use_tls=self._smtp.tls,
                timeout=self._smtp.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            return DeliveryResult(False, f"{type(exc).__name__}: {exc}"[:500])
        return DeliveryResult(True, f"sent to {len(email.to)}")

    async def _add_report(self, message: EmailMessage, report: ReportNotice) -> str:
        """The report's page as the HTML body and its workbook attached; what is missing, if anything."""
        if self._reports is None:
            return "no reports object store to read the report's files from"
        html = await self._reports.get(report.report_id, REPORT_HTML)
        xlsx = await self._reports.get(report.report_id, REPORT_XLSX)
        if html is None or xlsx is None:
            absent = [extension for extension, data in ((REPORT_HTML, html), (REPORT_XLSX, xlsx)) if data is None]
            return f"report {report.report_id}: {' and '.join(absent)} not in the reports object store yet"
        message.add_alternative(html.decode(), subtype="html")
        message.add_attachment(xlsx, maintype="application", subtype=XLSX_SUBTYPE, filename=attachment_name(report))
        return ""


def attachment_name(report: ReportNotice) -> str:
    """The workbook's file name as the reader saves it: `河口市12345热线工作周通报（2026年第49周…）.xlsx`."""
    return _NOT_IN_FILE_NAMES.sub("_", f"{report.title}（{report.period_label}）")[:120] + ".xlsx"
