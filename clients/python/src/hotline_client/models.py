"""The API's bodies a platform sends and reads, as pydantic models.

Kept by hand, to the fields a platform uses; a test in the hotline repository holds each one to the API's OpenAPI
schema. Answers allow fields this version does not know (the API adds fields freely), and values the API may extend
(statuses, codes, event kinds) are plain strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Channel = Literal["12345", "89000", "grid", "township_call", "key_work_call", "assigned", "open311"]
RatingLevel = Literal["satisfied", "basically_satisfied", "unsatisfied"]

_SENT = ConfigDict(extra="forbid")
_READ = ConfigDict(extra="allow")


class TicketCaller(BaseModel):
    """The citizen behind a ticket (personal data: the API never logs it)."""

    model_config = _SENT

    name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    confidential: bool = False


class TicketLocation(BaseModel):
    """Where the matter is: a point in the datum it was taken in (Amap and Tencent give `gcj02`, Baidu `bd09`, GPS
    `wgs84`), and a grid worker's grid code `district.township.community.grid`; a point, a grid code or both."""

    model_config = _SENT

    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    coordinate_system: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    grid_code: str | None = None


class Ticket(BaseModel):
    """A ticket as a platform submits it (`POST /v1/cases`); `(channel, external_id)` is its identity."""

    model_config = _SENT

    channel: Channel
    external_id: str = Field(min_length=1, max_length=128)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10000)
    category_code: str | None = None
    township: str | None = None
    address: str | None = Field(default=None, max_length=500)
    caller: TicketCaller | None = None
    urgency: Literal["normal", "urgent"] = "normal"
    reported_at: AwareDatetime
    callback_url: str | None = None
    location: TicketLocation | None = None
    attachment_urls: list[str] | None = Field(
        default=None, max_length=5, description="Files the system fetches into the case (photos, a PDF, audio)."
    )


class Receipt(BaseModel):
    """The answer to a submitted ticket: its case id; `created` is false when the API already had it."""

    model_config = _READ

    case_id: str
    status: str
    created: bool = True


class Deadlines(BaseModel):
    model_config = _READ

    sign_for: datetime | None = None
    feedback: datetime | None = None
    resolution: datetime | None = None


class TimelineEntry(BaseModel):
    model_config = _READ

    at: datetime
    actor: str
    action: str
    detail: str = ""


class Case(BaseModel):
    """A case as the API shows it (`GET /v1/cases/{id}`); the fields a platform reads, and the rest as extra."""

    model_config = _READ

    case_id: str
    status: str
    channel: str
    external_id: str
    title: str | None = None
    catalog_item: str | None = None
    first_contact_unit: str | None = None
    handling_unit: str | None = None
    township: str | None = None
    deadlines: Deadlines = Field(default_factory=Deadlines)
    overdue: bool = False
    escalation_level: int = 0
    resolved_at: datetime | None = None
    resolution_note: str | None = None
    rating_due: datetime | None = None
    closed_at: datetime | None = None
    closed_reason: str | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)


class TicketView(BaseModel):
    """The whole ticket of a case (`GET /v1/cases/{id}/ticket`), with the caller as the reader may see them."""

    model_config = _READ

    case_id: str
    channel: str
    external_id: str
    title: str | None = None
    description: str
    address: str | None = None
    reported_at: datetime | None = None
    received_at: datetime | None = None
    caller: dict[str, Any] | None = None
    caller_masked: bool = False


class Rating(BaseModel):
    """The caller's rating of a resolved case (`POST /v1/cases/{id}/rating`)."""

    model_config = _SENT

    speed: RatingLevel
    outcome: RatingLevel
    comment: str = Field(default="", max_length=2000)


class CallbackSecret(BaseModel):
    """The answer to setting a callback key: the key itself only when the API generated it (shown once)."""

    model_config = _READ

    platform: str
    secret: str | None


class NotificationSummary(BaseModel):
    """One event of a case and how its delivery went (`GET /v1/notifications?case_id=`)."""

    model_config = _READ

    event_id: str
    case_id: str
    unit: str
    kind: str
    sequence: int
    occurred_at: datetime
    status: str
    attempts: int
    last_error: str | None


class Event(BaseModel):
    """A delivery the notifier POSTs to a webhook or a ticket's `callback_url` (the API's OpenAPI `webhooks`)."""

    model_config = _READ

    schema_version: int = 1
    event_id: str
    kind: str
    case_id: str
    unit: str
    sequence: int
    occurred_at: datetime
    title: str
    status: str | None = None
    channel: str | None = None
    external_id: str | None = None
    handling_unit: str | None = None
    detail: str = ""
    outcome: str | None = None
    previous_sequence: int | None = None


class FieldProblem(BaseModel):
    """One field of a request that does not fit the schema."""

    model_config = _READ

    loc: list[str | int]
    msg: str
    type: str
    code: str


class Problem(BaseModel):
    """An error answer: RFC 9457 problem details with the API's stable `code`."""

    model_config = _READ

    type: str = "about:blank"
    title: str = ""
    status: int
    detail: str | list[FieldProblem] = ""
    instance: str | None = None
    code: str
