"""Files sealed for the object store: AES-256-GCM under the payload keys, so the store only ever holds ciphertext.

Layout: `HSO1`, one byte of key-id length, the key id, a 12-byte nonce, then ciphertext and tag. The key id and the
object's key are authenticated too, so a sealed file copied under another key (another case) does not open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.contracts.payload_keys import PayloadKeyring

MAGIC = b"HSO1"
NONCE_BYTES = 12


class ObjectUnsealError(ValueError):
    """A stored object this service cannot open: its key is unknown here, or it was altered or moved."""


def seal_object(clear: bytes, *, object_key: str, keyring: PayloadKeyring) -> bytes:
    """Encrypt with the current key, bound to the object's key in the store."""
    key_id = keyring.current_key_id.encode()
    nonce = os.urandom(NONCE_BYTES)
    header = MAGIC + bytes([len(key_id)]) + key_id
    sealed = AESGCM(keyring.keys[keyring.current_key_id]).encrypt(nonce, clear, header + object_key.encode())
    return header + nonce + sealed


def unseal_object(sealed: bytes, *, object_key: str, keyring: PayloadKeyring) -> bytes:
    """Decrypt with whichever listed key sealed it; raises ObjectUnsealError naming the key id, never the data."""
    if not sealed.startswith(MAGIC) or len(sealed) < len(MAGIC) + 1:
        raise ObjectUnsealError(f"{object_key}: not a sealed object")
    id_length = sealed[len(MAGIC)]
    header_end = len(MAGIC) + 1 + id_length
    key_id = sealed[len(MAGIC) + 1 : header_end].decode(errors="replace")
    key = keyring.keys.get(key_id)
    if key is None:
        raise ObjectUnsealError(f"{object_key}: sealed with key id {key_id!r}, which is not in HOTLINE_PAYLOAD_KEYS")
    nonce = sealed[header_end : header_end + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, sealed[header_end + NONCE_BYTES :], sealed[:header_end] + object_key.encode())
    except (InvalidTag, ValueError):
        raise ObjectUnsealError(f"{object_key}: sealed with key id {key_id!r} failed authentication") from None
