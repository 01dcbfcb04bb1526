"""`hotline credentials …`: issue, list, rotate and revoke API keys from the command line.

What the admin API does (`/v1/admin/credentials`), for the one moment the API cannot serve: the first admin key of
a new installation, which no one yet holds a key to ask for. The key is printed once; only its hash is stored (NATS
KV `credentials`, read by every intake instance, which sees the change within its watch's delay).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from services.contracts.credential_subjects import subject_fits
from services.contracts.credentials import ClientKind, CredentialRequest
from services.contracts.settings import ServiceSettings
from services.contracts.subjects import CATALOG_BUCKET, CREDENTIALS_BUCKET
from services.engines.catalog_store import CatalogStore
from services.engines.credential_store import CredentialStore
from services.engines.jetstream import close_nats, key_value, open_jetstream


@asynccontextmanager
async def _store(settings: ServiceSettings) -> AsyncIterator[tuple[CredentialStore, CatalogStore]]:
    nc, js = await open_jetstream(settings, name="credentials-command")
    try:
        credentials = CredentialStore(await key_value(js, CREDENTIALS_BUCKET, replicas=settings.nats_replicas))
        catalogs = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
        yield credentials, catalogs
    finally:
        await close_nats(nc)


async def issue_key(settings: ServiceSettings, *, client_id: str, kind: ClientKind, subject: str) -> str:
    """A new key, printed once (ValueError naming the field: a client id that is no code, a subject that does not fit
    the kind)."""
    CredentialRequest(client_id=client_id, kind=kind, subject=subject)  # the API's own checks of the request
    async with _store(settings) as (credentials, catalogs):
        catalog = await catalogs.start()
        if not subject_fits(kind, subject, catalog):
            raise ValueError(
                f"subject: {subject!r} does not fit a {kind.value} key (catalog version {catalog.version})"
            )
        issued = await credentials.issue(client_id=client_id, kind=kind, subject=subject)
    return (
        f"key id {issued.key_id} for {issued.client_id} ({issued.kind.value}{_of(issued.subject)})\n"
        f"{issued.api_key}\n"
        "Shown once: give it to its holder now; only its hash is kept."
    )


async def list_keys(settings: ServiceSettings) -> str:
    async with _store(settings) as (credentials, _):
        found = await credentials.all()
    lines = [f"{'key id':<14} {'client':<28} {'kind':<12} {'subject':<22} {'created':<16} state"]
    for credential in found:
        state = (
            "revoked"
            if credential.revoked_at
            else f"expires {credential.expires_at:%Y-%m-%d %H:%M}"
            if (credential.expires_at)
            else "active"
        )
        lines.append(
            f"{credential.key_id:<14} {credential.client_id:<28} {credential.kind.value:<12} "
            f"{credential.subject or '-':<22} {credential.created_at:%Y-%m-%d %H:%M} {state}"
        )
    return "\n".join(lines)


async def rotate_key(settings: ServiceSettings, key_id: str, *, grace_hours: float) -> str:
    async with _store(settings) as (credentials, _):
        issued = await credentials.rotate(key_id, grace=timedelta(hours=grace_hours))
    if issued is None:
        raise ValueError(f"key id: no active key {key_id}")
    return (
        f"key id {issued.key_id} replaces {key_id} (which works {grace_hours:g} more hours)\n"
        f"{issued.api_key}\n"
        "Shown once: give it to its holder now; only its hash is kept."
    )


async def revoke_key(settings: ServiceSettings, key_id: str) -> str:
    async with _store(settings) as (credentials, _):
        revoked = await credentials.revoke(key_id)
    if revoked is None:
        raise ValueError(f"key id: no key {key_id}")
    return f"key id {key_id} of {revoked.client_id} is revoked"


def _of(subject: str) -> str:
    return f" of {subject}" if subject else ""
