"""Notification events the workflows publish on `notify.<recipient>.<kind>`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.assessment_reports import ReportKind
from services.contracts.case_event_log import SealedData
from services.contracts.case_view import Deadlines


class EventKind(StrEnum):
    CASE_ASSIGNED = "case_assigned"
    CASE_ACCEPTED = "case_accepted"
    REMINDER = "reminder"
    DEADLINE_BREACHED = "deadline_breached"
    CHASE_UP = "chase_up"
    TRANSFER_NOTICE = "transfer_notice"
    ARBITRATION_NEEDED = "arbitration_needed"
    ARBITRATION_DECIDED = "arbitration_decided"
    FEEDBACK_GIVEN = "feedback_given"
    PROGRESS_REPORTED = "progress_reported"
    JOINT_TASK_ASSIGNED = "joint_task_assigned"
    JOINT_TASK_BREACHED = "joint_task_breached"
    JOINT_PHASE_CLOSED = "joint_phase_closed"
    ESCALATED = "escalated"
    # A missed step where the automatic ladder ends: recorded, and the coordination centre asked to judge (研判).
    ESCALATION_HELD = "escalation_held"
    WEEKLY_REVIEW = "weekly_review"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"
    CASE_RESOLVED = "case_resolved"
    REWORK = "rework"
    CASE_CLOSED = "case_closed"
    # Catalog changes by application (动态调整): `case_id` is the change's workflow id, `catalog-change-<id>`.
    CATALOG_CHANGE_PENDING = "catalog_change_pending"
    CATALOG_CHANGE_DECIDED = "catalog_change_decided"
    CATALOG_CHANGE_EXPIRED = "catalog_change_expired"
    # A case the router could not place waits for the coordination centre's triage decision.
    TRIAGE_NEEDED = "triage_needed"
    # A bulletin and its special report are out: `case_id` is the report id, `report` says what it holds.
    REPORT_PUBLISHED = "report_published"
    # Classes of cases (类案) and special rectifications (专项整治), from the assessment service: `case_id` is the
    # class's or the rectification's id, `case_count` how many cases it holds.
    CASE_CLASS_FOUND = "case_class_found"
    RECTIFICATION_OPENED = "rectification_opened"
    RECTIFICATION_PROGRESS_DUE = "rectification_progress_due"
    RECTIFICATION_OVERDUE = "rectification_overdue"
    RECTIFICATION_CLOSED = "rectification_closed"


# The status changes a platform is told of, at the ticket's `callback_url` (docs/notifications.md).
PLATFORM_EVENTS = frozenset(
    {
        EventKind.CASE_ASSIGNED,
        EventKind.CASE_ACCEPTED,
        EventKind.TRANSFER_NOTICE,
        EventKind.FEEDBACK_GIVEN,
        EventKind.PROGRESS_REPORTED,
        EventKind.CASE_RESOLVED,
        EventKind.REWORK,
        EventKind.CASE_CLOSED,
    }
)


class Audience(StrEnum):
    """Who in the recipient's organisation the event is meant for."""

    UNIT = "unit"
    UNIT_LEADER = "unit_leader"
    COORDINATION = "coordination"
    LEADER = "leader"
    PLATFORM = "platform"


class HeadlineRate(BaseModel):
    """One of the city's headline rates as a report notice gives it."""

    code: str
    name: str = Field(description="Its Chinese name (承接率, 办结率, 满意率).")
    value: float | None = Field(description="0–1; null when nothing was counted.")
    change: float | None = Field(default=None, description="Minus the previous period's value (0–1 scale).")


class ReportNotice(BaseModel):
    """What a `report_published` event says about the report; the HTML and XLSX themselves are in the reports
    object store (`report_object_name`), fetched by the notifier for the email."""

    report_id: str
    kind: ReportKind
    title: str
    period_label: str = Field(description="The period in Chinese (`Period.label()`).")
    url: str = Field(description="Where a reader opens the report's HTML page.")
    headline: list[HeadlineRate] = Field(default_factory=list, description="The city's, in the report's order.")
    stalled_count: int = Field(ge=0, description="Stalled items listed one by one in the special report.")
    units_named_count: int = Field(ge=0, description="Units named and ordered to rectify.")
    summary: str = Field(default="", description="A few lines of plain text, for robots and the email's text part.")


class NotificationEvent(BaseModel):
    """One thing a recipient must know or act on. `event_id` is the idempotency key end to end."""

    schema_version: int = 1
    event_id: str
    kind: EventKind
    case_id: str
    unit: str = Field(description="The recipient: a unit code, an actor code, or 'platform-<channel>'.")
    audience: Audience = Audience.UNIT
    sequence: int = Field(ge=1, description="Sequence number within the case (or joint task), in order of events.")
    occurred_at: datetime
    title: str
    status: str | None = None
    channel: str | None = None
    external_id: str | None = None
    callback_url: str | None = None
    catalog_item: str | None = None
    handling_unit: str | None = None
    first_contact_unit: str | None = None
    township: str | None = None
    address: str | None = None
    urgency: str = "normal"
    deadlines: Deadlines = Field(default_factory=Deadlines)
    deadline_kind: str | None = None
    due: datetime | None = None
    escalation_level: int = 0
    from_unit: str | None = None
    to_unit: str | None = None
    role: str | None = Field(default=None, description="Joint handling: the recipient's role (a code).")
    plan: str | None = Field(default=None, description="Escalation: the proposed plan (free text).")
    outcome: str | None = Field(
        default=None,
        description="A code for how something ended: an extension's decision (approved, refused), a case's closing "
        "reason (rated, not rated, unsatisfied after the last allowed rework, unreasonable_demand).",
    )
    detail: str = ""
    attachment_ids: list[str] = Field(
        default_factory=list,
        description="Attachments the action showed (a resolution's after-photo, a report's evidence): each delivery "
        "carries a short-lived link to them in `media`.",
    )
    thumbnail_ids: list[str] = Field(
        default_factory=list,
        description="Those of `attachment_ids` that are images with a thumbnail: their `media` links carry a "
        "`thumbnail_url` too, and an email or robot message shows the thumbnail.",
    )
    case_count: int | None = Field(
        default=None, description="A class of cases or a special rectification: how many cases it holds."
    )
    previous_sequence: int | None = Field(
        default=None,
        description="Platform callbacks: the sequence of the previous callback of this case (0 for the first); "
        "a callback is sent only after that one, so a later status never overtakes an earlier one.",
    )
    sealed_ticket: SealedData | None = Field(
        default=None,
        description="The ticket's personal text for a unit, sealed under the payload keys so the bus never holds it "
        "in clear: `PersonalData` with the address (on every event to a unit that has one; `address` above is then "
        "null on the bus) and the description (on a unit's `case_assigned` and `arbitration_decided`). The notifier "
        "opens it for the unit's channels (a webhook body's `address` and `description`) and never sends it on "
        "sealed.",
    )
    report: ReportNotice | None = Field(default=None, description="`report_published`: the report it announces.")


def event_id_for(case_id: str, sequence: int, *, stream: str = "") -> str:
    """Deterministic event id: the same workflow step always publishes the same id."""
    return f"{case_id}:{stream}:{sequence}" if stream else f"{case_id}:{sequence}"


def platform_recipient(channel: str) -> str:
    """The recipient code of a platform's status callbacks (a NATS subject token)."""
    return f"platform-{channel}".replace("_", "-")
