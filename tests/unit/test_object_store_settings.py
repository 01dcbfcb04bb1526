"""The attachments' object store settings: the development pair and plain HTTP only in development."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from services.intake.settings import IntakeSettings

OUTSIDE = {
    "environment": "production",
    "payload_keys": f"k1:{base64.b64encode(b'k' * 32).decode()}",
    "payload_key_id": "k1",
    "records_database_url": "postgresql+asyncpg://records@db.example/records",
}
REAL = {
    "object_store_endpoint": "https://s3.example.gov.cn",
    "object_store_access_key": "hotline-intake",
    "object_store_secret_key": "a-real-secret",
}


def test_development_defaults_to_make_runs_seaweedfs() -> None:
    settings = IntakeSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.object_store_endpoint == "http://127.0.0.1:8333"
    assert settings.object_store_secret_key.get_secret_value() == "hotline-dev-secret"
    assert "hotline-dev-secret" not in repr(settings)


def test_outside_development_a_real_store_is_taken() -> None:
    settings = IntakeSettings(_env_file=None, **OUTSIDE, **REAL)  # type: ignore[arg-type]
    assert settings.object_store_endpoint == "https://s3.example.gov.cn"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"object_store_secret_key": "hotline-dev-secret"}, "HOTLINE_OBJECT_STORE_SECRET_KEY"),
        ({"object_store_access_key": "hotline-dev"}, "HOTLINE_OBJECT_STORE_ACCESS_KEY"),
        ({"object_store_endpoint": "http://s3.example.gov.cn"}, "HOTLINE_OBJECT_STORE_ENDPOINT must be https"),
        ({"public_url": "http://hotline.example.gov.cn"}, "HOTLINE_INTAKE_PUBLIC_URL must be https"),
    ],
)
def test_outside_development_the_development_store_stops_the_start(change: dict[str, str], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        IntakeSettings(_env_file=None, **OUTSIDE, **{**REAL, **change})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "kept"), [("https://hotline.example.gov.cn/", "https://hotline.example.gov.cn"), ("", None)]
)
def test_the_public_url_loses_its_trailing_slash(given: str, kept: str | None) -> None:
    assert IntakeSettings(_env_file=None, public_url=given).public_url == kept  # type: ignore[call-arg]
