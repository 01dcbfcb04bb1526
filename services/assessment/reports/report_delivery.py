"""Sends a rendered report: its HTML and XLSX into the reports object store, then one `report_published` notice per
recipient on `notify.<recipient>.report_published`, for the notifier to deliver (the email carries the page and
the workbook, robots the summary and the link).

Safe to repeat: the files are put again only if they differ, and each notice's event id comes from the report id
and the recipient, so a retried publish is dropped by JetStream (`Nats-Msg-Id`) or, later, by the notifier's
delivery record.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import structlog
from nats.js import JetStreamContext
from nats.js.api import ObjectMeta
from nats.js.errors import ObjectNotFoundError
from nats.js.object_store import ObjectStore
from prometheus_client import Counter

from services.assessment.reports.report_html import render_report_summary
from services.contracts.assessment_reports import Report
from services.contracts.events import (
    Audience,
    EventKind,
    HeadlineRate,
    NotificationEvent,
    ReportNotice,
    event_id_for,
)
from services.contracts.subjects import (
    REPORT_HTML,
    REPORT_XLSX,
    REPORTS_OBJECT_STORE,
    report_object_name,
)
from services.engines.notify_publisher import publish_notification

log = structlog.get_logger(__name__)

REPORT_NOTICES_PUBLISHED = Counter(
    "hotline_report_notices_published_total", "Report notices published (not duplicates), by report kind.", ["kind"]
)


async def publish_report(
    js: JetStreamContext,
    report: Report,
    html: str,
    xlsx: bytes,
    recipients: Sequence[tuple[str, Audience]],
    report_url: str,
) -> list[str]:
    """Store the report's files, then publish its notice to each recipient (code, audience); returns the notices'
    event ids. The files go first: a notice never names files that are not there."""
    store = await js.object_store(REPORTS_OBJECT_STORE.name)
    await put_once(store, report_object_name(report.report_id, REPORT_HTML), html.encode())
    await put_once(store, report_object_name(report.report_id, REPORT_XLSX), xlsx)
    summary = render_report_summary(report)
    published = []
    for recipient, audience in recipients:
        event = report_notification(report, recipient=recipient, audience=audience, url=report_url, summary=summary)
        new = await publish_notification(js, event)
        if new:
            REPORT_NOTICES_PUBLISHED.labels(report.kind.value).inc()
        log.info(
            "report.notice_published",
            report_id=report.report_id,
            unit=recipient,
            event_id=event.event_id,
            duplicate=not new,
        )
        published.append(event.event_id)
    return published


def report_notification(
    report: Report, *, recipient: str, audience: Audience, url: str, summary: str = ""
) -> NotificationEvent:
    """The `report_published` event for one recipient: the same report and recipient always give the same event
    (its id `<report_id>:<recipient>:1`, its time the report's generation)."""
    table = report.rates
    headline = [
        HeadlineRate(
            code=code,
            name=table.rates.get(code, code),
            value=table.city.rates[code].value if code in table.city.rates else None,
            change=table.city.change.get(code),
        )
        for code in table.headline
    ]
    notice = ReportNotice(
        report_id=report.report_id,
        kind=report.kind,
        title=report.title,
        period_label=report.period.label(),
        url=url,
        headline=headline,
        stalled_count=len(report.stalled),
        units_named_count=len(report.units_named),
        summary=summary,
    )
    return NotificationEvent(
        event_id=event_id_for(report.report_id, 1, stream=recipient),
        kind=EventKind.REPORT_PUBLISHED,
        case_id=report.report_id,
        unit=recipient,
        audience=audience,
        sequence=1,
        occurred_at=report.generated_at,
        title=report.title,
        report=notice,
    )


async def put_once(store: ObjectStore, name: str, data: bytes) -> bool:
    """Put the object unless the store already holds these very bytes (a retried publish); True if it was put."""
    digest = hashlib.sha256(data).digest()
    try:
        held = await store.get_info(name)
    except ObjectNotFoundError:
        held = None
    if held is not None and held.size == len(data) and _digest_bytes(held.digest) == digest:
        return False
    await store.put(name, data, meta=ObjectMeta(name=name))
    return True


def _digest_bytes(digest: str | None) -> bytes | None:
    """An object's `SHA-256=<base64url>` digest as bytes (None if it has none or another kind)."""
    kind, _, value = (digest or "").partition("=")
    if kind.upper() != "SHA-256" or not value:
        return None
    return base64.urlsafe_b64decode(value)
