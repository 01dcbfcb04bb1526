"""A ticket's content as the records keep it: each personal field sealed, the text searchable by keyed hashes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.contracts.case_event_log import PersonalData
from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.address_keys import place_key, place_keys
from services.engines.records_db.personal_columns import seal_columns
from services.engines.records_db.search_tokens import hashed, search_key, text_tokens


def ticket_columns(case_id: str, data: PersonalData, keyring: PayloadKeyring) -> dict[str, Any]:
    """The case row's columns `received` fills: sealed description, address and caller; the reported time."""
    return {**seal_columns(case_id, data, keyring), "reported_at": data.reported_at}


def search_row(
    case_id: str,
    title: str | None,
    data: PersonalData,
    keyring: PayloadKeyring,
    *,
    received_at: datetime | None = None,
) -> dict[str, Any]:
    """The case's `case_search` row: the keyed hashes of its title, description and address, and of its place; and
    its received time, the order word searches read it in."""
    text = " ".join(part for part in (title, data.description, data.address) if part)
    key_id = keyring.current_key_id
    place = place_keys(data.address, place_key(keyring, key_id))
    return {
        "case_id": case_id,
        "key_id": key_id,
        "tokens": hashed(text_tokens(text), search_key(keyring, key_id)),
        "address_key": place.address,
        "community_key": place.community,
        "received_at": received_at,
    }
