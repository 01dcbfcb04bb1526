"""The webhook receiver docs/notifications.md gives units, copied from it: tests verify our signatures with it.

`tests/unit/test_signing.py` checks that `verify` below still reads exactly as the docs print it. Pass the
request's headers as a case-insensitive mapping (`httpx.Headers`), as any web framework hands them over.
"""

import hashlib
import hmac
import time


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    timestamp = headers["X-Hotline-Timestamp"]
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Hotline-Signature"])
