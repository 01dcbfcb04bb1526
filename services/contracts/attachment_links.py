"""Short-lived download links of attachments, signed by intake (HMAC-SHA256 under a key derived from the payload
keys), so they work without an API key, on any intake instance, until they expire. The notifier signs the links its
deliveries carry the same way (an after-photo in a platform's callback); intake serves them all.

A link names who it was made for: the download is written to the access log in that client's name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from services.contracts.credentials import ClientKind, Principal
from services.contracts.payload_keys import PayloadKeyring

_PURPOSE = b"hotline attachment links v1"


# Intake's route that serves a link (the notifier builds links to it).
DOWNLOAD_PATH = "/v1/attachment-downloads/{token}"


class LinkVariant(StrEnum):
    FILE = "file"
    THUMBNAIL = "thumbnail"


class BadLink(ValueError):
    """A link this system did not make, altered, or expired."""


@dataclass(frozen=True)
class LinkGrant:
    """What a valid link lets its holder download, and for whom it was made."""

    case_id: str
    attachment_id: str
    variant: LinkVariant
    client_id: str
    kind: ClientKind
    subject: str
    expires_at: datetime

    def principal(self) -> Principal:
        """The client the link was made for, as the access log records it."""
        return Principal(client_id=self.client_id, kind=self.kind, subject=self.subject, key_id="download-link")


def _link_key(key: bytes) -> bytes:
    # A key of its own for links: a payload key never signs anything a client sees.
    return hmac.new(key, _PURPOSE, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def download_url(base_url: str, grant: LinkGrant, keyring: PayloadKeyring) -> str:
    """The link's whole address: intake as its reader reaches it, the download path, the signed grant."""
    return base_url.rstrip("/") + DOWNLOAD_PATH.format(token=make_link_token(grant, keyring))


def make_link_token(grant: LinkGrant, keyring: PayloadKeyring) -> str:
    """`<claims>.<key id>.<signature>`, all URL-safe."""
    claims = {
        "c": grant.case_id,
        "a": grant.attachment_id,
        "v": grant.variant.value,
        "i": grant.client_id,
        "k": grant.kind.value,
        "s": grant.subject,
        "e": int(grant.expires_at.timestamp()),
    }
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    key_id = keyring.current_key_id
    signature = hmac.new(_link_key(keyring.keys[key_id]), f"{body}.{key_id}".encode(), hashlib.sha256).digest()
    return f"{body}.{key_id}.{_b64(signature)}"


def read_link_token(token: str, keyring: PayloadKeyring, *, now: datetime | None = None) -> LinkGrant:
    """The grant of a valid, unexpired link; raises BadLink otherwise."""
    try:
        body, key_id, signature = token.split(".")
        key = keyring.keys[key_id]
        expected = hmac.new(_link_key(key), f"{body}.{key_id}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise BadLink("the link's signature does not match")
        claims = json.loads(_unb64(body))
        grant = LinkGrant(
            case_id=str(claims["c"]),
            attachment_id=str(claims["a"]),
            variant=LinkVariant(claims["v"]),
            client_id=str(claims["i"]),
            kind=ClientKind(claims["k"]),
            subject=str(claims["s"]),
            expires_at=datetime.fromtimestamp(int(claims["e"]), UTC),
        )
    except BadLink:
        raise
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BadLink("not a link this system made") from None
    if grant.expires_at <= (now or datetime.now(UTC)):
        raise BadLink("the link has expired; list the attachments again for a fresh one")
    return grant
