"""Checking a webhook delivery or a status callback as the hotline's notifier signs it.

`X-Hotline-Timestamp` is the Unix time in seconds of the attempt; `X-Hotline-Signature` is `sha256=` + lowercase hex
of HMAC-SHA256(secret, timestamp + "." + raw body). A receiver recomputes it over the raw bytes it received (never a
re-encoded JSON), compares in constant time, and refuses a timestamp too far from its clock (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Hotline-Timestamp"
SIGNATURE_HEADER = "X-Hotline-Signature"
EVENT_ID_HEADER = "X-Hotline-Event-Id"
EVENT_KIND_HEADER = "X-Hotline-Event-Kind"
# The notifier's replay window: a timestamp further than this from the receiver's clock is refused.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Hotline-Signature` value of a body signed at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance_seconds: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether `body` (the raw bytes) was signed with `secret` within `tolerance_seconds` of `now` (default: the
    clock). `headers` must look names up case-insensitively, as Starlette's, httpx's and aiohttp's do."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit() or not given:
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance_seconds:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), given)
