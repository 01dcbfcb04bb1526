"""Notifier settings (`HOTLINE_*` and `HOTLINE_NOTIFIER_*`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.contracts.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_NOTIFIER_", env_file=".env", extra="ignore", populate_by_name=True
    )

    ops_host: str = "127.0.0.1"
    ops_port: int = 9103
    fetch_batch: int = 64
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="A receiver is never waited on longer.")
    retry_base_seconds: float = Field(default=1.0, gt=0)
    retry_max_seconds: float = Field(default=60.0, gt=0)
