"""The records' database: the embedded server's socket in development, a URL required anywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.records.settings import RecordsSettings


def test_development_defaults_to_the_embedded_server_s_socket_as_an_absolute_path(tmp_path: Path) -> None:
    settings = RecordsSettings(environment="development", var_dir=tmp_path)

    assert settings.database() == f"postgresql+asyncpg://postgres@/postgres?host={tmp_path / 'postgres'}"


def test_a_configured_url_is_used_as_given() -> None:
    url = "postgresql+asyncpg://records:secret@pg.hotline.svc:5432/records"

    assert RecordsSettings(database_url=url).database() == url


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_outside_development_a_database_url_is_required(environment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_PAYLOAD_KEYS", "k1:" + "A" * 43 + "=")

    with pytest.raises(ValidationError, match="HOTLINE_RECORDS_DATABASE_URL is required outside development"):
        RecordsSettings(environment=environment)
