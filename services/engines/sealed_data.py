"""Personal data sealed for the bus: AES-256-GCM under the payload keys, so NATS only ever holds ciphertext.

The same keys as Temporal's payloads (`HOTLINE_PAYLOAD_KEYS`): a service that may read case data holds them, and
rotating them works the same way (every listed key still opens; the current one seals).
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError

from services.contracts.case_event_log import PersonalData, SealedData
from services.contracts.payload_keys import PayloadKeyring

NONCE_BYTES = 12


class UnsealError(ValueError):
    """Sealed data this service cannot open: its key is unknown here, or it was altered."""


def seal(data: PersonalData, keyring: PayloadKeyring) -> SealedData:
    """Encrypt with the current key; the key id is bound to the ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    key_id = keyring.current_key_id
    sealed = AESGCM(keyring.keys[key_id]).encrypt(nonce, data.model_dump_json().encode(), key_id.encode())
    return SealedData(
        key_id=key_id, nonce=base64.b64encode(nonce).decode(), ciphertext=base64.b64encode(sealed).decode()
    )


def unseal(sealed: SealedData, keyring: PayloadKeyring) -> PersonalData:
    """Decrypt with whichever listed key sealed it; raises UnsealError naming the key id, never the data."""
    key = keyring.keys.get(sealed.key_id)
    if key is None:
        raise UnsealError(
            f"sealed with key id {sealed.key_id!r}, which is not in HOTLINE_PAYLOAD_KEYS (known: "
            f"{', '.join(sorted(keyring.keys))})"
        )
    try:
        nonce = base64.b64decode(sealed.nonce, validate=True)
        clear = AESGCM(key).decrypt(nonce, base64.b64decode(sealed.ciphertext, validate=True), sealed.key_id.encode())
        return PersonalData.model_validate_json(clear)
    except (InvalidTag, binascii.Error, ValueError, ValidationError):
        raise UnsealError(f"sealed data with key id {sealed.key_id!r} failed authentication") from None
