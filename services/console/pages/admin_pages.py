"""The admin's pages: API credentials (issue, rotate, revoke), every unit's notification channels, and the
responsibility catalog's versions and import.

A new key is shown on the page that answers the form, never carried by a redirect: the session cookie is signed,
not encrypted, so a key in a flash message would sit readable in the browser's cookie store.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from services.console.api_client import ApiRefused
from services.console.credential_states import key_state
from services.console.pages import channel_editor
from services.console.rendering import flash, page
from services.console.session import SignedIn, require_role
from services.console.staff import Staff
from services.contracts.case_actions import CITY_LEADER, TOP_LEADERSHIP
from services.contracts.credentials import ClientKind

router = APIRouter()

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
NO_STORE = {"Cache-Control": "no-store"}
KIND_NAMES = {
    ClientKind.PLATFORM: "受理平台",
    ClientKind.UNIT: "承办单位",
    ClientKind.COORDINATION: "基层赋能中心",
    ClientKind.LEADER: "领导",
    ClientKind.ADMIN: "系统管理员",
    ClientKind.OPERATOR: "运维",
    ClientKind.CONSOLE: "工作台（本系统）",
}
MAX_TABLE_BYTES = 1024 * 1024  # a city's table is tens of KiB; the API's body limit is the real bound
LEADERS = {CITY_LEADER: "市分管领导", TOP_LEADERSHIP: "主要领导"}  # not catalog units, but they have channels


def _admin(staff: Staff) -> None:
    require_role(staff, ClientKind.ADMIN)


# Credentials


@router.get("/admin")
async def credentials(request: Request, staff: SignedIn) -> Response:
    _admin(staff)
    listed: list[dict[str, Any]] = await request.app.state.api.acting_for(staff).get("/v1/admin/credentials")
    now = datetime.now(UTC)
    keys = [dict(key, state=key_state(key, now)) for key in listed]
    # Working keys first, by client; the revoked and expired after them.
    keys.sort(key=lambda key: (not key["state"].usable, key["client_id"], key["created_at"]))
    return page(
        request,
        "admin.html",
        staff=staff,
        title="API凭据",
        keys=keys,
        kinds=KIND_NAMES,
        form=request.session.pop("key_form", {}),
    )


@router.post("/admin/credentials")
async def issue_key(request: Request, staff: SignedIn) -> Response:
    """A new key, shown once on this answer's page."""
    _admin(staff)
    form = await request.form()
    fields = {name: str(form.get(name) or "").strip() for name in ("client_id", "kind", "subject")}
    try:
        issued = await request.app.state.api.acting_for(staff).post("/v1/admin/credentials", fields)
    except ApiRefused as refused:
        if refused.status != 422:
            raise
        flash(request, f"凭据未签发：{refused.detail}", "error")
        request.session["key_form"] = fields
        return RedirectResponse("/admin#issue", status_code=303)
    return _key_shown(request, staff, issued, "已签发新的API密钥")


@router.post("/admin/credentials/{key_id}/rotate")
async def rotate_key(request: Request, key_id: str, staff: SignedIn) -> Response:
    """A new key for the same client; the old one keeps working for the grace hours given."""
    _admin(staff)
    _check_key_id(key_id)
    raw = str((await request.form()).get("grace_hours") or "24").strip()
    try:
        grace = float(raw)
    except ValueError:
        flash(request, f"grace_hours：旧密钥保留时长应为数字（小时），而不是 {raw!r}", "error")
        return RedirectResponse("/admin", status_code=303)
    path = f"/v1/admin/credentials/{key_id}/rotate?grace_hours={grace:g}"
    try:
        issued = await request.app.state.api.acting_for(staff).post(path)
    except ApiRefused as refused:
        if refused.status not in (404, 422):
            raise
        flash(request, f"密钥未轮换：{refused.detail}", "error")
        return RedirectResponse("/admin", status_code=303)
    return _key_shown(request, staff, issued, f"已轮换：旧密钥 {key_id} 在 {grace:g} 小时后失效")


@router.post("/admin/credentials/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str, staff: SignedIn) -> Response:
    _admin(staff)
    _check_key_id(key_id)
    try:
        revoked = await request.app.state.api.acting_for(staff).delete(f"/v1/admin/credentials/{key_id}")
    except ApiRefused as refused:
        if refused.status != 404:
            raise
        flash(request, f"密钥未吊销：{refused.detail}", "error")
        return RedirectResponse("/admin", status_code=303)
    flash(request, f"已吊销 {revoked['client_id']} 的密钥 {key_id}")
    return RedirectResponse("/admin", status_code=303)


def _key_shown(request: Request, staff: Staff, issued: dict[str, Any], heading: str) -> Response:
    response = page(request, "key_issued.html", staff=staff, title="API密钥", issued=issued, heading=heading)
    response.headers.update(NO_STORE)
    return response


def _check_key_id(key_id: str) -> None:
    if not KEY_ID.match(key_id):
        raise ApiRefused(404, f"没有密钥 {key_id!r}")


# Units' notification channels


@router.get("/admin/units")
async def units(request: Request, staff: SignedIn) -> Response:
    _admin(staff)
    found = await request.app.state.api.acting_for(staff).get("/v1/units")
    return page(
        request,
        "admin_units.html",
        staff=staff,
        title="通知渠道",
        units=found["units"],
        leaders=LEADERS,
        catalog_version=found["catalog_version"],
    )


@router.get("/admin/units/{code}/channels")
async def unit_channels(request: Request, code: str, staff: SignedIn) -> Response:
    _admin(staff)
    return await channel_editor.channels_page(request, staff, code, base=f"/admin/units/{code}/channels")


@router.post("/admin/units/{code}/channels/{channel}")
async def save_unit_channel(request: Request, code: str, channel: str, staff: SignedIn) -> Response:
    _admin(staff)
    return await channel_editor.save_channel(request, staff, code, channel, base=f"/admin/units/{code}/channels")


@router.post("/admin/units/{code}/channels/{channel}/delete")
async def remove_unit_channel(request: Request, code: str, channel: str, staff: SignedIn) -> Response:
    _admin(staff)
    return await channel_editor.remove_channel(request, staff, code, channel, base=f"/admin/units/{code}/channels")


# The responsibility catalog


@router.get("/admin/catalog")
async def catalog(request: Request, staff: SignedIn) -> Response:
    _admin(staff)
    api = request.app.state.api.acting_for(staff)
    versions: list[dict[str, Any]] = await api.get("/v1/catalog/versions")
    current = await api.get("/v1/catalog")
    return page(
        request,
        "catalog.html",
        staff=staff,
        title="责任清单",
        versions=versions[::-1],
        current=current["version"],
    )


@router.get("/admin/catalog/versions/{number}")
async def catalog_version(request: Request, number: int, staff: SignedIn) -> Response:
    _admin(staff)
    stored = await request.app.state.api.acting_for(staff).get(f"/v1/catalog/versions/{number}")
    return page(request, "catalog_version.html", staff=staff, title=f"责任清单第{number}版", stored=stored)


@router.post("/admin/catalog")
async def import_catalog(request: Request, staff: SignedIn) -> Response:
    """The city's units.csv and items.csv, uploaded, checked by the API and stored as the next version."""
    _admin(staff)
    form = await request.form()
    back = RedirectResponse("/admin/catalog#import", status_code=303)
    try:
        body = {
            "units_csv": await _table(form.get("units_csv"), "units_csv", "units.csv"),
            "items_csv": await _table(form.get("items_csv"), "items_csv", "items.csv"),
            "note": str(form.get("note") or "").strip(),
        }
    except ValueError as error:
        flash(request, f"未导入：{error}", "error")
        return back
    try:
        answer = await request.app.state.api.acting_for(staff).post("/v1/catalog/versions", body)
    except ApiRefused as refused:
        if refused.status not in (413, 422):
            raise
        flash(request, f"未导入：{refused.detail}", "error")
        return back
    version = answer["version"]
    if answer["published"]:
        flash(request, f"已导入为第{version['version']}版并生效：{version['units']}个单位，{version['items']}个事项")
    else:
        flash(request, f"内容与现行第{version['version']}版相同，未生成新版本")
    return RedirectResponse("/admin/catalog", status_code=303)


async def _table(upload: object, field: str, name: str) -> str:
    """An uploaded table's text (UTF-8, as a spreadsheet saves "CSV UTF-8"); ValueError names the field."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValueError(f"{field}：请选择 {name} 文件")
    data = await upload.read(MAX_TABLE_BYTES + 1)
    if len(data) > MAX_TABLE_BYTES:
        raise ValueError(f"{field}：{name} 超过 {MAX_TABLE_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{field}：{name} 不是UTF-8编码（请在表格软件中另存为“CSV UTF-8”）") from None
