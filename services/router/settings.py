"""Router settings (`HOTLINE_*` and `HOTLINE_ROUTER_*`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.contracts.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_ROUTER_", env_file=".env", extra="ignore", populate_by_name=True
    )

    ops_host: str = "127.0.0.1"
    ops_port: int = 9101
    fetch_batch: int = 64
