"""Opaque page cursors: where a list stopped (the keyset of its last row), for the next page to start after it.

A cursor is base64url of `[version, kind, filters' fingerprint, position]`: not secret (it holds only the sort key of
a row its reader has seen; the reader's scope is applied again on every page) but not to be built by clients, whose
code would then depend on its shape. A cursor of another list, or of the same list under other filters, is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from services.contracts.problem_codes import ProblemCode
from services.intake.errors import UnprocessableInput

CURSOR_VERSION = 1
MAX_CURSOR_CHARS = 512
P = TypeVar("P")


class BadCursor(UnprocessableInput):
    """A cursor this list did not hand out (422, naming `cursor`)."""

    code = ProblemCode.CURSOR_INVALID


def fingerprint(filters: Mapping[str, Any]) -> str:
    """A short digest of the filters a cursor belongs to (their canonical JSON)."""
    canonical = json.dumps(filters, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(kind: str, filters: str, position: P, adapter: TypeAdapter[P]) -> str:
    """The cursor of `position` (the last row's sort key) in the list `kind` under the filters `filters`."""
    payload = [CURSOR_VERSION, kind, filters, adapter.dump_python(position, mode="json")]
    packed = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode_cursor(cursor: str, kind: str, filters: str, adapter: TypeAdapter[P]) -> P:
    """The position a cursor of the list `kind` under the filters `filters` holds; 422 for any other string."""
    payload = _unpacked(cursor)
    if not (isinstance(payload, list) and len(payload) == 4 and payload[0] == CURSOR_VERSION):
        raise BadCursor("cursor: not a cursor of this API; pass back `next_cursor` as it was given")
    if payload[1] != kind:
        raise BadCursor("cursor: a cursor of another list")
    if payload[2] != filters:
        raise BadCursor("cursor: the filters or the order changed since this cursor was given; start again without it")
    try:
        return adapter.validate_python(payload[3])
    except ValidationError:
        raise BadCursor("cursor: not a cursor of this API; pass back `next_cursor` as it was given") from None


def _unpacked(cursor: str) -> Any:
    if len(cursor) > MAX_CURSOR_CHARS:
        raise BadCursor("cursor: too long to be one of ours")
    try:
        packed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return json.loads(packed)
    except (binascii.Error, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BadCursor("cursor: not a cursor of this API; pass back `next_cursor` as it was given") from None
