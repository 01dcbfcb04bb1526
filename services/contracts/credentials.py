"""Clients of the API and what kind of client each is (authentication: per-client API keys)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.tickets import CODE_PATTERN

KEY_PREFIX = "hk"


class ClientKind(StrEnum):
    PLATFORM = "platform"
    UNIT = "unit"
    COORDINATION = "coordination"
    LEADER = "leader"
    ADMIN = "admin"
    OPERATOR = "operator"
    CONSOLE = "console"  # the staff console: acts only on behalf of a signed-in person (docs/console.md)


# Kinds a console may act as, for the person signed in to it: staff, never a platform, an operator or a console.
STAFF_KINDS = (ClientKind.UNIT, ClientKind.COORDINATION, ClientKind.LEADER, ClientKind.ADMIN)
# A person's id as a console passes it (an OIDC `preferred_username`, an email, a development client id).
PERSON_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$"


class Credential(BaseModel):
    """A stored API key: only its hash is kept."""

    key_id: str
    client_id: str
    kind: ClientKind
    subject: str = Field(description="The platform's channel, the unit's code, the leader's code; '' for admin.")
    key_hash: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def valid_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


class Principal(BaseModel):
    """Who is calling, as the credential says (for a console: as the person it acts for)."""

    client_id: str
    kind: ClientKind
    subject: str
    key_id: str
    person: str | None = Field(
        default=None, description="The signed-in person a console acts for (None: the key's own client)."
    )


class CallerView(BaseModel):
    """Body of `GET /v1/me`: who the API takes the caller for."""

    client_id: str
    kind: ClientKind
    subject: str
    person: str | None = None


class CredentialRequest(BaseModel):
    """Body of `POST /v1/admin/credentials`."""

    client_id: str = Field(pattern=CODE_PATTERN)
    kind: ClientKind
    subject: str = Field(default="", max_length=64)


class IssuedKey(BaseModel):
    """A new API key: shown once, stored only as a hash."""

    key_id: str
    client_id: str
    kind: ClientKind
    subject: str
    api_key: str = Field(description="Send as `Authorization: Bearer <api_key>`. Not shown again.")
    expires_at: datetime | None = None


class CredentialSummary(BaseModel):
    key_id: str
    client_id: str
    kind: ClientKind
    subject: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
