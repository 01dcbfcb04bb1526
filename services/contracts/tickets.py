"""The ticket a platform sends to `POST /v1/cases` (API contract v1: names are frozen, fields may be added)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import (
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

# A unit or catalog code is used as a NATS subject token: keep it to safe characters.
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
ITEM_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
# Platforms may send a clock a little ahead of ours; anything further ahead is a broken timestamp.
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_ATTACHMENT_URLS = 5


class Channel(StrEnum):
    """Where a case came from."""

    HOTLINE_12345 = "12345"
    LIVELIHOOD_89000 = "89000"
    GRID = "grid"
    TOWNSHIP_CALL = "township_call"
    KEY_WORK_CALL = "key_work_call"
    ASSIGNED = "assigned"
    OPEN311 = "open311"  # citizens' apps and civic platforms speaking Open311 GeoReport v2 (docs/open311.md)


# Channels on which units call other units (乡呼区应, 重点工作呼应联动): any unit may call, and each numbers its
# own calls, so the calling unit is part of a call's identity. The platforms' channels (12345, 89000, grid) and
# the coordination centre's assignments (交办) each have a single submitter numbering its own tickets.
UNIT_CALL_CHANNELS = frozenset({Channel.TOWNSHIP_CALL, Channel.KEY_WORK_CALL})
# Channels many platform clients share, each numbering its own tickets (Open311: every citizens' app): a ticket's
# `external_id` is `<client id>/<the client's own id>`, and a client reads only the tickets under its prefix.
CLIENT_NUMBERED_CHANNELS = frozenset({Channel.OPEN311})
CLIENT_ID_SEPARATOR = "/"


def client_prefix(channel: Channel | str, client_id: str) -> str | None:
    """The prefix of a client's tickets' `external_id` on a channel clients share; None on any other channel."""
    return f"{client_id}{CLIENT_ID_SEPARATOR}" if channel in CLIENT_NUMBERED_CHANNELS else None


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class CoordinateSystem(StrEnum):
    """Which datum a point is given in: GPS and international maps give WGS-84; Chinese map apps give GCJ-02 (Amap,
    Tencent, the "Mars" offset every map published in China carries) or BD-09 (Baidu, offset once more)."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


# District → township/street → village/community → basic grid: the seeds' four levels, as dotted codes.
GRID_CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}(\.[a-z0-9][a-z0-9-]{0,63}){0,3}$"


class TicketLocation(BaseModel):
    """Where the matter is: a point (in the datum it was taken in) and, from a grid worker, the basic grid's code."""

    model_config = ConfigDict(extra="forbid")

    latitude: float | None = Field(default=None, ge=-90, le=90, description="Degrees north.")
    # Checked even when left out, so that a point missing one coordinate is refused naming the one missing.
    longitude: float | None = Field(default=None, ge=-180, le=180, validate_default=True, description="Degrees east.")
    coordinate_system: CoordinateSystem = Field(
        default=CoordinateSystem.WGS84,
        description="The datum of `latitude` and `longitude`; the system keeps WGS-84 and converts the others.",
    )
    grid_code: str | None = Field(
        default=None,
        pattern=GRID_CODE_PATTERN,
        description="The grid the report is from: `district.township.community.grid` (fewer levels allowed).",
    )

    @field_validator("longitude")
    @classmethod
    def _a_point_has_both_coordinates(cls, longitude: float | None, info: ValidationInfo) -> float | None:
        # A latitude that failed its own check is absent from `info.data` and already refused by name.
        if "latitude" not in info.data:
            return longitude
        latitude = info.data["latitude"]
        if latitude is not None and longitude is None:
            raise ValueError("a point needs a longitude with its latitude")
        if latitude is None and longitude is not None:
            raise ValueError("a point needs a latitude with its longitude")
        return longitude

    @model_validator(mode="after")
    def _a_location_says_where(self) -> TicketLocation:
        if self.latitude is None and self.longitude is None and self.grid_code is None:
            raise ValueError("a location needs a point (latitude and longitude) or a grid_code")
        return self


class Caller(BaseModel):
    """The citizen (or calling unit) behind a ticket: personal data, never logged."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32, pattern=r"^[0-9+\- ]{3,32}$")
    confidential: bool = Field(
        default=False,
        description="The caller asked for confidentiality (保密): units see the name and phone masked.",
    )


class Ticket(BaseModel):
    """A ticket as a platform submits it."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "channel": "12345",
                    "external_id": "12345-20261122-000187",
                    "title": "小区停水两天无人处理",
                    "description": "河口镇幸福家园小区从前天早上开始停水，物业说是自来水公司的问题，至今没有恢复供水。",
                    "category_code": "LS-06",
                    "township": "hekou-town",
                    "address": "河口镇幸福家园小区3号楼",
                    "caller": {"name": "王女士", "phone": "13800000000"},
                    "urgency": "normal",
                    "reported_at": "2026-11-22T09:15:00+08:00",
                    "callback_url": "https://12345.example.gov.cn/callbacks/cases",
                }
            ]
        },
    )

    channel: Channel
    external_id: str = Field(min_length=1, max_length=128, description="The platform's own ticket id.")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10000)
    category_code: str | None = Field(
        default=None,
        pattern=ITEM_CODE_PATTERN,
        description="Catalog item code, or the platform's own category code (mapped to an item); "
        "without one the title and description decide.",
    )
    township: str | None = Field(default=None, pattern=CODE_PATTERN, description="Unit code of the township.")
    address: str | None = Field(default=None, max_length=500)
    caller: Caller | None = None
    urgency: Urgency = Urgency.NORMAL
    reported_at: AwareDatetime = Field(description="RFC 3339 timestamp with a time zone.")
    callback_url: AnyHttpUrl | None = Field(default=None, description="Where the platform wants status updates.")
    location: TicketLocation | None = Field(
        default=None, description="Where the matter is: a point and/or a grid code (a grid worker's report)."
    )
    attachment_urls: list[AnyHttpUrl] | None = Field(
        default=None,
        max_length=MAX_ATTACHMENT_URLS,
        description="Files the platform keeps (photos, a PDF, the call's audio) for the system to fetch into the "
        "case's attachments, each checked like an upload; the URLs are held to the rules of webhooks (https, no "
        "address in the system's own network) and are not followed through redirects. A fetch that fails for good "
        "is written in the case's timeline (`attachment_fetch_failed`).",
    )

    @field_validator("external_id")
    @classmethod
    def _printable_id(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError("external_id must not contain control characters")
        return value

    @field_validator("reported_at")
    @classmethod
    def _not_in_future(cls, value: datetime) -> datetime:
        if value - datetime.now(UTC) > MAX_CLOCK_SKEW:
            raise ValueError("reported_at lies in the future")
        return value


class TicketReceipt(BaseModel):
    """Answer to `POST /v1/cases`: 202 for a new ticket, 200 for a resubmission."""

    case_id: str
    status: str = "received"
