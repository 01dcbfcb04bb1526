"""Who is calling (401) and whether it may (403): every refusal is logged and counted.

Clients send `Authorization: Bearer <api key>` (or `X-API-Key`). The key's record says what kind of client it is
and for whom it acts (a platform's channel, a unit's code, a leader's code). Adding OAuth2 client-credentials
later means another way to produce the same `Principal` here; the routes do not change.

A console key (the staff console, services/console/) is one more way to produce it: the console signs its staff in
and names, on each request, the person and what they act as (`X-Hotline-Acting-Kind`, `-Subject`, `-Person`). The
principal is then that person's, with the same kind and subject a key of theirs would have, so every route judges
a clerk in the console by exactly the rules it judges the unit's key by. A console key alone may do nothing.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import structlog
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import Counter

from services.contracts.credential_subjects import subject_fits
from services.contracts.credentials import PERSON_PATTERN, STAFF_KINDS, ClientKind, Principal
from services.contracts.problem_codes import ProblemCode
from services.intake.errors import ApiError

log = structlog.get_logger(__name__)

REFUSALS = Counter(
    "hotline_auth_refusals_total", "Requests refused, by status (401, 403) and reason.", ["status", "reason"]
)


class Unauthenticated(ApiError):
    status_code = 401
    code = ProblemCode.API_KEY_INVALID


class Forbidden(ApiError):
    status_code = 403
    code = ProblemCode.CLIENT_KIND_NOT_ALLOWED


# The reasons refusals are counted by (the metric's `reason` label, kept as it was) and the code each answers with.
Reason = Literal[
    "missing",
    "invalid",
    "kind",
    "impersonation",
    "channel",
    "not_involved",
    "not_escalated",
    "not_own",
    "console_alone",
    "acting_kind",
    "acting_person",
    "acting_subject",
]
REFUSAL_CODES: dict[Reason, ProblemCode] = {
    "missing": ProblemCode.API_KEY_MISSING,
    "invalid": ProblemCode.API_KEY_INVALID,
    "kind": ProblemCode.CLIENT_KIND_NOT_ALLOWED,
    "impersonation": ProblemCode.ACTING_AS_ANOTHER,
    "channel": ProblemCode.CHANNEL_NOT_ALLOWED,
    "not_involved": ProblemCode.NOT_INVOLVED,
    "not_escalated": ProblemCode.NOT_ESCALATED,
    "not_own": ProblemCode.NOT_OWN_SETTINGS,
    "console_alone": ProblemCode.CONSOLE_NEEDS_PERSON,
    "acting_kind": ProblemCode.ACTING_KIND_INVALID,
    "acting_person": ProblemCode.ACTING_PERSON_INVALID,
    "acting_subject": ProblemCode.ACTING_SUBJECT_INVALID,
}


def note_refusal(status: int, reason: str, **context: object) -> None:
    REFUSALS.labels(str(status), reason).inc()
    log.warning("auth.refused", status=status, reason=reason, **context)


def refuse(status: Literal[401, 403], reason: Reason, message: str, **context: object) -> ApiError:
    """Log and count a refusal, and give the error to raise (401 or 403, with the reason's code)."""
    note_refusal(status, reason, **context)
    error = Unauthenticated if status == 401 else Forbidden
    return error(message, code=REFUSAL_CODES[reason])


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


# Declared for the OpenAPI schema only (Swagger UI's Authorize button, generated clients): `_presented_key` reads the
# key, and answers a missing or unknown one as it always has.
BEARER_KEY = HTTPBearer(
    scheme_name="bearerKey",
    bearerFormat="hk_<key id>_<secret>",
    description="An API key: `Authorization: Bearer hk_<key id>_<secret>` (docs/access.md).",
    auto_error=False,
)
HEADER_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="apiKeyHeader",
    description="The same API key in a header of its own, for clients that cannot set `Authorization`.",
    auto_error=False,
)


async def authenticate(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER_KEY)],
    _header: Annotated[str | None, Security(HEADER_KEY)],
) -> Principal:
    key = _presented_key(request)
    if key is None:
        raise refuse(401, "missing", "no API key: send Authorization: Bearer <key>", path=request.url.path)
    principal: Principal | None = await request.app.state.services.credentials.verify(key)
    if principal is None:
        raise refuse(401, "invalid", "the API key is unknown, revoked or expired", path=request.url.path)
    if principal.kind is ClientKind.CONSOLE:
        principal = _acting_for(request, principal)
    structlog.contextvars.bind_contextvars(client_id=principal.client_id)
    return principal


ACTING_KIND = "x-hotline-acting-kind"
ACTING_SUBJECT = "x-hotline-acting-subject"
ACTING_PERSON = "x-hotline-acting-person"
_PERSON = re.compile(PERSON_PATTERN)


def _acting_for(request: Request, console: Principal) -> Principal:
    """The person a console acts for, as a principal of their own kind and subject (403 naming the header)."""
    headers = request.headers
    kind_name, subject, person = (headers.get(ACTING_KIND), headers.get(ACTING_SUBJECT, ""), headers.get(ACTING_PERSON))
    context = {"client": console.client_id, "path": request.url.path}
    if kind_name is None or person is None:
        raise refuse(
            403, "console_alone", "a console key acts only for a signed-in person (X-Hotline-Acting-*)", **context
        )
    kind = next((k for k in STAFF_KINDS if k.value == kind_name), None)
    if kind is None:
        allowed = ", ".join(k.value for k in STAFF_KINDS)
        raise refuse(403, "acting_kind", f"X-Hotline-Acting-Kind: {kind_name!r} is not staff ({allowed})", **context)
    if not _PERSON.match(person):
        raise refuse(403, "acting_person", f"X-Hotline-Acting-Person: {person!r} is not a person's id", **context)
    if not subject_fits(kind, subject, request.app.state.services.catalog):
        raise refuse(
            403, "acting_subject", f"X-Hotline-Acting-Subject: {subject!r} does not fit {kind.value}", **context
        )
    return Principal(
        client_id=f"{person}@{console.client_id}", kind=kind, subject=subject, key_id=console.key_id, person=person
    )


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
