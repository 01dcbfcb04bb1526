"""What every workflow records and sends, built in one place: timeline entries and notification events.

Workflow code. `FirstContactCase` and `TriageCase` send through their `CaseLog` (with their case event log); a
joint task, top-level coordination and a catalog change publish their notifications one by one with `publish`.
Notifications carry data (codes, times, the words a person gave); the notifier's templates write the sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_timeline import TimelineAction
    from services.contracts.case_view import Deadlines, TimelineEntry
    from services.contracts.events import Audience, EventKind, NotificationEvent, event_id_for
    from services.workflows.publishing.activities import NotificationActivities

# Publishing is retried for as long as it takes: an event is never given up.
PUBLISH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
PUBLISH_TIMEOUT = timedelta(seconds=10)


@dataclass(frozen=True)
class Notice:
    """What a notification says beyond what it is about: the deadline, the units a transfer moved between, and
    the free text a person gave (a reason, a note)."""

    detail: str = ""
    deadline_kind: str | None = None
    due: datetime | None = None
    from_unit: str | None = None
    to_unit: str | None = None
    role: str | None = None
    plan: str | None = None
    outcome: str | None = None
    attachment_ids: tuple[str, ...] = ()


NO_NOTICE = Notice()


@dataclass(frozen=True)
class About:
    """What a notification is about: a case (or a catalog change) as its workflow knows it now."""

    case_id: str
    title: str
    status: str | None = None
    handling_unit: str | None = None
    first_contact_unit: str | None = None
    escalation_level: int = 0
    channel: str | None = None
    external_id: str | None = None
    catalog_item: str | None = None
    township: str | None = None
    urgency: str = "normal"
    deadlines: Deadlines | None = None


def timeline_entry(
    actor: str,
    action: TimelineAction,
    detail: str = "",
    *,
    at: datetime | None = None,
    attachment_ids: list[str] | None = None,
) -> TimelineEntry:
    """One line of a workflow's timeline, now unless `at` says when it happened."""
    return TimelineEntry(
        at=at or workflow.now(),
        actor=actor,
        action=action.value,
        detail=detail,
        attachment_ids=list(attachment_ids or []),
    )


def notification(
    about: About,
    *,
    kind: EventKind,
    sequence: int,
    at: datetime,
    recipient: str,
    audience: Audience = Audience.UNIT,
    notice: Notice = NO_NOTICE,
    stream: str = "",
    address: str | None = None,
    callback_url: str | None = None,
    previous_sequence: int | None = None,
    thumbnail_ids: list[str] | None = None,
) -> NotificationEvent:
    """One notification; its id comes from the sender's own sequence (`stream` keeps senders of a case apart), so
    the same step always publishes the same id. `thumbnail_ids`: those of the notice's attachments that have a
    thumbnail, as the sender's state knows them."""
    return NotificationEvent(
        event_id=event_id_for(about.case_id, sequence, stream=stream),
        kind=kind,
        case_id=about.case_id,
        unit=recipient,
        audience=audience,
        sequence=sequence,
        occurred_at=at,
        title=about.title,
        status=about.status,
        channel=about.channel,
        external_id=about.external_id,
        callback_url=callback_url,
        catalog_item=about.catalog_item,
        handling_unit=about.handling_unit,
        first_contact_unit=about.first_contact_unit,
        township=about.township,
        address=address,
        urgency=about.urgency,
        deadlines=about.deadlines or Deadlines(),
        deadline_kind=notice.deadline_kind,
        due=notice.due,
        escalation_level=about.escalation_level,
        from_unit=notice.from_unit,
        to_unit=notice.to_unit,
        role=notice.role,
        plan=notice.plan,
        outcome=notice.outcome,
        detail=notice.detail,
        attachment_ids=list(notice.attachment_ids),
        thumbnail_ids=list(thumbnail_ids or []),
        previous_sequence=previous_sequence,
    )


async def publish(event: NotificationEvent) -> None:
    """Publish one notification now (an activity)."""
    await workflow.execute_activity_method(
        NotificationActivities.publish_notification,
        event,
        start_to_close_timeout=PUBLISH_TIMEOUT,
        retry_policy=PUBLISH_RETRY,
    )
