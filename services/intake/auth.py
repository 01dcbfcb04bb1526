"""Who is calling (401) and whether it may (403): every refusal is logged and counted.

Clients send `Authorization: Bearer <api key>` (or `X-API-Key`). The key's record says what kind of client it is
and for whom it acts (a platform's channel, a unit's code, a leader's code). Adding OAuth2 client-credentials
later means another way to produce the same `Principal` here; the routes do not change.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Request
from prometheus_client import Counter

from services.contracts.credentials import ClientKind, Principal
from services.intake.errors import ApiError

log = structlog.get_logger(__name__)

REFUSALS = Counter(
    "hotline_auth_refusals_total", "Requests refused, by status (401, 403) and reason.", ["status", "reason"]
)


class Unauthenticated(ApiError):
    status_code = 401


class Forbidden(ApiError):
    status_code = 403


def note_refusal(status: int, reason: str, **context: object) -> None:
    REFUSALS.labels(str(status), reason).inc()
    log.warning("auth.refused", status=status, reason=reason, **context)


def refuse(status: int, reason: str, message: str, **context: object) -> ApiError:
    """Log and count a refusal, and give the error to raise (401 or 403)."""
    note_refusal(status, reason, **context)
    return Unauthenticated(message) if status == 401 else Forbidden(message)


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


async def authenticate(request: Request) -> Principal:
    key = _presented_key(request)
    if key is None:
        raise refuse(401, "missing", "no API key: send Authorization: Bearer <key>", path=request.url.path)
    principal: Principal | None = await request.app.state.services.credentials.verify(key)
    if principal is None:
        raise refuse(401, "invalid", "the API key is unknown, revoked or expired", path=request.url.path)
    structlog.contextvars.bind_contextvars(client_id=principal.client_id)
    return principal


Caller = Annotated[Principal, Depends(authenticate)]


def require_kind(caller: Principal, *kinds: ClientKind, action: str) -> None:
    if caller.kind not in kinds:
        allowed = ", ".join(k.value for k in kinds)
        raise refuse(
            403,
            "kind",
            f"{_article(caller.kind.value)} {caller.kind.value} client may not {action} (allowed: {allowed})",
            client=caller.client_id,
        )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
