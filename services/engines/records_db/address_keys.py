"""Keyed hashes of a case's address, for finding cases at the same place without reading the sealed address.

Two keys per case (`case_search.address_key`, `community_key`): the **address** is the normalised text down to the
building or door plate (the entrance, floor and room after it are dropped, so neighbours in one building share it);
the **community** is the text up to the first word that names an estate, community or village (小区, 社区, 村, 家园
...), or none when the address names none. Both are HMACs under a key derived from a payload key (HKDF, apart from
the search tokens' key), so equal places give equal numbers and the numbers say nothing to whoever lacks the keys.
Keys of different payload keys differ: rows are grouped by (`key_id`, key).

The normalisation is deliberately plain (NFKC, lower case, only CJK characters, letters and digits): two spellings
of one place ("幸福家园3号楼" and "河口镇幸福家园小区3号楼") are two places. A class found twice is worse than a
class missed once; hotline platforms mostly send addresses from their own gazetteer, spelled alike.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.contracts.payload_keys import PayloadKeyring

_NOT_TEXT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_DIGITS = r"(?:[0-9]+|[一二三四五六七八九十百零〇两]+)"
# Within a building: entrance, floor, room (2单元, 501室, 3层, 12户), and everything after.
_WITHIN_BUILDING = re.compile(rf"{_DIGITS}(?:单元|楼层|层|室|户)")
# Words that end the name of an estate, a community or a village; the longer spelling first where one holds another.
_ESTATE = re.compile(r"社区|小区|新村|村|家园|花园|华庭|公寓|大厦|苑")
# "小区" says nothing about which place: "幸福家园小区3号楼" and "幸福家园3号楼" are the same building.
_GENERIC = re.compile(r"小区(?=.)")
MIN_KEY_CHARS = 2


@dataclass(frozen=True)
class PlaceKeys:
    """A case's place keys (signed 64-bit, PostgreSQL's bigint); None where the address gives none."""

    address: int | None
    community: int | None


def normalised_address(address: str | None) -> str | None:
    """The address as compared: CJK characters, letters and digits, down to the building; None if nothing is left."""
    if not address:
        return None
    text = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", address).lower())
    text = _GENERIC.sub("", text)
    if (within := _WITHIN_BUILDING.search(text)) is not None:
        text = text[: within.start()]
    return text if len(text) >= MIN_KEY_CHARS else None


def community_of(address: str | None) -> str | None:
    """The normalised address up to the first word that names an estate, a community or a village; None if none."""
    if not address:
        return None
    text = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", address).lower())
    found = _ESTATE.search(text)
    if found is None or found.start() < 1:
        return None
    return text[: found.end()]


def place_key(keyring: PayloadKeyring, key_id: str) -> bytes:
    """The hashing key of one payload key for places (not the search tokens' key, nor the payload key itself)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline-records-place-v1").derive(
        keyring.keys[key_id]
    )


def place_keys(address: str | None, key: bytes) -> PlaceKeys:
    """The address's keys under `key` (from `place_key`)."""
    return PlaceKeys(
        address=_hashed("address", normalised_address(address), key),
        community=_hashed("community", community_of(address), key),
    )


def _hashed(kind: str, text: str | None, key: bytes) -> int | None:
    if text is None:
        return None
    digest = hmac.new(key, f"{kind}:{text}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
