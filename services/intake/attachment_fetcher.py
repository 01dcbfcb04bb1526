"""The activity that fetches a ticket's `attachment_urls[i]` into the case's attachments, run by intake (which keeps
the attachments) on its own task queue for the case workflow, which retries it and records a refusal.

Idempotent: the attachment's id is fixed by the case and the position, and an attachment already stored is
answered as it is, so a retry after a lost answer neither fetches nor stores twice.
"""

from __future__ import annotations

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.contracts.attachment_fetch import (
    FETCH_FAILED,
    FETCH_REFUSED,
    FETCH_TICKET_ATTACHMENT,
    AttachmentFetch,
    fetched_attachment_id,
)
from services.contracts.case_view import CaseAttachment
from services.contracts.credentials import Principal
from services.intake.attachment_downloads import AttachmentDownloads, DownloadFailed, DownloadRefused
from services.intake.attachment_service import ATTACHMENTS_REFUSED, AttachmentService, case_attachment
from services.intake.errors import ApiError, Unavailable

log = structlog.get_logger(__name__)


class TicketAttachmentFetcher:
    def __init__(self, *, attachments: AttachmentService, downloads: AttachmentDownloads) -> None:
        self._attachments = attachments
        self._downloads = downloads

    @activity.defn(name=FETCH_TICKET_ATTACHMENT)
    async def fetch(self, request: AttachmentFetch) -> CaseAttachment:
        attachment_id = fetched_attachment_id(request.case_id, request.position)
        field = f"attachment_urls[{request.position}]"
        try:
            stored = await self._attachments.find(request.case_id, attachment_id)
        except Unavailable as exc:
            raise ApplicationError(f"{field}: {exc.message}", type=FETCH_FAILED) from None
        if stored is not None:
            return case_attachment(stored)
        try:
            downloaded = await self._downloads.get(request.url)
        except DownloadRefused as exc:
            ATTACHMENTS_REFUSED.labels("fetch").inc()
            raise ApplicationError(f"{field}: {exc}", type=FETCH_REFUSED, non_retryable=True) from None
        except DownloadFailed as exc:
            raise ApplicationError(f"{field}: {exc}", type=FETCH_FAILED) from None
        uploader = Principal(
            client_id=request.uploaded_by,
            kind=request.uploaded_by_kind,
            subject=request.uploaded_by,
            key_id="attachment_urls",
        )
        try:
            record = await self._attachments.add(
                case_id=request.case_id,
                uploader=uploader,
                data=downloaded.data,
                file_name=downloaded.file_name,
                description=None,
                attachment_id=attachment_id,
            )
        except Unavailable as exc:
            raise ApplicationError(f"{field}: {exc.message}", type=FETCH_FAILED) from None
        except ApiError as exc:  # the file's type, an unreadable image, the case's attachments full: it stays so
            raise ApplicationError(f"{field}: {exc.message}", type=FETCH_REFUSED, non_retryable=True) from None
        log.info("attachment.fetched", case_id=request.case_id, position=request.position, size=record.size_bytes)
        return case_attachment(record)
