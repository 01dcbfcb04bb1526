"""The state of a case as its workflow keeps it and `GET /v1/cases/{id}` shows it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.cases import CALLING_UNIT, CaseStatus, RoutingDecision


class DeadlineKind(StrEnum):
    SIGN_FOR = "sign_for"
    TRANSFER = "transfer"
    FEEDBACK = "feedback"
    RESOLUTION = "resolution"
    ARBITRATION = "arbitration"
    TRIAGE = "triage"
    JOINT_TASK = "joint_task"
    CATALOG_CHANGE_DECISION = "catalog_change_decision"


class Deadlines(BaseModel):
    """The current due time of each deadline (API contract: `feedback` and `resolution` at least)."""

    sign_for: datetime | None = None
    transfer: datetime | None = None
    feedback: datetime | None = None
    resolution: datetime | None = None
    arbitration: datetime | None = None
    triage: datetime | None = Field(default=None, description="For the coordination centre's triage decision.")
    provisional: bool = Field(default=False, description="Some deadline counts days of a year with no schedule yet.")
    paused: list[DeadlineKind] = Field(
        default_factory=list,
        description="Deadlines whose clock stands still (the case awaits arbitration): their due time above is null "
        "until they resume; `tracked_deadlines` keeps the due time each had when it stopped.",
    )


class TrackedDeadline(BaseModel):
    """One deadline of the case as platforms see it: when it started and is due, and whether it was met or missed.

    The workflow's bookkeeping for it (reminders, chase-up, the next escalation step) is not part of the API.
    """

    kind: DeadlineKind
    started_at: datetime
    due: datetime
    extra_working_days: int = Field(default=0, description="Added by approved extensions.")
    provisional: bool = False
    provisional_years: list[int] = Field(default_factory=list)
    met_at: datetime | None = None
    breached_at: datetime | None = None
    chase_up_at: datetime | None = Field(default=None, description="When the chase-up notice (催办) is or was sent.")
    paused_at: datetime | None = Field(
        default=None,
        description="Since when its clock stands still, the case being out of the unit's hands; null while it runs.",
    )

    @property
    def open(self) -> bool:
        return self.met_at is None


class TimelineEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    detail: str = ""
    attachment_ids: list[str] = Field(
        default_factory=list,
        description="Attachments the action showed (`GET /v1/cases/{id}/attachments` lists them with links).",
    )


class CaseAttachment(BaseModel):
    """One file attached to the case, as the case knows it: no name, position or link (those, for its readers, come
    from `GET /v1/cases/{id}/attachments`)."""

    attachment_id: str
    kind: str = Field(description="`image`, `document` or `audio`.")
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str = Field(description="The uploader's subject: a unit's or leader's code, a platform's channel.")
    has_thumbnail: bool = False


class Transfer(BaseModel):
    from_unit: str
    to_unit: str
    reason: str
    catalog_item: str
    at: datetime


class TransferNotice(BaseModel):
    """The transfer notice (告知单): tells the caller once where the matter went and why. Part of the case record
    whatever the channel; sent where the caller has one."""

    at: datetime
    from_unit: str
    to_unit: str
    reason: str
    catalog_item: str
    sent_to: list[str] = Field(
        default_factory=list,
        description="Where it was sent: the platform's status callback, a unit's call's calling unit; empty when "
        "the caller has no channel (the hotline reads it from the case).",
    )


class Breach(BaseModel):
    kind: DeadlineKind
    unit: str
    due: datetime
    at: datetime
    escalation_level: int


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Extension(BaseModel):
    requested_by: str
    reason: str
    working_days: int
    requested_at: datetime
    status: ExtensionStatus = ExtensionStatus.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""
    old_due: datetime | None = None
    new_due: datetime | None = None


class RatingLevel(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class Rating(BaseModel):
    speed: RatingLevel
    outcome: RatingLevel
    comment: str = ""
    at: datetime
    round: int = Field(description="Which resolution was rated: 0 the first, 1 after the first rework, ...")
    judged_unreasonable: bool = Field(
        default=False, description="The coordination centre judged the demand behind it unreasonable (不合理诉求)."
    )


# `closed_reason` of a case closed on the coordination centre's judgement of the demand.
UNREASONABLE_DEMAND = "unreasonable_demand"
# `closed_reason` of a case whose rating window ended without a rating (逾期未评价).
NOT_RATED = "not rated"


class UnreasonableDemand(BaseModel):
    """The coordination centre's judgement that the demand behind an unsatisfied rating is unreasonable."""

    judged_by: str
    judged_at: datetime
    reason: str
    rating_round: int = Field(description="The `round` of the rating it judged.")


class JointRole(StrEnum):
    LEAD = "lead"
    CO_MANAGING = "co_managing"
    ENFORCEMENT = "enforcement"
    TOWNSHIP = "township"


# How notices and pages name a joint role.
JOINT_ROLE_NAMES: dict[str, str] = {
    JointRole.LEAD: "牵头单位",
    JointRole.CO_MANAGING: "协管单位",
    JointRole.ENFORCEMENT: "执法单位",
    JointRole.TOWNSHIP: "属地",
}


class JointTaskStatus(StrEnum):
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    CLOSED_BY_LEAD = "closed_by_lead"


class JointTaskView(BaseModel):
    """One participant's share of joint handling, as its `JointTask` child workflow reports it."""

    case_id: str
    workflow_id: str
    unit: str
    role: JointRole
    task: str
    status: JointTaskStatus = JointTaskStatus.ASSIGNED
    due: datetime
    overdue: bool = False
    reports: list[TimelineEntry] = Field(default_factory=list)
    completed_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in (JointTaskStatus.COMPLETED, JointTaskStatus.CLOSED_BY_LEAD)


class JointPhase(BaseModel):
    number: int
    requested_by: str
    reason: str
    started_at: datetime
    tasks: list[JointTaskView] = Field(default_factory=list)
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def open(self) -> bool:
        return self.closed_at is None

    def lead(self) -> JointTaskView | None:
        return next((t for t in self.tasks if t.role is JointRole.LEAD), None)


class Escalation(BaseModel):
    level: int
    level_name: str
    requested_by: str
    reason: str
    plan: str = ""
    at: datetime


class CaseView(BaseModel):
    """Everything about a case a platform, unit or leader may see: the `state` query's answer and the body of
    `GET /v1/cases/{id}`. A projection of the workflow's own state (`CaseState`), which keeps its bookkeeping apart.
    """

    schema_version: int = 1
    case_id: str
    status: CaseStatus
    channel: str
    external_id: str
    title: str | None = None
    urgency: str = "normal"
    catalog_item: str | None = None
    catalog_version: str | None = None
    policy_version: str | None = None
    first_contact_unit: str | None = None
    handling_unit: str | None = None
    township: str | None = None
    supporting_units: list[str] = Field(default_factory=list)
    calling_unit: str | None = Field(default=None, description=CALLING_UNIT)
    received_at: datetime | None = None
    deadlines: Deadlines = Field(default_factory=Deadlines)
    tracked_deadlines: list[TrackedDeadline] = Field(default_factory=list)
    overdue: bool = False
    escalation_level: int = 0
    escalations: list[Escalation] = Field(default_factory=list)
    explanation_required: bool = False
    routing: RoutingDecision | None = None
    transfers: list[Transfer] = Field(default_factory=list)
    transfer_notices: list[TransferNotice] = Field(default_factory=list)
    arbitrated: bool = False
    breaches: list[Breach] = Field(default_factory=list)
    extensions: list[Extension] = Field(default_factory=list)
    joint_phases: list[JointPhase] = Field(default_factory=list)
    feedback_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution_note: str | None = None
    reworks: int = 0
    ratings: list[Rating] = Field(default_factory=list)
    unreasonable_demand: UnreasonableDemand | None = None
    rating_due: datetime | None = Field(default=None, description="Closed as not rated if no rating comes by then.")
    closed_at: datetime | None = None
    closed_reason: str | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    attachments: list[CaseAttachment] = Field(
        default_factory=list, description="Files attached to the case, oldest first (docs/attachments.md)."
    )

    def tracked(self, kind: DeadlineKind) -> TrackedDeadline | None:
        return next((d for d in self.tracked_deadlines if d.kind is kind), None)

    def open_joint_phase(self) -> JointPhase | None:
        return next((p for p in self.joint_phases if p.open), None)

    @property
    def rating(self) -> Rating | None:
        return self.ratings[-1] if self.ratings else None
