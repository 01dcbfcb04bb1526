"""A caller's data in the records, one sealed column each: AES-256-GCM under the payload keys.

Each column is `nonce || ciphertext`; the key id is on the row (`personal_key_id`) and, with the case id and the
column's name, is the associated data: a value copied to another row or column, or relabelled with another key,
fails authentication. New rows are sealed with the current key; every listed key still opens (rotation by adding
a key, as for Temporal's payloads).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.contracts.case_event_log import PersonalData
from services.contracts.case_ticket import CaseLocation
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.tickets import Caller
from services.engines.sealed_data import NONCE_BYTES, UnsealError

COLUMNS = ("description_sealed", "address_sealed", "caller_name_sealed", "caller_phone_sealed")
# The ticket's location (`CaseLocation` as JSON), sealed like the address. Apart from COLUMNS: the migrations that
# open older rows select COLUMNS only, and rows from before it have none.
LOCATION_COLUMN = "location_sealed"


@dataclass(frozen=True)
class TicketContent:
    """What the caller said and how to reach them, opened from a record's columns."""

    description: str
    address: str | None
    caller_name: str | None
    caller_phone: str | None
    caller_confidential: bool
    reported_at: datetime | None = None
    location: CaseLocation | None = None

    @property
    def latitude(self) -> float | None:
        return self.location.latitude if self.location else None

    @property
    def longitude(self) -> float | None:
        return self.location.longitude if self.location else None

    @property
    def grid_code(self) -> str | None:
        return self.location.grid_code if self.location else None

    def as_personal(self) -> PersonalData:
        caller = None
        if self.caller_name is not None or self.caller_phone is not None or self.caller_confidential:
            caller = Caller(name=self.caller_name, phone=self.caller_phone, confidential=self.caller_confidential)
        return PersonalData(
            description=self.description,
            address=self.address,
            caller=caller,
            reported_at=self.reported_at,
            location=self.location,
        )


def seal_columns(case_id: str, data: PersonalData, keyring: PayloadKeyring) -> dict[str, Any]:
    """The record's personal columns for this data (values for an insert or update)."""
    key_id = keyring.current_key_id
    aead = AESGCM(keyring.keys[key_id])
    caller = data.caller
    clear = {
        "description_sealed": data.description,
        "address_sealed": data.address,
        "caller_name_sealed": caller.name if caller else None,
        "caller_phone_sealed": caller.phone if caller else None,
    }
    if data.location is not None:
        # Only when there is one: migration 0002 seals older rows with this function, before the column exists.
        clear[LOCATION_COLUMN] = data.location.model_dump_json()
    row: dict[str, Any] = {"personal_key_id": key_id, "caller_confidential": bool(caller and caller.confidential)}
    for column, value in clear.items():
        row[column] = None if value is None else _seal(aead, key_id, case_id, column, value)
    return row


def open_columns(case_id: str, row: Any, keyring: PayloadKeyring) -> TicketContent | None:
    """The ticket's content from a row holding the personal columns; None when the row has none (yet)."""
    key_id = row.personal_key_id
    if key_id is None:
        return None
    key = keyring.keys.get(key_id)
    if key is None:
        raise UnsealError(f"record sealed with key id {key_id!r}, which is not in HOTLINE_PAYLOAD_KEYS")
    aead = AESGCM(key)
    opened = {column: _open(aead, key_id, case_id, column, getattr(row, column)) for column in COLUMNS}
    location = _open(aead, key_id, case_id, LOCATION_COLUMN, getattr(row, LOCATION_COLUMN, None))
    return TicketContent(
        description=opened["description_sealed"] or "",
        address=opened["address_sealed"],
        caller_name=opened["caller_name_sealed"],
        caller_phone=opened["caller_phone_sealed"],
        caller_confidential=bool(row.caller_confidential),
        reported_at=getattr(row, "reported_at", None),
        location=CaseLocation.model_validate_json(location) if location is not None else None,
    )


def _associated(key_id: str, case_id: str, column: str) -> bytes:
    return f"{key_id}|{case_id}|{column}".encode()


def _seal(aead: AESGCM, key_id: str, case_id: str, column: str, value: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, value.encode(), _associated(key_id, case_id, column))


def _open(aead: AESGCM, key_id: str, case_id: str, column: str, sealed: bytes | None) -> str | None:
    if sealed is None:
        return None
    try:
        clear = aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _associated(key_id, case_id, column))
    except InvalidTag:
        raise UnsealError(f"case {case_id}: column {column} failed authentication") from None
    return clear.decode()
