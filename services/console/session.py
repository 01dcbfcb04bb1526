"""The signed-in session: who it is, how long it lasts, and the CSRF token every form carries.

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure outside development), so any console
replica serves any request. It holds the person and their role, never a key or a token. Its signature carries
its time: a cookie not re-signed within the idle limit is refused by the signature check itself (idle expiry; each
request the person makes has it signed again, `_keep_alive`), and `signed_in_at` ends every session after the
maximum, however busy. A page left open refreshes its lists by itself (htmx GETs): those neither re-sign the cookie
nor move `active_at`, the person's last own request, which is checked too (so idleness does not rest on when
Starlette chooses to write the cookie). Signing out clears the browser's cookie; a copy taken before (the cookie is
HttpOnly) would live on until the idle limit, as no replica keeps a list of sessions.

CSRF: a random token per session (synchronizer token); every state-changing request must send it back as the
form's `csrf_token` field or the `X-CSRF-Token` header (htmx). Lax cookies already keep other sites' POSTs from
carrying the session; the token also stops a same-site page or a forged form.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from pydantic import ValidationError

from services.console.staff import Staff
from services.contracts.credentials import ClientKind

STAFF = "staff"
SIGNED_IN_AT = "signed_in_at"
ACTIVE_AT = "active_at"
CSRF = "csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class NotSignedIn(Exception):
    """No session (or an expired one): the page sends the browser to sign in, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token."""


class WrongRole(Exception):
    """A page of another role's (403 page)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF)
    if not isinstance(token, str):
        token = request.session[CSRF] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Applied to every route: unsafe methods must carry the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(CSRF)
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get("csrf_token")
        sent = field if isinstance(field, str) else None
    if not (isinstance(expected, str) and sent and hmac.compare_digest(expected, sent)):
        raise CsrfRefused()


def sign_in(request: Request, staff: Staff) -> None:
    """A new session for `staff` (a fresh CSRF token: none from before signing in is kept)."""
    request.session.clear()
    request.session[STAFF] = staff.model_dump(mode="json")
    request.session[SIGNED_IN_AT] = request.session[ACTIVE_AT] = time.time()
    csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()


def current_staff(request: Request) -> Staff:
    """The signed-in person, or NotSignedIn (no session, idle too long, past its maximum length, or one an older
    console wrote)."""
    session, settings, now = request.session, request.app.state.settings, time.time()
    stored, started, active = session.get(STAFF), session.get(SIGNED_IN_AT), session.get(ACTIVE_AT)
    staff = None
    if (
        isinstance(stored, dict)
        and isinstance(started, int | float)
        and isinstance(active, int | float)
        and now - started <= settings.session_max_hours * 3600
        and now - active <= settings.session_idle_minutes * 60
    ):
        try:
            staff = Staff.model_validate(stored)
        except ValidationError:
            staff = None
    if staff is None:
        if stored is not None:  # a session that has ended: nothing of it is kept (its CSRF token neither)
            session.clear()
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotSignedIn(quote(target, safe="/?=&"))
    _keep_alive(request, now)
    return staff


def _keep_alive(request: Request, now: float) -> None:
    """Move `active_at` (and so have the cookie signed again: its signature's time is the idle clock too) on
    anything the person does, not on a page's own refresh, so a queue left open on an empty desk still ends its
    session.

    Starlette writes the cookie only when the session changed: `active_at` is that change, kept to a tenth of the
    idle limit (at most a minute) so that a busy page is not a new cookie every request."""
    if is_refresh(request):
        return
    step = min(60.0, request.app.state.settings.session_idle_minutes * 6)  # a tenth of the limit, in seconds
    active = request.session.get(ACTIVE_AT)
    if not isinstance(active, int | float) or now - active >= step:
        request.session[ACTIVE_AT] = now


def signed_in_staff(request: Request) -> Staff | None:
    """The signed-in person for a page that shows anyone (an error page keeps the person's header), or None."""
    try:
        return current_staff(request)
    except NotSignedIn:
        return None


def is_refresh(request: Request) -> bool:
    """A page's own refresh of a fragment (an htmx GET), not the person's doing."""
    return request.method == "GET" and bool(request.headers.get("hx-request"))


SignedIn = Annotated[Staff, Depends(current_staff)]


def require_role(staff: Staff, *kinds: ClientKind) -> None:
    """A page for some roles only: the API would refuse its reads anyway; this says so plainly first."""
    if staff.kind not in kinds:
        names = "、".join(Staff(person="", name="", kind=k, subject="").role_name for k in kinds)
        raise WrongRole(f"此页面仅供{names}使用")
