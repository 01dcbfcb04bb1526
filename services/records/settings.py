"""Records settings (`HOTLINE_*` and `HOTLINE_RECORDS_*`)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.contracts.settings import Environment, ServiceSettings
from services.engines.records_db.connection import records_url


class RecordsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_RECORDS_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the records' PostgreSQL (asyncpg driver); required outside development, where "
        "the embedded server's socket under `var_dir` is the default.",
    )
    var_dir: Path = Field(default=Path("var"), description="Development: where `make run` keeps its data.")
    migrate_at_start: bool = Field(default=True, description="Run the migrations before following the event log.")
    health_timeout_seconds: float = Field(
        default=1.0, gt=0, description="How long `/healthz` waits for the database to answer `SELECT 1`."
    )
    case_gauges_seconds: float = Field(
        default=60.0, gt=0, description="How often the open and overdue cases per unit are counted for /metrics."
    )
    ops_host: str = "127.0.0.1"
    ops_port: int = 9104
    fetch_batch: int = 64
    pool_size: int = Field(
        default=20,
        description="Connections to the database kept open, and no more opened: a connection opened and closed for "
        "an event (SQLAlchemy's overflow, with up to `fetch_batch` events in hand) cost PostgreSQL more CPU than the "
        "event's writes.",
    )

    @model_validator(mode="after")
    def _a_database_outside_development(self) -> Self:
        if self.database_url is None and self.environment is not Environment.DEVELOPMENT:
            raise ValueError("HOTLINE_RECORDS_DATABASE_URL is required outside development")
        return self

    def database(self) -> str:
        """The URL to connect with: the one configured, or the embedded server's socket (an absolute path)."""
        return records_url(self.database_url, self.var_dir)
