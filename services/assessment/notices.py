"""What the assessment workflows tell people, built in one place and published through an activity (workflow code).

A notice is about a class of cases or a special rectification (`case_id` is its id; the sequence is the sender's
own, so the same step always publishes the same event id). Notices carry fields; the notifier's templates write the
sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from services.assessment.notice_activities import NoticeActivities
    from services.contracts.events import Audience, EventKind, NotificationEvent, event_id_for

# Publishing is retried for as long as it takes: a notice is never given up.
PUBLISH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
PUBLISH_TIMEOUT = timedelta(seconds=10)


@dataclass(frozen=True)
class Subject:
    """What a notice is about: a class of cases or a rectification."""

    subject_id: str
    title: str
    catalog_item: str | None = None
    township: str | None = None
    lead_unit: str | None = None
    status: str | None = None


def notice(
    about: Subject,
    *,
    kind: EventKind,
    sequence: int,
    at: datetime,
    recipient: str,
    audience: Audience,
    detail: str = "",
    due: datetime | None = None,
    case_count: int | None = None,
) -> NotificationEvent:
    """One notice about `about`, its event id from the sender's own sequence."""
    return NotificationEvent(
        event_id=event_id_for(about.subject_id, sequence),
        kind=kind,
        case_id=about.subject_id,
        unit=recipient,
        audience=audience,
        sequence=sequence,
        occurred_at=at,
        title=about.title,
        status=about.status,
        catalog_item=about.catalog_item,
        township=about.township,
        handling_unit=about.lead_unit,
        due=due,
        detail=detail,
        case_count=case_count,
    )


async def publish(event: NotificationEvent) -> None:
    """Publish one notice now (an activity)."""
    await workflow.execute_activity_method(
        NoticeActivities.publish_notification,
        event,
        start_to_close_timeout=PUBLISH_TIMEOUT,
        retry_policy=PUBLISH_RETRY,
    )
