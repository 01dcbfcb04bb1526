"""Classes of cases (类案, `GET /v1/reports/hotspots`) and special rectifications (专项整治, `/v1/rectifications`).

The centre opens a rectification on a class and closes it; its lead unit and participants report progress weekly;
leaders read (services/intake/rectification_routes.py). The API scopes what each sees and judges every action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api_client import ApiRefused
from services.console.case_actions import FormError, acting_code
from services.console.rectification_forms import closing_body, opening_body, progress_body
from services.console.rendering import flash, page
from services.console.session import SignedIn, require_role
from services.console.staff import Staff
from services.contracts.credentials import ClientKind

router = APIRouter()

READERS = (ClientKind.COORDINATION, ClientKind.LEADER, ClientKind.UNIT)
RECTIFICATION_STATUSES = {"open": "进行中", "closed": "已结束", "all": "全部"}
CLASSES_PAGE = 20


@router.get("/classes")
async def classes(
    request: Request, staff: SignedIn, cursor: str | None = None, rectifications: str = "open"
) -> Response:
    """The classes found, newest first, and the special rectifications (open ones by default)."""
    require_role(staff, *READERS)
    if rectifications not in RECTIFICATION_STATUSES:
        return page(
            request, "error.html", 422, staff=staff, title="输入有误", reason="专项整治状态：应为 open、closed 或 all"
        )
    api = request.app.state.api.acting_for(staff)
    found = await api.get("/v1/reports/hotspots", limit=CLASSES_PAGE, cursor=cursor)
    status = None if rectifications == "all" else rectifications
    listed = await api.get("/v1/rectifications", status=status, limit=100)
    return page(
        request,
        "classes.html",
        staff=staff,
        title="类案与专项整治",
        classes=found["classes"],
        next_cursor=found.get("next_cursor"),
        rectifications=listed["rectifications"],
        rectification_status=rectifications,
        rectification_statuses=RECTIFICATION_STATUSES,
        centre=staff.kind is ClientKind.COORDINATION,
    )


@router.get("/classes/{class_id}/rectification")
async def opening_form(request: Request, class_id: str, staff: SignedIn, label: str = "") -> Response:
    """The centre's form to open a special rectification of one class."""
    require_role(staff, ClientKind.COORDINATION)
    form = request.session.pop("form", {}) or {"title": f"{label}专项整治" if label else ""}
    return page(
        request, "rectification_new.html", staff=staff, title="发起专项整治", class_id=class_id, label=label, form=form
    )


@router.post("/rectifications")
async def open_rectification(request: Request, staff: SignedIn) -> Response:
    require_role(staff, ClientKind.COORDINATION)
    fields = await _fields(request)
    label = urlencode({"label": fields.get("label", "")})
    again = RedirectResponse(f"/classes/{quote(fields.get('class_id', ''))}/rectification?{label}", status_code=303)
    opened = await _send(request, staff, fields, "发起专项整治", lambda: opening_body(fields), "/v1/rectifications")
    if opened is None:
        return again
    flash(request, "专项整治：已发起")
    return RedirectResponse(f"/rectifications/{opened['rectification_id']}", status_code=303)


@router.get("/rectifications/{rectification_id}")
async def show_rectification(request: Request, rectification_id: str, staff: SignedIn) -> Response:
    require_role(staff, *READERS)
    view = await request.app.state.api.acting_for(staff).get(f"/v1/rectifications/{rectification_id}")
    open_ = view.get("status") == "open"
    member = staff.kind is ClientKind.UNIT and staff.subject in (view.get("lead_unit"), *view.get("participants", []))
    return page(
        request,
        "rectification.html",
        staff=staff,
        title=view.get("title") or "专项整治",
        view=view,
        may_report=open_ and member,
        may_close=open_ and staff.kind is ClientKind.COORDINATION,
        form=request.session.pop("form", {}),
    )


@router.post("/rectifications/{rectification_id}/progress")
async def report_progress(request: Request, rectification_id: str, staff: SignedIn) -> Response:
    require_role(staff, ClientKind.UNIT)
    fields = await _fields(request)
    back = RedirectResponse(f"/rectifications/{rectification_id}", status_code=303)
    path = f"/v1/rectifications/{rectification_id}/progress"
    if await _send(request, staff, fields, "报告进展", lambda: progress_body(fields, staff.subject), path):
        flash(request, "报告进展：已提交")
    return back


@router.post("/rectifications/{rectification_id}/close")
async def close_rectification(request: Request, rectification_id: str, staff: SignedIn) -> Response:
    require_role(staff, ClientKind.COORDINATION)
    fields = await _fields(request)
    back = RedirectResponse(f"/rectifications/{rectification_id}", status_code=303)
    unit = acting_code(staff.kind, staff.subject)
    path = f"/v1/rectifications/{rectification_id}/close"
    if await _send(request, staff, fields, "结束整治", lambda: closing_body(fields, unit), path):
        flash(request, "结束整治：已提交")
    return back


async def _fields(request: Request) -> dict[str, str]:
    return {name: str(value) for name, value in (await request.form()).items() if name != "csrf_token"}


async def _send(
    request: Request,
    staff: Staff,
    fields: dict[str, str],
    what: str,
    body: Callable[[], dict[str, Any]],
    path: str,
) -> dict[str, Any] | None:
    """POST the form's body as the person; None (and the reason flashed, the form kept) when it is not accepted."""
    try:
        answer: dict[str, Any] = await request.app.state.api.acting_for(staff).post(path, body())
    except FormError as error:
        reason = str(error)
    except ApiRefused as refused:
        if refused.status not in (404, 409, 422):
            raise
        reason = refused.detail
    else:
        return answer
    flash(request, f"{what}未被接受：{reason}", "error")
    request.session["form"] = fields
    return None
