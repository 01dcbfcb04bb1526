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
    """Who is calling, as the credential says."""

    client_id: str
    kind: ClientKind
    subject: str
    key_id: str


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
