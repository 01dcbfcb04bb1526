"""`/v1/admin/credentials`: issue, list, rotate and revoke API keys (admin only). Keys are shown once."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.contracts.credential_subjects import subject_fits
from services.contracts.credentials import ClientKind, CredentialRequest, CredentialSummary, IssuedKey
from services.contracts.problem_codes import ProblemCode
from services.intake.auth import Caller, require_kind
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import NotFound, UnprocessableInput

router = APIRouter(prefix="/v1/admin/credentials", tags=["admin"], responses=ERROR_RESPONSES)


@router.post("", status_code=status.HTTP_201_CREATED)
async def issue_key(request: CredentialRequest, services: Services, caller: Caller) -> IssuedKey:
    """A new API key for a client; only its hash is kept."""
    require_kind(caller, ClientKind.ADMIN, action="issue credentials")
    _require_subject_fits(request, services)
    return await services.credentials.issue(client_id=request.client_id, kind=request.kind, subject=request.subject)


@router.get("")
async def list_keys(services: Services, caller: Caller) -> list[CredentialSummary]:
    """Every key (never the key itself), with its state."""
    require_kind(caller, ClientKind.ADMIN, action="list credentials")
    return [CredentialSummary.model_validate(c.model_dump()) for c in await services.credentials.all()]


@router.post("/{key_id}/rotate", status_code=status.HTTP_201_CREATED)
async def rotate_key(
    key_id: str,
    services: Services,
    caller: Caller,
    grace_hours: Annotated[float, Query(ge=0, le=720)] = 24,
) -> IssuedKey:
    """A new key for the same client; the old one keeps working for `grace_hours`, then expires."""
    require_kind(caller, ClientKind.ADMIN, action="rotate credentials")
    issued = await services.credentials.rotate(key_id, grace=timedelta(hours=grace_hours))
    if issued is None:
        raise NotFound(f"no active key {key_id}", code=ProblemCode.KEY_NOT_FOUND)
    return issued


@router.delete("/{key_id}")
async def revoke_key(key_id: str, services: Services, caller: Caller) -> CredentialSummary:
    """Revoke a key at once."""
    require_kind(caller, ClientKind.ADMIN, action="revoke credentials")
    revoked = await services.credentials.revoke(key_id)
    if revoked is None:
        raise NotFound(f"no key {key_id}", code=ProblemCode.KEY_NOT_FOUND)
    return CredentialSummary.model_validate(revoked.model_dump())


def _require_subject_fits(request: CredentialRequest, services: Services) -> None:
    """A key's subject must name what its kind acts as, so a typo is a 422, not a key that can do nothing."""
    if not subject_fits(request.kind, request.subject, services.catalog):
        raise UnprocessableInput(
            f"subject: {request.subject!r} does not fit a {request.kind.value} key", code=ProblemCode.SUBJECT_MISMATCH
        )
