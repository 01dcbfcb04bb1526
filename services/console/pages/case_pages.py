"""A case's page (the whole ticket, timeline, deadlines, joint tasks) and its action forms, for every role."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api_client import ApiRefused
from services.console.case_actions import BY_KEY, FormError, acting_code, body_of, offered
from services.console.rendering import flash, page
from services.console.session import SignedIn

router = APIRouter()

ATTACHMENT_IDS = "attachment_ids"  # the form's checkboxes: the case's files an action shows


@router.get("/cases/{case_id}")
async def case_page(request: Request, case_id: str, staff: SignedIn) -> Response:
    api = request.app.state.api.acting_for(staff)
    # Both at once: the view from the case's workflow, the ticket from the records (each read of it logged).
    read: tuple[Any, Any, Any] = await asyncio.gather(
        api.get(f"/v1/cases/{case_id}"),
        api.get(f"/v1/cases/{case_id}/ticket"),
        api.get(f"/v1/cases/{case_id}/attachments"),
        return_exceptions=True,
    )
    view, ticket, listed = read
    if isinstance(view, BaseException):
        raise view
    ticket_refusal = None
    if isinstance(ticket, BaseException):
        # A unit that transferred the case on reads the case, not its ticket; the records may not hold it yet.
        if not isinstance(ticket, ApiRefused) or ticket.status not in (403, 404, 503):
            raise ticket
        ticket_refusal, ticket = ticket.detail, None
    attachments, attachments_refusal = _attachments(listed)
    return page(
        request,
        "case.html",
        staff=staff,
        title=view.get("title") or case_id,
        view=view,
        ticket=ticket,
        ticket_refusal=ticket_refusal,
        attachments=attachments,
        attachments_refusal=attachments_refusal,
        actions=offered(view, staff.kind, staff.subject),
        form=request.session.pop("form", {}),
    )


def _attachments(listed: Any) -> tuple[list[Any], str | None]:
    """The case's attachments as listed for the person, or why they are not shown (the store not answering)."""
    if not isinstance(listed, BaseException):
        return list(listed["items"]), None
    if not isinstance(listed, ApiRefused) or listed.status not in (403, 404, 503):
        raise listed
    return [], listed.detail


@router.post("/cases/{case_id}/actions/{key}")
async def act(request: Request, case_id: str, key: str, staff: SignedIn) -> Response:
    """One action's form: the API's body built from it and sent as the person; the answer shown on the case page."""
    action = BY_KEY.get(key)
    if action is None:
        return page(request, "error.html", 404, staff=staff, title="未找到", reason=f"没有“{key}”这个操作")
    submitted = await request.form()
    fields = {name: str(value) for name, value in submitted.items() if name not in ("csrf_token", ATTACHMENT_IDS)}
    attachment_ids = [str(value) for value in submitted.getlist(ATTACHMENT_IDS)]
    acting = acting_code(staff.kind, staff.subject)
    back = RedirectResponse(f"/cases/{case_id}#actions", status_code=303)
    try:
        body = body_of(action, fields, acting, attachment_ids)
        await request.app.state.api.acting_for(staff).post(
            f"/v1/cases/{case_id}/{action.path.format(unit=acting)}", body
        )
    except FormError as error:
        flash(request, f"{action.label}：{error}", "error")
        request.session["form"] = {"key": key, **fields}
        return back
    except ApiRefused as refused:
        if refused.status in (401, 403, 404) or refused.status >= 500:
            raise
        # 409 (the case does not allow it now) or 422 (a field): the API's own reason, the form kept.
        flash(request, f"{action.label}未被接受：{refused.detail}", "error")
        request.session["form"] = {"key": key, **fields}
        return back
    flash(request, f"{action.label}：已提交")
    return back
