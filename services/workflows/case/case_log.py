"""A case's timeline and its event log, and what the current step of its workflow will publish.

Workflow code, shared by `FirstContactCase` and `TriageCase`: every change is recorded here once, as a timeline
entry on the case and as an event on `cases.events.<case_id>` (docs/case-events.md). Notifications the step sends
wait beside the events; `flush` publishes both in one local activity at the end of the step, so a step costs one
marker in the history however many events it made.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_event_log import (
        CaseEvent,
        EventFields,
        EventSource,
        PersonalData,
        case_event_id,
    )
    from services.contracts.case_timeline import TimelineAction
    from services.contracts.events import NotificationEvent
    from services.workflows.case.case_state import CaseState, public_view
    from services.workflows.publishing.activities import CaseChanges, NotificationActivities
    from services.workflows.publishing.workflow_notices import PUBLISH_RETRY, PUBLISH_TIMEOUT, timeline_entry


class CaseLog:
    def __init__(self, state: CaseState, *, source: EventSource, personal: PersonalData | None = None) -> None:
        self._state = state
        self._source = source
        self._personal = personal
        self._events: list[CaseEvent] = []
        self._notifications: list[NotificationEvent] = []
        self._descriptions: dict[str, str] = {}

    def record(
        self,
        actor: str,
        action: TimelineAction,
        detail: str = "",
        *,
        at: datetime | None = None,
        fields: EventFields | None = None,
        publish: bool = True,
    ) -> None:
        """One change: a timeline entry, and (unless `publish` is false) the next event of the case's log."""
        state = self._state
        at = at or workflow.now()
        attachment_ids = (fields.attachment_ids if fields is not None else None) or []
        state.timeline.append(timeline_entry(actor, action, detail, at=at, attachment_ids=attachment_ids))
        if not publish:
            return
        state.event_sequence += 1
        self._events.append(
            CaseEvent(
                event_id=case_event_id(state.case_id, state.event_sequence),
                case_id=state.case_id,
                sequence=state.event_sequence,
                source=self._source,
                kind=action.value,
                at=at,
                actor=actor,
                detail=detail,
                fields=fields or EventFields(),
            )
        )

    def notify(self, notification: NotificationEvent, *, description: str | None = None) -> None:
        """Send this notification with the step's events (after them); `description`: the ticket's, sealed onto it
        by the publishing activity (never in clear on the bus)."""
        self._notifications.append(notification)
        if description is not None:
            self._descriptions[notification.event_id] = description

    async def flush(self) -> None:
        """Publish what the step recorded and the notifications it sends, each event with the view after the step."""
        if not (self._events or self._notifications):
            return
        view = public_view(self._state).model_copy(update={"timeline": []})
        events = [event.model_copy(update={"view": view}) for event in self._events]
        received = any(event.kind == TimelineAction.RECEIVED.value for event in events)
        changes = CaseChanges(
            events=events,
            personal=self._personal if received else None,
            notifications=self._notifications,
            descriptions=self._descriptions,
        )
        self._events, self._notifications, self._descriptions = [], [], {}
        await workflow.execute_local_activity_method(
            NotificationActivities.publish_case_changes,
            changes,
            start_to_close_timeout=PUBLISH_TIMEOUT,
            retry_policy=PUBLISH_RETRY,
        )
