"""API keys in NATS KV, stored as SHA-256 hashes: issue, verify, rotate, revoke.

A key reads `hk_<key_id>_<secret>`: the key id finds the record, the secret is compared by hash in constant time.
Keys carry 256 random bits, so a fast hash is the right tool (as for GitHub or Stripe tokens).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from nats.js.errors import InvalidKeyError, KeyNotFoundError
from nats.js.kv import KeyValue

from services.contracts.credentials import KEY_PREFIX, ClientKind, Credential, IssuedKey, Principal
from services.engines.held_bucket import DEFAULT_MAX_AGE_SECONDS, HeldBucket
from services.engines.jetstream import kv_entries


def new_api_key() -> str:
    """`hk_<key id>_<secret>`: 48 bits of id to find the record, 256 bits of secret."""
    return f"{KEY_PREFIX}_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


def _hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


class CredentialStore:
    """Keys are verified against records held in memory (`HeldBucket`: every request names one, keys change a few
    times a day): this instance's own changes hold at once, another instance's within the watch's delay, and at
    worst within `held_seconds` should the watch be down. Issuing, rotating and revoking read the bucket itself."""

    def __init__(self, bucket: KeyValue, *, held_seconds: float = DEFAULT_MAX_AGE_SECONDS) -> None:
        self._bucket = bucket
        self._held = HeldBucket(bucket, Credential.model_validate_json, max_age_seconds=held_seconds)

    async def follow(self, *, stop: asyncio.Event) -> None:
        """Keep the held records current (another instance's revocations) until `stop`."""
        await self._held.follow(stop=stop)

    async def _write(self, credential: Credential, *, create: bool = False) -> None:
        data = credential.model_dump_json().encode()
        if create:
            revision = await self._bucket.create(credential.key_id, data)
        else:
            revision = await self._bucket.put(credential.key_id, data)
        self._held.note(credential.key_id, data, revision)

    async def issue(self, *, client_id: str, kind: ClientKind, subject: str = "") -> IssuedKey:
        api_key = new_api_key()
        return await self.register(api_key, client_id=client_id, kind=kind, subject=subject)

    async def register(self, api_key: str, *, client_id: str, kind: ClientKind, subject: str = "") -> IssuedKey:
        """Store the hash of a key made elsewhere (the development credentials file); once per key id."""
        key_id = api_key.split("_", 2)[1]
        credential = Credential(
            key_id=key_id,
            client_id=client_id,
            kind=kind,
            subject=subject,
            key_hash=_hash(api_key),
            created_at=datetime.now(UTC),
        )
        await self._write(credential, create=True)
        return IssuedKey(key_id=key_id, client_id=client_id, kind=kind, subject=subject, api_key=api_key)

    async def verify(self, api_key: str) -> Principal | None:
        """The caller a key stands for, or None (unknown, malformed, revoked or expired)."""
        parts = api_key.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        credential = await self._held.get(parts[1])
        if credential is None or not hmac.compare_digest(credential.key_hash, _hash(api_key)):
            return None
        if not credential.valid_at(datetime.now(UTC)):
            return None
        return Principal(
            client_id=credential.client_id, kind=credential.kind, subject=credential.subject, key_id=credential.key_id
        )

    async def get(self, key_id: str) -> Credential | None:
        try:
            entry = await self._bucket.get(key_id)
        except (KeyNotFoundError, InvalidKeyError):  # a key id no KV key can hold names no key
            return None
        return Credential.model_validate_json(entry.value or b"{}")

    async def revoke(self, key_id: str) -> Credential | None:
        credential = await self.get(key_id)
        if credential is None:
            return None
        if credential.revoked_at is None:
            credential.revoked_at = datetime.now(UTC)
            await self._write(credential)
        return credential

    async def rotate(self, key_id: str, *, grace: timedelta) -> IssuedKey | None:
        """A new key for the same client; the old one keeps working for `grace` (never longer than it had), then
        expires. A revoked or expired key is not rotated: that would bring it back to life."""
        now = datetime.now(UTC)
        old = await self.get(key_id)
        if old is None or not old.valid_at(now):
            return None
        issued = await self.issue(client_id=old.client_id, kind=old.kind, subject=old.subject)
        old.expires_at = now + grace if old.expires_at is None else min(old.expires_at, now + grace)
        await self._write(old)
        return issued

    async def all(self) -> list[Credential]:
        found = [Credential.model_validate_json(entry.value or b"{}") for entry in await kv_entries(self._bucket)]
        return sorted(found, key=lambda c: c.created_at)
