"""Signatures receivers verify: our webhooks and platform callbacks, and DingTalk's signed robot URLs.

Webhook signature (documented in docs/notifications.md): `X-Hotline-Timestamp` is the Unix time in seconds and
`X-Hotline-Signature` is `sha256=` + hex(HMAC-SHA256(secret, timestamp + "." + raw body)). A receiver recomputes
it over the raw body and rejects a timestamp older than 5 minutes (replays).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

# The header names are the receivers' contract (the API's OpenAPI `webhooks` declares them): kept in the contracts.
from services.contracts.webhook_bodies import (
    EVENT_ID_HEADER,
    EVENT_KIND_HEADER,
    REPLAY_WINDOW_SECONDS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
)

__all__ = [
    "EVENT_ID_HEADER",
    "EVENT_KIND_HEADER",
    "REPLAY_WINDOW_SECONDS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "dingtalk_signed_url",
    "verify_webhook",
    "webhook_signature",
]


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_webhook(secret: str, timestamp: str, signature: str, body: bytes, *, now: float) -> bool:
    """What a receiver does: the signature matches and the timestamp is within the replay window."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(webhook_signature(secret, int(timestamp), body), signature)


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk's signed mode: `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret, "ts\\nsecret")) on the URL."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    sign = base64.b64encode(hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()).decode()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={urllib.parse.quote_plus(sign)}"
