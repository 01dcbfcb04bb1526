"""`/v1/cases/{id}/attachments`: upload (multipart) and list a case's attachments; `/v1/attachment-downloads/{token}`:
the short-lived links they are downloaded by, each download written to the access log first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import structlog
from fastapi import APIRouter, Request, status
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from services.contracts.access_log import AccessPurpose
from services.contracts.attachment_links import (
    DOWNLOAD_PATH,
    BadLink,
    LinkVariant,
    read_link_token,
)
from services.contracts.attachments import AttachmentList, AttachmentRecord, AttachmentView
from services.contracts.case_view import CaseView
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus
from services.contracts.credentials import Principal
from services.contracts.problem_codes import ProblemCode
from services.intake.attachment_service import case_attachment
from services.intake.auth import Caller
from services.intake.authorization import require_attachment_reader
from services.intake.dependencies import Services
from services.intake.download_links import download_link, links_expire_at
from services.intake.error_handlers import ERROR_RESPONSES, UPLOAD_RESPONSES
from services.intake.errors import ApiError, Conflict, LinkRefused, TooLarge, UnprocessableInput

log = structlog.get_logger(__name__)
router = APIRouter(tags=["attachments"], responses=ERROR_RESPONSES)

UPLOAD_PATH = "/v1/cases/{case_id}/attachments"
# What a multipart body may carry besides the file (boundaries, headers, the description).
MULTIPART_OVERHEAD_BYTES = 64 * 1024
MAX_DESCRIPTION = 500
_READ_CHUNK = 256 * 1024


# The multipart body as the OpenAPI document shows it: the route reads the form itself, after the caller is known.
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "JPEG, PNG, HEIC (kept as JPEG), PDF, MP3, M4A, AAC, AMR, WAV.",
                        },
                        "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
                    },
                }
            }
        },
    }
}


@router.post(UPLOAD_PATH, status_code=status.HTTP_201_CREATED, responses=UPLOAD_RESPONSES, openapi_extra=_UPLOAD_BODY)
async def upload_attachment(case_id: str, request: Request, services: Services, caller: Caller) -> AttachmentView:
    """Attach a file to a case: its type is judged from its bytes; images lose their EXIF (the GPS position is
    kept as `location`) and gain a thumbnail; stored encrypted. For whoever reads the case.

    The body is read only once the caller is known to read the case: an anonymous or unrelated client's file is
    never parsed, spooled or stored."""
    view = await services.cases.view(case_id)
    require_attachment_reader(caller, view)
    if view.status is CaseStatus.CLOSED:
        raise Conflict(f"case {case_id} is closed: it takes no new attachments", code=ProblemCode.WRONG_CASE_STATUS)
    max_bytes = services.settings.attachment_max_bytes
    async with _upload_form(request) as form:
        file, description = _file_and_description(form)
        data = await _read_limited(file, max_bytes)
    if not data:
        raise UnprocessableInput("file: the file is empty", code=ProblemCode.ATTACHMENT_UNREADABLE)
    record = await services.attachments.add(
        case_id=case_id, uploader=caller, data=data, file_name=file.filename, description=description
    )
    await _list_on_case(services, record)
    return _view(record, caller, services, request)


@asynccontextmanager
async def _upload_form(request: Request) -> AsyncIterator[FormData]:
    """The multipart form (one file, a few small fields), its spooled file closed afterwards; 422 for a body that is
    not one."""
    try:
        form = await request.form(max_files=1, max_fields=5, max_part_size=8 * MAX_DESCRIPTION)
    except (MultiPartException, HTTPException, ValueError) as exc:
        detail = getattr(exc, "message", None) or getattr(exc, "detail", None) or str(exc)
        raise UnprocessableInput(
            f"file: the body is not a multipart form with one file ({detail})", code=ProblemCode.REQUEST_INVALID
        ) from None
    try:
        yield form
    finally:
        await form.close()


def _file_and_description(form: FormData) -> tuple[UploadFile, str | None]:
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise UnprocessableInput(
            "file: required, a multipart part named `file` with a filename", code=ProblemCode.REQUEST_INVALID
        )
    description = form.get("description")
    if description is not None and not isinstance(description, str):
        raise UnprocessableInput("description: text, not a file", code=ProblemCode.REQUEST_INVALID)
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise UnprocessableInput(f"description: at most {MAX_DESCRIPTION} characters", code=ProblemCode.REQUEST_INVALID)
    return file, description


async def _list_on_case(services: Services, record: AttachmentRecord) -> None:
    """The case (its view, timeline and event log, hence the records) learns of the file. The store is what the
    list reads, so a case that cannot take it now (Temporal down, the case closing) still has the file: logged."""
    try:
        await services.cases.act(record.case_id, CaseUpdate.ADD_ATTACHMENT, case_attachment(record))
    except ApiError as exc:
        log.warning(
            "attachment.not_on_case_view",
            case_id=record.case_id,
            attachment_id=record.attachment_id,
            code=exc.code.value,
        )


@router.get("/v1/cases/{case_id}/attachments")
async def list_attachments(case_id: str, request: Request, services: Services, caller: Caller) -> AttachmentList:
    """The case's attachments, oldest first, each with download links that work for a few minutes
    (`links_expire_at`)."""
    view = await services.cases.view(case_id)
    require_attachment_reader(caller, view)
    records = await services.attachments.all_of(case_id)
    await _list_late(services, view, records)
    return AttachmentList(
        items=[_view(record, caller, services, request) for record in records],
        max_count=services.attachments.max_count,
    )


async def _list_late(services: Services, view: CaseView, records: list[AttachmentRecord]) -> None:
    """Files the store holds but the case does not list (the case could not take the news when they came: Temporal
    down, the case not yet routed) are listed now: reading the list mends it, once, and the records follow."""
    if view.status is CaseStatus.CLOSED:
        return
    for record in unlisted(view, records):
        log.info("attachment.listed_late", case_id=record.case_id, attachment_id=record.attachment_id)
        await _list_on_case(services, record)


def unlisted(view: CaseView, records: list[AttachmentRecord]) -> list[AttachmentRecord]:
    """The stored attachments the case's view does not list, oldest first."""
    listed = {attachment.attachment_id for attachment in view.attachments}
    return [record for record in records if record.attachment_id not in listed]


@router.get(
    DOWNLOAD_PATH,
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file's bytes."}},
)
async def download_attachment(token: str, services: Services) -> Response:
    """One attachment's file or thumbnail, by a link from the list (no API key: the link is the permission);
    written to the access log in the name of the client the link was made for, before the bytes leave."""
    try:
        grant = read_link_token(token, services.keyring)
    except BadLink as exc:
        raise LinkRefused(f"token: {exc}", code=ProblemCode.ATTACHMENT_LINK_INVALID) from None
    record = await services.attachments.record(grant.case_id, grant.attachment_id)
    content = await services.attachments.content(record, grant.variant)
    await services.access_log.record(
        grant.principal(), case_id=grant.case_id, purpose=AccessPurpose.ATTACHMENT, masked=False
    )
    thumbnail = grant.variant is LinkVariant.THUMBNAIL
    name = f"thumbnail-{record.file_name.rsplit('.', 1)[0]}.jpg" if thumbnail else record.file_name
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if not thumbnail:
        headers["X-Checksum-SHA256"] = record.sha256
    return Response(content=content, media_type="image/jpeg" if thumbnail else record.media_type, headers=headers)


async def _read_limited(file: UploadFile, max_bytes: int) -> bytes:
    """The uploaded file's bytes, refusing (413) as soon as it is larger than `max_bytes`."""
    if file.size is not None and file.size > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    total = 0
    while chunk := await file.read(_READ_CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"file: larger than {max_bytes} bytes", code=ProblemCode.ATTACHMENT_TOO_LARGE)


def _view(record: AttachmentRecord, caller: Principal, services: Services, request: Request) -> AttachmentView:
    expires_at = links_expire_at(services)
    base_url = str(request.base_url)

    def link(variant: LinkVariant) -> str:
        return download_link(
            services,
            caller,
            case_id=record.case_id,
            attachment_id=record.attachment_id,
            variant=variant,
            expires_at=expires_at,
            base_url=base_url,
        )

    return AttachmentView(
        **record.model_dump(
            include={
                "attachment_id",
                "case_id",
                "file_name",
                "media_type",
                "kind",
                "size_bytes",
                "sha256",
                "uploaded_at",
                "uploaded_by",
                "uploaded_by_kind",
                "description",
                "location",
                "width",
                "height",
                "converted_from",
            }
        ),
        download_url=link(LinkVariant.FILE),
        thumbnail_url=link(LinkVariant.THUMBNAIL) if record.has_thumbnail else None,
        links_expire_at=expires_at,
    )
