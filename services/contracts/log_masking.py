"""A structlog processor that keeps personal data and secrets out of every log line.

Values under a personal or secret key (`caller`, `phone`, `address`, `latitude`, `secret`, `authorization` ...) are
masked whatever they hold; every other string, however deeply nested, and the rendered exception are passed through
`mask_text`. It runs in the chain shared by structlog and stdlib loggers, so uvicorn's, temporalio's and nats'
lines are masked too.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel
from structlog.typing import EventDict, WrappedLogger

from services.contracts.text_masking import ADDRESS_HIDDEN, HIDDEN, mask_name, mask_phone, mask_text

POSITION_HIDDEN = "[位置已隐藏]"


class _Kind(Enum):
    SECRET = "secret"
    PHONE = "phone"
    NAME = "name"
    ADDRESS = "address"
    POSITION = "position"  # a coordinate: a number, masked whole like an address
    EMAIL = "email"
    PERSON = "person"


# Key names after lower-casing and `-` → `_`.
_SECRET_KEYS = frozenset(
    {
        "secret",
        "password",
        "passwd",
        "api_key",
        "apikey",
        "x_api_key",
        "authorization",
        "token",
        "access_token",
        "refresh_token",
        "signing_key",
        "private_key",
        "cookie",
        "set_cookie",
        "credentials",
    }
)
_SECRET_SUFFIXES = ("_secret", "_token", "_password", "_api_key")
_PERSONAL_KEYS: dict[str, _Kind] = {
    **dict.fromkeys(
        ("phone", "phones", "mobile", "tel", "telephone", "phone_number", "caller_phone", "contact_phone"), _Kind.PHONE
    ),
    **dict.fromkeys(("name", "caller_name", "contact_name", "full_name", "real_name", "citizen_name"), _Kind.NAME),
    **dict.fromkeys(("address", "addr", "home_address", "caller_address", "street_address"), _Kind.ADDRESS),
    **dict.fromkeys(("latitude", "longitude", "lat", "lon", "lng", "coordinates", "point"), _Kind.POSITION),
    **dict.fromkeys(("email", "emails", "e_mail"), _Kind.EMAIL),
    **dict.fromkeys(("id_card", "id_number", "identity_number"), _Kind.SECRET),
    # A location's keys speak for themselves (`latitude` hidden, `grid_code` a code): like a caller's.
    **dict.fromkeys(("caller", "contact", "citizen", "reporter", "complainant", "location"), _Kind.PERSON),
}
# Filled in by structlog and the formatter: never personal, and `_record` must stay a LogRecord.
_LEFT_ALONE = frozenset({"timestamp", "level", "logger", "service", "_record", "_from_structlog"})


def _kind_of(key: object) -> _Kind | None:
    if not isinstance(key, str):
        return None
    name = key.lower().replace("-", "_")
    if name in _SECRET_KEYS or name.endswith(_SECRET_SUFFIXES):
        return _Kind.SECRET
    return _PERSONAL_KEYS.get(name)


def _masked_string(kind: _Kind, value: str) -> str:
    if kind is _Kind.PHONE:
        return mask_phone(value)
    if kind is _Kind.NAME:
        return mask_name(value)
    if kind is _Kind.ADDRESS:
        return ADDRESS_HIDDEN if value else value
    if kind is _Kind.EMAIL:
        return mask_text(value)
    return HIDDEN if value else value


def mask_value(value: Any) -> Any:
    """The value with personal data and secrets masked, in its strings and under personal or secret keys."""
    return _mask(value, None)


def _mask(value: Any, kind: _Kind | None) -> Any:
    # `kind` is what the key the value sits under says it holds.
    if kind is _Kind.SECRET and value not in (None, ""):
        return HIDDEN
    if kind is _Kind.POSITION and value not in (None, ""):
        return POSITION_HIDDEN
    if isinstance(value, str):
        return mask_text(value) if kind is None else _masked_string(kind, value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {key: _mask(item, _kind_of(key) or _inner(kind)) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask(item, kind) for item in value]
    if isinstance(value, bytes | bytearray):
        return _mask(bytes(value).decode("utf-8", errors="replace"), kind)
    if isinstance(value, BaseModel):
        return _only_if_changed(value, value.model_dump(mode="json"), kind)
    return _only_if_changed(value, repr(value), kind)


def _inner(kind: _Kind | None) -> _Kind | None:
    # Inside `caller: {...}` the keys speak for themselves (`name`, `phone`); anything else is free text.
    return None if kind is _Kind.PERSON else kind


def _only_if_changed(value: object, plain: object, kind: _Kind | None) -> object:
    # Objects keep their own rendering unless masking has something to hide in them.
    masked = _mask(plain, kind)
    return value if masked == plain else masked


def mask_personal_data(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: masks personal data and secrets in every value of the event (and its exception)."""
    for key, value in event_dict.items():
        if key not in _LEFT_ALONE:
            event_dict[key] = _mask(value, _kind_of(key))
    return event_dict
