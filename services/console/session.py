"""The signed-in session: who it is, how long it lasts, and the CSRF token every form carries.

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure outside development), so any console
replica serves any request. It holds the person and their role, never a key or a token. Its signature carries
its time: a cookie not re-signed within the idle limit is refused by the signature check itself (idle expiry; each
request the person makes has it signed again, `_keep_alive`), and `signed_in_at` ends every session after the
maximum, however busy. Signing out clears the browser's cookie; a copy taken before (the cookie is HttpOnly) would
live on until the idle limit, as no replica keeps a list of sessions.

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
SEEN = "seen"
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
    request.session[SIGNED_IN_AT] = time.time()
    csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()


def current_staff(request: Request) -> Staff:
    """The signed-in person, or NotSignedIn (no session, past its maximum length, or one an older console wrote)."""
    stored = request.session.get(STAFF)
    started = request.session.get(SIGNED_IN_AT)
    max_seconds = request.app.state.settings.session_max_hours * 3600
    staff = None
    if isinstance(stored, dict) and isinstance(started, int | float) and time.time() - started <= max_seconds:
        try:
            staff = Staff.model_validate(stored)
        except ValidationError:
            staff = None
    if staff is None:
        if stored is not None:  # a session that has ended: nothing of it is kept (its CSRF token neither)
            request.session.clear()
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotSignedIn(quote(target, safe="/?=&"))
    _keep_alive(request)
    return staff


def _keep_alive(request: Request) -> None:
    """Have the cookie signed again (its signature's time is the idle clock): on anything the person does, not on
    a page's own refresh (an htmx GET), so a queue left open on an empty desk still ends its session.

    Starlette writes the cookie only when the session changed: the time of the last request is that change, kept
    to a tenth of the idle limit (at most a minute) so that a busy page is not a new cookie every request."""
    if request.method == "GET" and request.headers.get("hx-request"):
        return
    now = time.time()
    step = min(60.0, request.app.state.settings.session_idle_minutes * 6)  # a tenth of the limit, in seconds
    seen = request.session.get(SEEN)
    if not isinstance(seen, int | float) or now - seen >= step:
        request.session[SEEN] = now


def signed_in_staff(request: Request) -> Staff | None:
    """The signed-in person for a page that shows anyone (an error page keeps the person's header), or None."""
    try:
        return current_staff(request)
    except NotSignedIn:
        return None


SignedIn = Annotated[Staff, Depends(current_staff)]


def require_role(staff: Staff, *kinds: ClientKind) -> None:
    """A page for some roles only: the API would refuse its reads anyway; this says so plainly first."""
    if staff.kind not in kinds:
        names = "、".join(Staff(person="", name="", kind=k, subject="").role_name for k in kinds)
        raise WrongRole(f"此页面仅供{names}使用")
