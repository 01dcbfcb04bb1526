"""Attachments in the object store: each under `cases/<case id>/<attachment id>/`, as `file`, `thumbnail` (images)
and `record.json` (its `AttachmentRecord`), all sealed with the payload keys. The record is written last, so an
upload cut short is never listed.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import structlog
from prometheus_client import Counter

from services.contracts.attachment_links import LinkVariant
from services.contracts.attachments import AttachmentKind, AttachmentRecord
from services.contracts.case_view import CaseAttachment
from services.contracts.credentials import Principal
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.problem_codes import ProblemCode
from services.engines.object_store import ObjectMissing, ObjectStore, ObjectStoreUnavailable
from services.engines.sealed_objects import ObjectUnsealError, seal_object, unseal_object
from services.intake.attachment_files import (
    AcceptedType,
    NotAccepted,
    UnreadableImage,
    prepare_image,
    sha256_hex,
    sniff,
    stored_file_name,
)
from services.intake.errors import Conflict, NotFound, Unavailable, UnprocessableInput, UnsupportedMedia

log = structlog.get_logger(__name__)

ATTACHMENTS_STORED = Counter(
    "hotline_attachments_stored_total", "Attachments stored, by kind (image, document, audio).", ["kind"]
)
ATTACHMENTS_REFUSED = Counter(
    "hotline_attachments_refused_total", "Uploads refused, by reason (type, unreadable, size, count).", ["reason"]
)
RECORD = "record.json"


class ObjectStoreDown(Unavailable):
    code = ProblemCode.OBJECT_STORE_UNAVAILABLE


def _prefix(case_id: str) -> str:
    return f"cases/{case_id}/"


def object_key(case_id: str, attachment_id: str, part: str) -> str:
    return f"{_prefix(case_id)}{attachment_id}/{part}"


class AttachmentService:
    def __init__(self, *, store: ObjectStore, keyring: PayloadKeyring, max_count: int, max_pixels: int) -> None:
        self._store = store
        self._keyring = keyring
        self.max_count = max_count
        self._max_pixels = max_pixels

    async def add(
        self,
        *,
        case_id: str,
        uploader: Principal,
        data: bytes,
        file_name: str | None,
        description: str | None,
        attachment_id: str | None = None,
    ) -> AttachmentRecord:
        """Check, prepare and store one file; 415 for a type we do not keep, 422 for a broken image, 409 past
        the count limit, 503 when the store does not answer. `attachment_id` fixes the id (a fetched file: its
        retries overwrite one attachment); by default a new one."""
        try:
            accepted = sniff(data)
        except NotAccepted as exc:
            ATTACHMENTS_REFUSED.labels("type").inc()
            raise UnsupportedMedia(f"file: {exc}", code=ProblemCode.ATTACHMENT_TYPE_NOT_ACCEPTED) from None
        others = [key for key in await self._record_keys(case_id) if key.split("/")[-2] != attachment_id]
        if len(others) >= self.max_count:
            ATTACHMENTS_REFUSED.labels("count").inc()
            raise Conflict(
                f"file: the case already has {self.max_count} attachments, as many as it may have",
                code=ProblemCode.ATTACHMENT_LIMIT_REACHED,
            )
        record, content, thumbnail = await asyncio.to_thread(
            self._prepare, case_id, uploader, data, accepted, file_name, description, attachment_id or uuid.uuid4().hex
        )
        attachment_id = record.attachment_id
        await self._put(object_key(case_id, attachment_id, "file"), content)
        if thumbnail is not None:
            await self._put(object_key(case_id, attachment_id, "thumbnail"), thumbnail)
        await self._put(object_key(case_id, attachment_id, RECORD), record.model_dump_json().encode())
        await self._keep_within_count(record)
        ATTACHMENTS_STORED.labels(record.kind.value).inc()
        log.info(
            "attachment.stored",
            case_id=case_id,
            attachment_id=attachment_id,
            media_type=record.media_type,
            size_bytes=record.size_bytes,
            located=record.location is not None,
        )
        return record

    async def _keep_within_count(self, record: AttachmentRecord) -> None:
        """Uploads racing for the last free places each counted before storing: counted again after, one that finds
        the case over its limit takes itself back (409). Whichever of the kept files was stored last saw all the
        others, so a case never keeps more than it may; racers at the limit may all step back, and a retry fits."""
        if len(await self._record_keys(record.case_id)) <= self.max_count:
            return
        for part in (RECORD, "file", "thumbnail"):
            await self._delete(object_key(record.case_id, record.attachment_id, part))
        ATTACHMENTS_REFUSED.labels("count").inc()
        raise Conflict(
            f"file: the case reached its {self.max_count} attachments while this file was stored",
            code=ProblemCode.ATTACHMENT_LIMIT_REACHED,
        )

    def _prepare(
        self,
        case_id: str,
        uploader: Principal,
        data: bytes,
        accepted: AcceptedType,
        file_name: str | None,
        description: str | None,
        attachment_id: str,
    ) -> tuple[AttachmentRecord, bytes, bytes | None]:
        content, thumbnail, media_type = data, None, accepted.media_type
        location, width, height = None, None, None
        if accepted.kind is AttachmentKind.IMAGE:
            try:
                image = prepare_image(data, accepted, max_pixels=self._max_pixels)
            except UnreadableImage as exc:
                ATTACHMENTS_REFUSED.labels("unreadable").inc()
                raise UnprocessableInput(f"file: {exc}", code=ProblemCode.ATTACHMENT_UNREADABLE) from None
            content, thumbnail, media_type = image.content, image.thumbnail, image.media_type
            location, width, height = image.location, image.width, image.height
        record = AttachmentRecord(
            attachment_id=attachment_id,
            case_id=case_id,
            file_name=stored_file_name(file_name, accepted, media_type),
            media_type=media_type,
            kind=accepted.kind,
            size_bytes=len(content),
            sha256=sha256_hex(content),
            uploaded_at=datetime.now(UTC),
            uploaded_by=uploader.subject,
            uploaded_by_kind=uploader.kind,
            uploaded_by_client=uploader.client_id,
            description=description,
            location=location,
            width=width,
            height=height,
            has_thumbnail=thumbnail is not None,
            converted_from=accepted.media_type if media_type != accepted.media_type else None,
        )
        return record, content, thumbnail

    async def all_of(self, case_id: str) -> list[AttachmentRecord]:
        """The case's attachments, oldest first."""
        keys = await self._record_keys(case_id)
        records = await asyncio.gather(*(self._read_record(key) for key in keys))
        return sorted((record for record in records if record is not None), key=lambda record: record.uploaded_at)

    async def find(self, case_id: str, attachment_id: str) -> AttachmentRecord | None:
        return await self._read_record(object_key(case_id, attachment_id, RECORD))

    async def record(self, case_id: str, attachment_id: str) -> AttachmentRecord:
        record = await self.find(case_id, attachment_id)
        if record is None:
            raise NotFound(f"no attachment {attachment_id} on case {case_id}", code=ProblemCode.ATTACHMENT_NOT_FOUND)
        return record

    async def require_on_case(self, case_id: str, attachment_ids: list[str]) -> None:
        """An action may name only attachments of its own case (422 naming the first that is not)."""
        if not attachment_ids:
            return  # no store call for the actions that name none
        on_case = {key.split("/")[-2] for key in await self._record_keys(case_id)}
        for position, attachment_id in enumerate(attachment_ids):
            if attachment_id not in on_case:
                raise UnprocessableInput(
                    f"attachment_ids[{position}]: no attachment {attachment_id} on this case; upload it first",
                    code=ProblemCode.ATTACHMENT_NOT_ON_CASE,
                )

    async def content(self, record: AttachmentRecord, variant: LinkVariant) -> bytes:
        """The file (or its thumbnail) as stored, decrypted."""
        if variant is LinkVariant.THUMBNAIL and not record.has_thumbnail:
            raise NotFound(f"attachment {record.attachment_id} has no thumbnail", code=ProblemCode.ATTACHMENT_NOT_FOUND)
        key = object_key(record.case_id, record.attachment_id, variant.value)
        try:
            sealed = await self._store.get(key)
        except ObjectMissing:
            gone = f"attachment {record.attachment_id} is gone"
            raise NotFound(gone, code=ProblemCode.ATTACHMENT_NOT_FOUND) from None
        except ObjectStoreUnavailable as exc:
            raise _down(exc) from None
        try:
            return unseal_object(sealed, object_key=key, keyring=self._keyring)
        except ObjectUnsealError as exc:
            log.error("attachment.unseal_failed", case_id=record.case_id, reason=str(exc))
            raise ObjectStoreDown(
                "the stored file cannot be opened with the configured keys", code=ProblemCode.OBJECT_STORE_UNAVAILABLE
            ) from None

    async def _record_keys(self, case_id: str) -> list[str]:
        try:
            keys = await self._store.keys(_prefix(case_id))
        except ObjectStoreUnavailable as exc:
            raise _down(exc) from None
        return [key for key in keys if key.endswith(f"/{RECORD}")]

    async def _read_record(self, key: str) -> AttachmentRecord | None:
        try:
            sealed = await self._store.get(key)
        except ObjectMissing:
            return None
        except ObjectStoreUnavailable as exc:
            raise _down(exc) from None
        try:
            return AttachmentRecord.model_validate_json(unseal_object(sealed, object_key=key, keyring=self._keyring))
        except (ObjectUnsealError, ValueError) as exc:
            log.error("attachment.record_unreadable", key=key, reason=str(exc))
            return None

    async def _delete(self, key: str) -> None:
        try:
            await self._store.delete(key)
        except ObjectStoreUnavailable as exc:
            raise _down(exc) from None

    async def _put(self, key: str, clear: bytes) -> None:
        try:
            await self._store.put(key, seal_object(clear, object_key=key, keyring=self._keyring))
        except ObjectStoreUnavailable as exc:
            raise _down(exc) from None


def case_attachment(record: AttachmentRecord) -> CaseAttachment:
    """The attachment as the case lists it (no name, position or link)."""
    return CaseAttachment(
        attachment_id=record.attachment_id,
        kind=record.kind.value,
        media_type=record.media_type,
        size_bytes=record.size_bytes,
        sha256=record.sha256,
        uploaded_at=record.uploaded_at,
        uploaded_by=record.uploaded_by,
        has_thumbnail=record.has_thumbnail,
    )


def _down(exc: ObjectStoreUnavailable) -> ObjectStoreDown:
    return ObjectStoreDown(
        f"the attachments' object store is not answering ({exc}); try again shortly",
        code=ProblemCode.OBJECT_STORE_UNAVAILABLE,
    )
