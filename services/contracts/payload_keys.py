"""The keys Temporal payloads are encrypted with: parsed from settings, checked, never logged.

`HOTLINE_PAYLOAD_KEYS` reads `kid:base64key,kid2:base64key` (AES-256: 32 random bytes each); `HOTLINE_PAYLOAD_KEY_ID`
names the key new payloads are encrypted with. Every listed key still decrypts, which is how keys rotate.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass

KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
GENERATE_HINT = "generate one with: python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'"

# The key of a development stack with no keys configured. It is public (it is in this file): its payloads are as
# good as plaintext, so settings refuse it outside development.
DEVELOPMENT_KEY_ID = "dev-0"
DEVELOPMENT_KEY = b"hotline-development-only-key-000"


@dataclass(frozen=True)
class PayloadKeyring:
    """Every key that may decrypt, by key id, and the id of the one that encrypts."""

    current_key_id: str
    keys: Mapping[str, bytes]

    @property
    def is_development(self) -> bool:
        return self.current_key_id == DEVELOPMENT_KEY_ID or DEVELOPMENT_KEY in self.keys.values()


def parse_payload_keys(text: str) -> dict[str, bytes]:
    """`kid:base64key,...` to {kid: key}; raises ValueError naming the bad entry (never its key material)."""
    keys: dict[str, bytes] = {}
    for position, entry in enumerate((part.strip() for part in text.split(",")), start=1):
        if not entry:
            continue
        key_id, separator, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not separator or not KEY_ID_PATTERN.match(key_id):
            raise ValueError(
                f"HOTLINE_PAYLOAD_KEYS entry {position} is not `kid:base64key` (kid: letters, digits, '.', '_', '-')"
            )
        if key_id in keys:
            raise ValueError(f"HOTLINE_PAYLOAD_KEYS names key id {key_id!r} twice")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(
                f"HOTLINE_PAYLOAD_KEYS: the key of {key_id!r} is not valid base64; {GENERATE_HINT}"
            ) from None
        if len(key) != KEY_BYTES:
            raise ValueError(
                f"HOTLINE_PAYLOAD_KEYS: the key of {key_id!r} is {len(key)} bytes, not {KEY_BYTES} (AES-256); "
                f"{GENERATE_HINT}"
            )
        keys[key_id] = key
    return keys


def build_keyring(keys_text: str, current_key_id: str, *, development: bool) -> PayloadKeyring:
    """The keyring the settings describe; raises ValueError with what to set when they do not fit the environment.

    In development with no keys configured, the fixed development key; outside development, configured keys only
    and never the development key.
    """
    keys = parse_payload_keys(keys_text)
    if not keys:
        if not development:
            raise ValueError(
                "HOTLINE_PAYLOAD_KEYS is required outside development: case data in Temporal is encrypted with it; "
                + GENERATE_HINT
            )
        if current_key_id not in ("", DEVELOPMENT_KEY_ID):
            raise ValueError(f"HOTLINE_PAYLOAD_KEY_ID is {current_key_id!r} but HOTLINE_PAYLOAD_KEYS is empty")
        return PayloadKeyring(DEVELOPMENT_KEY_ID, {DEVELOPMENT_KEY_ID: DEVELOPMENT_KEY})
    if not current_key_id:
        if len(keys) > 1:
            raise ValueError("HOTLINE_PAYLOAD_KEY_ID must name the key new payloads are encrypted with")
        current_key_id = next(iter(keys))
    if current_key_id not in keys:
        raise ValueError(
            f"HOTLINE_PAYLOAD_KEY_ID {current_key_id!r} is not in HOTLINE_PAYLOAD_KEYS (key ids: {', '.join(keys)})"
        )
    keyring = PayloadKeyring(current_key_id, keys)
    if not development and (DEVELOPMENT_KEY_ID in keys or keyring.is_development):
        raise ValueError(
            f"HOTLINE_PAYLOAD_KEYS holds the public development key ({DEVELOPMENT_KEY_ID!r}); "
            "it is refused outside development"
        )
    return keyring
