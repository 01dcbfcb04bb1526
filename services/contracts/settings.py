"""Settings shared by every service; each service subclasses `ServiceSettings` once and passes it down."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"


def _common(name: str) -> str:
    # Connection settings are read from `HOTLINE_<NAME>` whatever the service's own prefix is; never from a
    # bare `NAME`, which other tools (the Temporal CLI's TEMPORAL_ADDRESS, ENVIRONMENT) also use.
    return f"HOTLINE_{name.upper()}"


class ServiceSettings(BaseSettings):
    """Connection and telemetry settings, from `HOTLINE_*` environment variables (or `.env`).

    A service's own settings live in a subclass with its own prefix (`HOTLINE_ROUTER_*`, ...).
    """

    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_file=".env", extra="ignore", populate_by_name=True)

    environment: Environment = Field(default=Environment.DEVELOPMENT, validation_alias=_common("environment"))
    nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        validation_alias=_common("nats_url"),
        description="Comma-separated for a cluster.",
    )
    temporal_address: str = Field(default="127.0.0.1:7233", validation_alias=_common("temporal_address"))
    temporal_namespace: str = Field(default="default", validation_alias=_common("temporal_namespace"))
    log_level: str = Field(default="INFO", validation_alias=_common("log_level"))
    log_json: bool = Field(default=True, validation_alias=_common("log_json"))
    # How long a service keeps retrying its first connection to NATS / Temporal before giving up.
    connect_timeout_seconds: float = Field(default=60.0, validation_alias=_common("connect_timeout_seconds"))
    # Copies of each stream and bucket: 1 on the embedded server, 3 on a production NATS cluster.
    nats_replicas: int = Field(default=1, ge=1, le=5, validation_alias=_common("nats_replicas"))

    def nats_servers(self) -> list[str]:
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]
