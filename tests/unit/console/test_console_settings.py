"""The console's settings: development runs on nothing, anywhere else needs its key and a real session secret."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from pydantic import ValidationError

from services.console.settings import ConsoleSettings

KEYS = {"payload_keys": "k1:" + base64.b64encode(os.urandom(32)).decode(), "payload_key_id": "k1"}
SECRET = "s" * 43


def settings(**values: Any) -> ConsoleSettings:
    return ConsoleSettings(_env_file=None, **values)  # type: ignore[call-arg]


def test_development_needs_nothing() -> None:
    found = settings(environment="development")
    assert found.development and found.key_sign_in and not found.secure_cookie
    assert found.signing_secret() != settings(environment="development").signing_secret()  # a new one each start


def test_production_with_its_secrets_signs_with_them_and_only_through_oidc() -> None:
    found = settings(environment="production", api_key="hk_console", session_secret=SECRET, **KEYS)
    assert found.signing_secret() == SECRET
    assert found.console_key() == "hk_console"
    assert not found.key_sign_in and found.secure_cookie


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({}, "HOTLINE_CONSOLE_API_KEY and HOTLINE_CONSOLE_SESSION_SECRET required"),
        ({"session_secret": SECRET}, "HOTLINE_CONSOLE_API_KEY required"),
        ({"api_key": "hk_console"}, "HOTLINE_CONSOLE_SESSION_SECRET required"),
        ({"api_key": "hk_console", "session_secret": ""}, "HOTLINE_CONSOLE_SESSION_SECRET required"),
        ({"api_key": "hk_console", "session_secret": "changeme"}, "SESSION_SECRET: at least 32 characters"),
        (
            {"api_key": "hk_console", "session_secret": SECRET, "oidc_issuer": "https://id.city.example"},
            "HOTLINE_CONSOLE_OIDC_CLIENT_ID is required",
        ),
        (
            {"api_key": "k", "session_secret": SECRET, "oidc_issuer": "id.city.example", "oidc_client_id": "c"},
            "HOTLINE_CONSOLE_OIDC_ISSUER: 'id.city.example' is not an http",
        ),
        ({"api_key": "k", "session_secret": SECRET, "session_idle_minutes": 0}, "session_idle_minutes"),
        ({"api_key": "k", "session_secret": SECRET, "refresh_seconds": -1}, "refresh_seconds"),
    ],
)
def test_outside_development_a_missing_or_weak_setting_is_refused_by_name(values: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        settings(environment="production", **KEYS, **values)


def test_dev_sign_in_can_be_turned_off_in_development() -> None:
    assert not settings(environment="development", dev_sign_in=False).key_sign_in
