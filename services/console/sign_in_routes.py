"""Signing in (development key or OpenID Connect) and out."""

from __future__ import annotations

from typing import Annotated

import structlog
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api_client import ApiRefused
from services.console.oidc import ClaimsRefused, staff_from_claims
from services.console.rendering import page
from services.console.session import NotSignedIn, current_staff, sign_in, sign_out
from services.console.staff import Staff
from services.contracts.credentials import STAFF_KINDS

log = structlog.get_logger(__name__)
router = APIRouter()


def _safe_next(target: str | None) -> str | None:
    """Only a path of this console (never `//elsewhere` or a full URL): no open redirect after signing in.

    Backslashes and control characters are refused too: browsers read `/\\host` and `/<tab>/host` as `//host`."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    return target


@router.get("/")
async def home(request: Request) -> Response:
    try:
        staff = current_staff(request)
    except NotSignedIn:
        return RedirectResponse("/sign-in", status_code=303)
    return RedirectResponse(staff.home, status_code=303)


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    return page(request, "sign_in.html", next=_safe_next(next) or "", oidc=request.app.state.oidc.client is not None)


@router.post("/sign-in/key")
async def sign_in_with_key(
    request: Request, api_key: Annotated[str, Form(min_length=1, max_length=200)], next: Annotated[str, Form()] = ""
) -> Response:
    """Development: a key from var/dev-credentials.json; the API says whose it is."""
    settings = request.app.state.settings
    if not settings.key_sign_in:
        oidc = request.app.state.oidc.client is not None
        error = "此环境不允许以开发密钥登录，请使用统一身份认证。"
        return page(request, "sign_in.html", 403, next=_safe_next(next) or "", oidc=oidc, error=error)
    try:
        caller = await request.app.state.api.who_holds(api_key.strip())
    except ApiRefused as refused:
        error = "密钥无效、已吊销或已过期" if refused.status in (401, 403) else f"无法验证密钥：{refused.detail}"
        oidc = request.app.state.oidc.client is not None
        return page(request, "sign_in.html", 401, next=_safe_next(next) or "", oidc=oidc, error=error)
    if caller.kind not in STAFF_KINDS:
        return page(
            request, "sign_in.html", 403, next="", oidc=False, error=f"{caller.kind.value} 密钥不是工作人员的密钥"
        )
    staff = Staff(person=caller.client_id, name=caller.client_id, kind=caller.kind, subject=caller.subject)
    sign_in(request, staff)
    log.info("console.signed_in", person=staff.person, kind=staff.kind.value, subject=staff.subject, by="key")
    return RedirectResponse(_safe_next(next) or staff.home, status_code=303)


@router.get("/sign-in/oidc")
async def sign_in_with_oidc(request: Request, next: str | None = None) -> Response:
    client = request.app.state.oidc.client
    if client is None:
        return page(request, "error.html", 404, title="未配置统一身份认证", reason="HOTLINE_CONSOLE_OIDC_ISSUER 未设置")
    request.session["after_sign_in"] = _safe_next(next) or ""
    redirect: Response = await client.authorize_redirect(request, str(request.url_for("oidc_callback")))
    return redirect


@router.get("/sign-in/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    oidc = request.app.state.oidc
    if oidc.client is None:
        return RedirectResponse("/sign-in", status_code=303)
    try:
        token = await oidc.client.authorize_access_token(request)
        claims = token.get("userinfo") or await oidc.client.userinfo(token=token)
        staff = staff_from_claims(claims, oidc.names)
    except OAuthError as error:
        log.warning("console.oidc_refused", error=error.error)
        return page(
            request,
            "error.html",
            401,
            title="登录失败",
            reason=f"统一身份认证未通过：{error.description or error.error}",
        )
    except ClaimsRefused as refused:
        return page(request, "error.html", 403, title="无权使用", reason=str(refused))
    target = request.session.get("after_sign_in") or staff.home
    sign_in(request, staff)
    log.info("console.signed_in", person=staff.person, kind=staff.kind.value, subject=staff.subject, by="oidc")
    return RedirectResponse(_safe_next(target) or staff.home, status_code=303)


@router.post("/sign-out")
async def sign_out_now(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/sign-in", status_code=303)
