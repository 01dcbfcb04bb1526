"""AES-GCM encryption of every Temporal payload, so the Temporal server only ever stores ciphertext.

Each payload is serialized whole (metadata and data) and encrypted with a random 12-byte nonce; the result carries
`encoding: binary/encrypted` and `encryption-key-id: <kid>` in its metadata. The key id is also the associated data,
so a payload relabelled with another key id fails authentication. Payloads without that encoding (histories
written before encryption) pass through decoding unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from services.contracts.payload_keys import KEY_BYTES, PayloadKeyring

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12


class PayloadDecryptionError(ValueError):
    """A payload this service cannot decrypt: its key is unknown here, or it was altered."""


class UnknownPayloadKey(PayloadDecryptionError):
    def __init__(self, key_id: str, known: Sequence[str]) -> None:
        super().__init__(
            f"payload encrypted with key id {key_id!r}, which is not in HOTLINE_PAYLOAD_KEYS "
            f"(known: {', '.join(known)}); keep a retired key there while any case still needs it"
        )
        self.key_id = key_id


class EncryptionCodec(PayloadCodec):
    """Encrypts with the current key; decrypts with any key it holds (old keys stay until no case needs them)."""

    def __init__(self, *, keys: Mapping[str, bytes], current_key_id: str) -> None:
        if current_key_id not in keys:
            raise ValueError(f"current key id {current_key_id!r} is not among the keys")
        for key_id, key in keys.items():
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {key_id!r} is {len(key)} bytes, not {KEY_BYTES}")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current_key_id = current_key_id

    @classmethod
    def from_keyring(cls, keyring: PayloadKeyring) -> EncryptionCodec:
        return cls(keys=keyring.keys, current_key_id=keyring.current_key_id)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        """The payload, serialized whole and encrypted with the current key."""
        key_id = self.current_key_id.encode()
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.current_key_id].encrypt(nonce, payload.SerializeToString(), key_id)
        return Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id}, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        """The original payload; one that is not encrypted is returned as it is."""
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnknownPayloadKey(key_id, sorted(self._ciphers))
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            return Payload.FromString(cipher.decrypt(nonce, sealed, key_id.encode()))
        except (InvalidTag, DecodeError):
            raise PayloadDecryptionError(
                f"payload with key id {key_id!r} failed authentication: it was altered, or the key under that id "
                "is not the one it was encrypted with"
            ) from None
