"""Catalog change applications (清单动态调整): the list, one application with what it changes, and the centre's
decision (`/v1/catalog/changes`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api_client import ApiRefused
from services.console.case_actions import acting_code
from services.console.catalog_item_changes import CHANGE_STATUS_LABELS, KIND_LABELS, item_changes
from services.console.rendering import flash, page
from services.console.session import SignedIn, require_role
from services.contracts.credentials import ClientKind

router = APIRouter()

DECISIONS = {"true": True, "false": False}


@router.get("/catalog-changes")
async def list_changes(request: Request, staff: SignedIn, status: str = "pending") -> Response:
    """The applications, newest first, by status (`all`: every one)."""
    require_role(staff, ClientKind.COORDINATION)
    if status != "all" and status not in CHANGE_STATUS_LABELS:
        return page(request, "error.html", 422, staff=staff, title="输入有误", reason=f"状态：没有“{status}”这个状态")
    changes = await request.app.state.api.acting_for(staff).get(
        "/v1/catalog/changes", status=None if status == "all" else status
    )
    return page(
        request,
        "catalog_changes.html",
        staff=staff,
        title="清单调整申请",
        changes=changes,
        status=status,
        statuses=CHANGE_STATUS_LABELS,
        kinds=KIND_LABELS,
    )


@router.get("/catalog-changes/{change_id}")
async def show_change(request: Request, change_id: str, staff: SignedIn) -> Response:
    require_role(staff, ClientKind.COORDINATION)
    change = await request.app.state.api.acting_for(staff).get(f"/v1/catalog/changes/{change_id}")
    return page(
        request,
        "catalog_change.html",
        staff=staff,
        title=f"清单调整申请 {change.get('item_code', '')}",
        change=change,
        fields=item_changes(change.get("item_before"), change.get("item")),
        statuses=CHANGE_STATUS_LABELS,
        kinds=KIND_LABELS,
        form=request.session.pop("form", {}),
    )


@router.post("/catalog-changes/{change_id}/decision")
async def decide(request: Request, change_id: str, staff: SignedIn) -> Response:
    """The centre approves or refuses; the API's answer (or its reason for refusing) on the application's page."""
    require_role(staff, ClientKind.COORDINATION)
    form = await request.form()
    approved = DECISIONS.get(str(form.get("approved", "")))
    note = str(form.get("note", "")).strip()
    back = RedirectResponse(f"/catalog-changes/{change_id}", status_code=303)
    if approved is None:
        flash(request, "审批决定：请选择同意或不同意", "error")
        request.session["form"] = {"note": note}
        return back
    body = {"unit": acting_code(staff.kind, staff.subject), "approved": approved, "note": note}
    try:
        await request.app.state.api.acting_for(staff).post(f"/v1/catalog/changes/{change_id}/decision", body)
    except ApiRefused as refused:
        if refused.status not in (409, 422):
            raise
        flash(request, f"审批未被接受：{refused.detail}", "error")
        request.session["form"] = {"note": note}
        return back
    flash(request, f"审批：已{'同意' if approved else '不同意'}")
    return back
