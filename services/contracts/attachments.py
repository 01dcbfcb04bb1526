"""Attachments of a case (photos, PDFs, short audio): what is kept of each, and what a reader is shown.

`AttachmentRecord` is what the object store keeps beside the file (sealed, as it holds where a photo was taken);
`AttachmentView` is the public, versioned answer of `/v1/cases/{id}/attachments`, with short-lived links.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.credentials import ClientKind

ATTACHMENT_SCHEMA_VERSION = 1
# The development object store's one identity (`make run`); intake's settings refuse it outside development.
DEV_OBJECT_STORE_ACCESS_KEY = "hotline-dev"
DEV_OBJECT_STORE_SECRET_KEY = "hotline-dev-secret"


class AttachmentKind(StrEnum):
    IMAGE = "image"
    DOCUMENT = "document"
    AUDIO = "audio"


class AttachmentLocation(BaseModel):
    """Where a photo was taken, as its EXIF said (GPS: WGS-84 degrees), before the EXIF was stripped."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    coordinate_system: str = Field(default="wgs84", description="EXIF GPS is WGS-84.")


class AttachmentRecord(BaseModel):
    """What the store keeps of one attachment (internal; never answered as is)."""

    schema_version: int = ATTACHMENT_SCHEMA_VERSION
    attachment_id: str
    case_id: str
    file_name: str
    media_type: str
    kind: AttachmentKind
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str = Field(description="The uploader's subject: a unit's or leader's code, a platform's channel.")
    uploaded_by_kind: ClientKind
    uploaded_by_client: str
    description: str | None = None
    location: AttachmentLocation | None = None
    width: int | None = None
    height: int | None = None
    has_thumbnail: bool = False
    converted_from: str | None = Field(default=None, description="The media type received, when converted (HEIC).")


class AttachmentView(BaseModel):
    """One attachment as a reader of the case sees it; the links work without an API key until `links_expire_at`."""

    schema_version: int = ATTACHMENT_SCHEMA_VERSION
    attachment_id: str
    case_id: str
    file_name: str
    media_type: str = Field(description="What the bytes are (checked from the bytes, not the name).")
    kind: AttachmentKind
    size_bytes: int
    sha256: str = Field(description="SHA-256 (hex) of the file as stored and downloaded (EXIF stripped).")
    uploaded_at: datetime
    uploaded_by: str
    uploaded_by_kind: ClientKind
    description: str | None = None
    location: AttachmentLocation | None = None
    width: int | None = None
    height: int | None = None
    converted_from: str | None = None
    download_url: str = Field(description="The file; each download is written to the access log.")
    thumbnail_url: str | None = Field(default=None, description="A JPEG at most 320 px wide or high (images).")
    links_expire_at: datetime


class AttachmentList(BaseModel):
    """A case's attachments, oldest first."""

    items: list[AttachmentView]
    max_count: int = Field(description="How many a case may have.")
