"""Router settings (`HOTLINE_*` and `HOTLINE_ROUTER_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.contracts.settings import ServiceSettings
from services.router.ticket_classifier import DEFAULT_CONFIDENCE_THRESHOLD


class RouterSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_ROUTER_", env_file=".env", extra="ignore", populate_by_name=True
    )

    ops_host: str = "127.0.0.1"
    ops_port: int = 9101
    fetch_batch: int = 64
    confidence_threshold: float = Field(
        default=DEFAULT_CONFIDENCE_THRESHOLD,
        gt=0,
        le=1,
        description="Below this the text classifier's item is not trusted: the case goes to triage.",
    )
    data_dir: Path | None = Field(
        default=None,
        description="Routing data (synonyms, platform_categories.json, gazetteer.json); the shipped sample if unset.",
    )
