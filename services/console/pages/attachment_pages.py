"""A case's attachments in the console: thumbnails and downloads passed through from intake, as the person.

The console lists the case's attachments as the signed-in person at each request and streams the bytes of intake's
short-lived link itself, rather than putting intake's links in the page: a page left open longer than a link lives
(5 minutes) would show broken images, the links' tokens would sit in the browser's history, and the console's origin
(its own ingress, console.hotline…) stays the only one its pages load images from (`img-src 'self'`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from services.console.api_client import ApiRefused
from services.console.rendering import page
from services.console.session import SignedIn
from services.contracts.attachment_links import DOWNLOAD_PATH

router = APIRouter()

# What intake's download answers keep on their way through (its checksum too, so a download can still be checked).
PASSED_HEADERS = ("content-type", "content-disposition", "content-length", "x-checksum-sha256")
LINKS = {"file": "download_url", "thumbnail": "thumbnail_url"}


@router.get("/cases/{case_id}/attachments/{attachment_id}/{variant}")
async def attachment_bytes(
    request: Request, case_id: str, attachment_id: str, variant: str, staff: SignedIn
) -> Response:
    """One attachment's file or thumbnail, read through a fresh link listed for the person (404 when they see none)."""
    api = request.app.state.api.acting_for(staff)
    listed = await api.get(f"/v1/cases/{case_id}/attachments")
    item = next((found for found in listed["items"] if found["attachment_id"] == attachment_id), None)
    link = item.get(LINKS.get(variant, ""), None) if item is not None else None
    if not link:
        return page(request, "error.html", 404, staff=staff, title="未找到", reason="该工单没有这个附件")
    stack = AsyncExitStack()
    try:
        fetched = await stack.enter_async_context(api.stream(download_path(link), None))
    except ApiRefused:
        await stack.aclose()
        raise
    headers = {name: fetched.headers[name] for name in PASSED_HEADERS if name in fetched.headers}
    headers["cache-control"] = "private, no-store"
    headers["x-content-type-options"] = "nosniff"

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in fetched.aiter_bytes():
                yield chunk
        finally:
            await stack.aclose()

    return StreamingResponse(chunks(), headers=headers)


def download_path(link: str) -> str:
    """Intake's download path of a link, for the console's own connection to intake: only the token is taken, as
    intake's public address (`HOTLINE_INTAKE_PUBLIC_URL`, perhaps with a path prefix) may not be reachable from inside
    the cluster."""
    return DOWNLOAD_PATH.format(token=link.rstrip("/").rsplit("/", 1)[-1])
