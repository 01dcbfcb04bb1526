"""Signatures as receivers check them: our webhooks (by the receiver docs/notifications.md gives) and DingTalk's URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import time
import urllib.parse
from pathlib import Path

import pytest

from services.notifier.channels.webhook import signed_headers
from services.notifier.signing import dingtalk_signed_url, verify_webhook, webhook_signature
from tests.support.documented_receiver import verify

DOCS = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"

SECRET = "kJ3x9Qm2Lw8Rt5Yv1Zp7Nc4Hd6Gf0Ab"
BODY = '{"event_id":"3f6c1a9e-8a55-4a43-9f0e-2b7d1c5e4a10:1","kind":"case_assigned","title":"小区停水两天无人处理"}'.encode()


def test_the_receiver_used_here_is_the_one_the_docs_give() -> None:
    docs = DOCS.read_text(encoding="utf-8")

    assert inspect.getsource(verify) in docs
    assert "import hashlib, hmac, time" in docs


def test_a_signed_post_verifies_at_the_documented_receiver() -> None:
    headers = signed_headers(SECRET, BODY, "3f6c1a9e-8a55-4a43-9f0e-2b7d1c5e4a10:1", "case_assigned")

    assert verify(SECRET, headers, BODY)
    assert headers["X-Hotline-Signature"].startswith("sha256=")
    assert headers["X-Hotline-Event-Id"] == headers["Idempotency-Key"] == "3f6c1a9e-8a55-4a43-9f0e-2b7d1c5e4a10:1"
    assert headers["X-Hotline-Event-Kind"] == "case_assigned"
    assert abs(int(headers["X-Hotline-Timestamp"]) - time.time()) <= 2


def test_a_tampered_body_is_rejected() -> None:
    headers = signed_headers(SECRET, BODY, "e:1", "case_assigned")
    tampered = BODY.replace("停水".encode(), "停电".encode())

    assert not verify(SECRET, headers, tampered)
    assert not verify(SECRET, headers, BODY + b" ")


def test_another_secret_is_rejected() -> None:
    headers = signed_headers(SECRET, BODY, "e:1", "case_assigned")

    assert not verify("another-secret-of-another-unit", headers, BODY)


@pytest.mark.parametrize("age_seconds", [301, 3600])
def test_a_timestamp_older_than_five_minutes_is_rejected_as_a_replay(age_seconds: int) -> None:
    old = int(time.time()) - age_seconds
    headers = {"X-Hotline-Timestamp": str(old), "X-Hotline-Signature": webhook_signature(SECRET, old, BODY)}

    assert not verify(SECRET, headers, BODY)
    assert not verify_webhook(SECRET, str(old), headers["X-Hotline-Signature"], BODY, now=time.time())


def test_a_timestamp_within_the_window_is_accepted() -> None:
    recent = int(time.time()) - 240
    headers = {"X-Hotline-Timestamp": str(recent), "X-Hotline-Signature": webhook_signature(SECRET, recent, BODY)}

    assert verify(SECRET, headers, BODY)
    assert verify_webhook(SECRET, str(recent), headers["X-Hotline-Signature"], BODY, now=time.time())


def test_the_signature_is_lowercase_hex_of_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1767225600." + BODY, hashlib.sha256).hexdigest()

    assert webhook_signature(SECRET, 1767225600, BODY) == f"sha256={expected}"


def test_verify_webhook_refuses_a_timestamp_that_is_not_a_number() -> None:
    signature = webhook_signature(SECRET, 1767225600, BODY)

    assert not verify_webhook(SECRET, "-1767225600", signature, BODY, now=1767225600)
    assert not verify_webhook(SECRET, "1767225600.0", signature, BODY, now=1767225600)
    assert verify_webhook(SECRET, "1767225600", signature, BODY, now=1767225600)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's documented Python sample for a signed robot ("加签"), unchanged but for the names."""
    secret_enc = secret.encode("utf-8")
    string_to_sign = f"{timestamp_ms}\n{secret}"
    hmac_code = hmac.new(secret_enc, string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(hmac_code))


def test_dingtalk_signed_url_carries_the_timestamp_and_the_sign_dingtalk_computes() -> None:
    secret = "SEC4d1b2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2"
    url = "https://oapi.dingtalk.com/robot/send?access_token=0f1e2d3c4b5a"
    timestamp_ms = 1767225600123

    signed = dingtalk_signed_url(url, secret, timestamp_ms)

    assert signed == f"{url}&timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(signed).query)
    assert query == {
        "access_token": ["0f1e2d3c4b5a"],
        "timestamp": [str(timestamp_ms)],
        "sign": [
            base64.b64encode(
                hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), "sha256").digest()
            ).decode()
        ],
    }


def test_dingtalk_signed_url_without_a_query_starts_one() -> None:
    signed = dingtalk_signed_url("http://127.0.0.1:8080/robot", "SECabc", 1)

    assert signed == f"http://127.0.0.1:8080/robot?timestamp=1&sign={dingtalk_sign('SECabc', 1)}"
