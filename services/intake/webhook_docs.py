"""The OpenAPI `webhooks` section: every POST the notifier sends, so an integrator can generate a receiver.

One webhook per event kind to a recipient's webhook (`notification.<kind>`), one per status change a platform is
told of at its ticket's `callback_url` (`callback.<kind>`). Intake never receives these; the routes exist only in
the schema. Their bodies are `WebhookEvent` and `CallbackEvent` (services/contracts/webhook_bodies.py), their
headers those services/notifier/signing.py signs with.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Header

from services.contracts.events import PLATFORM_EVENTS, EventKind
from services.contracts.webhook_bodies import (
    EVENT_ID_HEADER,
    EVENT_KIND_HEADER,
    IDEMPOTENCY_HEADER,
    REPLAY_WINDOW_SECONDS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    CallbackEvent,
    WebhookEvent,
)

NOTIFICATION_PREFIX = "notification."
CALLBACK_PREFIX = "callback."

# What each event tells its recipient; docs/notifications.md has who gets which.
EVENT_MEANINGS: dict[EventKind, str] = {
    EventKind.CASE_ASSIGNED: "A case is handed to the unit to sign for (新工单待签收); `deadlines` gives its windows, "
    "`address` and `description` the ticket's text.",
    EventKind.CASE_ACCEPTED: "The handling unit signed for the case (工单已签收).",
    EventKind.REMINDER: "A deadline (`deadline_kind`, `due`) is near (办理时限临近).",
    EventKind.DEADLINE_BREACHED: "A deadline (`deadline_kind`, `due`) has passed (工单已超时).",
    EventKind.CHASE_UP: "A chase-up (催办) after a missed deadline, to the handling unit or its leaders (`audience`).",
    EventKind.TRANSFER_NOTICE: "The case was transferred from `from_unit` to `to_unit`; `detail` says why.",
    EventKind.ARBITRATION_NEEDED: "The transfer cap was reached: the coordination centre arbitrates between "
    "`from_unit` and `to_unit`.",
    EventKind.ARBITRATION_DECIDED: "The coordination centre named the unit the handling unit by arbitration; with "
    "the ticket's `address` and `description`.",
    EventKind.FEEDBACK_GIVEN: "The handling unit gave the caller its first reply (`detail`).",
    EventKind.PROGRESS_REPORTED: "The handling unit reported progress (`detail`).",
    EventKind.JOINT_TASK_ASSIGNED: "The unit takes part in joint handling (联动处置) as `role`; its task in `detail`.",
    EventKind.JOINT_TASK_BREACHED: "A participant (`to_unit`, as `role`) missed its joint task's deadline.",
    EventKind.JOINT_PHASE_CLOSED: "The lead unit closed the joint handling phase (`detail`).",
    EventKind.ESCALATED: "The case was escalated to `escalation_level` (提级督办) with the proposed `plan`.",
    EventKind.ESCALATION_HELD: "A step was missed where the automatic escalation ladder ends: the coordination "
    "centre is asked to judge (研判).",
    EventKind.WEEKLY_REVIEW: "Top-level coordination's weekly review of a case still open.",
    EventKind.EXTENSION_REQUESTED: "The handling unit asks for more working days (`detail` says why); the "
    "coordination centre decides.",
    EventKind.EXTENSION_DECIDED: "The coordination centre decided an extension (`outcome`: approved or refused); "
    "`deadlines` as they now stand.",
    EventKind.CASE_RESOLVED: "The handling unit resolved the case (`detail`: the result); the caller is asked to rate.",
    EventKind.REWORK: "The caller was not satisfied: the case goes back to the handling unit (返工).",
    EventKind.CASE_CLOSED: "The case closed; `outcome` says how (rated, not rated, unsatisfied after the last "
    "allowed rework, unreasonable_demand).",
    EventKind.CATALOG_CHANGE_PENDING: "A unit applied to change the catalog (`detail`); the coordination centre "
    "decides by `due`. `case_id` is the change's workflow id.",
    EventKind.CATALOG_CHANGE_DECIDED: "A catalog change was decided (`detail`).",
    EventKind.CATALOG_CHANGE_EXPIRED: "A catalog change was not decided by `due` and has expired.",
    EventKind.TRIAGE_NEEDED: "A case the router could not place waits for the coordination centre's triage.",
    EventKind.REPORT_PUBLISHED: "A bulletin or special report is out; `report` says what it holds and where to read "
    "it. `case_id` is the report's id.",
    EventKind.CASE_CLASS_FOUND: "A class of cases (类案) was found; `case_id` is the class's id, `case_count` how "
    "many cases it holds.",
    EventKind.RECTIFICATION_OPENED: "A special rectification (专项整治) the unit leads or takes part in was opened; "
    "`due` is its deadline.",
    EventKind.RECTIFICATION_PROGRESS_DUE: "A special rectification's weekly progress report is missing.",
    EventKind.RECTIFICATION_OVERDUE: "A special rectification has passed its deadline.",
    EventKind.RECTIFICATION_CLOSED: "A special rectification was closed with its result (`detail`).",
}

_SIGNATURE = (
    f"`sha256=` + lowercase hex of HMAC-SHA256(secret, `{TIMESTAMP_HEADER}` + `.` + raw body). Recompute it over the "
    f"raw body, compare in constant time, and refuse a timestamp more than {REPLAY_WINDOW_SECONDS} s from your clock."
)
_ANSWER = (
    "Answer any 2xx once the event is stored; any other answer, or none within the timeout (10 s by default), is a "
    "failed attempt and is retried with the same event id."
)
_RESPONSES: dict[int | str, dict[str, Any]] = {
    "default": {"description": "Anything but a 2xx: the delivery failed and will be retried."}
}

EventId = Annotated[str, Header(alias=EVENT_ID_HEADER, description="The event id: de-duplicate on it.")]
Idempotency = Annotated[str, Header(alias=IDEMPOTENCY_HEADER, description="The event id again.")]
Kind = Annotated[EventKind, Header(alias=EVENT_KIND_HEADER, description="The event's `kind`.")]
Timestamp = Annotated[
    int, Header(alias=TIMESTAMP_HEADER, description="Unix time in seconds when this attempt was signed.")
]


async def _notification(
    event: WebhookEvent,
    event_id: EventId,
    idempotency_key: Idempotency,
    kind: Kind,
    timestamp: Timestamp,
    signature: Annotated[
        str, Header(alias=SIGNATURE_HEADER, description=f"Signed with the webhook's secret: {_SIGNATURE}")
    ],
) -> None:
    """The shape of every delivery to a webhook (never called: the schema is what matters)."""


async def _callback(
    event: CallbackEvent,
    event_id: EventId,
    idempotency_key: Idempotency,
    kind: Kind,
    timestamp: Timestamp,
    signature: Annotated[
        str | None,
        Header(
            alias=SIGNATURE_HEADER,
            description=f"Signed with the platform's callback key (`PUT /v1/platforms/{{channel}}/callback-secret`): "
            f"{_SIGNATURE} Absent while the platform has set no key.",
        ),
    ] = None,
) -> None:
    """The shape of every platform callback (never called: the schema is what matters)."""


def declare_webhooks(app: FastAPI) -> None:
    """Add every notification and platform callback to the app's OpenAPI `webhooks`."""
    for kind, meaning in EVENT_MEANINGS.items():
        app.webhooks.add_api_route(
            f"{NOTIFICATION_PREFIX}{kind.value}",
            _notification,
            methods=["POST"],
            operation_id=f"notification_{kind.value}",
            summary=f"{kind.value} to a recipient's webhook",
            description=f"{meaning}\n\nPOSTed to the webhook the recipient set with `PUT /v1/units/{{code}}/webhook`. "
            f"{_ANSWER}",
            tags=["webhooks"],
            response_description="Stored: the delivery is done.",
            responses=_RESPONSES,
        )
    for kind in sorted(PLATFORM_EVENTS):
        app.webhooks.add_api_route(
            f"{CALLBACK_PREFIX}{kind.value}",
            _callback,
            methods=["POST"],
            operation_id=f"callback_{kind.value}",
            summary=f"{kind.value} to a ticket's callback_url",
            description=f"{EVENT_MEANINGS[kind]}\n\nPOSTed to the `callback_url` of the platform's ticket, in order: "
            "`previous_sequence` names the callback before it, sent (and acknowledged) first. "
            f"{_ANSWER}",
            tags=["platform callbacks"],
            response_description="Stored: the callback is done.",
            responses=_RESPONSES,
        )
