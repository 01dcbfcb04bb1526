"""Settings shared by every service; each service subclasses `ServiceSettings` once and passes it down."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.contracts.outbound_targets import OutboundTargets
from services.contracts.payload_keys import PayloadKeyring, build_keyring
from services.contracts.subjects import BUCKETS, CASE_INDEX_BUCKET, CASE_INDEX_TTL_DAYS, DAY, BucketSpec


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

    # Errors never echo the input: it holds secrets (payload keys, passwords). Subclasses inherit this.
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_", env_file=".env", extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

    environment: Environment = Field(default=Environment.DEVELOPMENT, validation_alias=_common("environment"))
    nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        validation_alias=_common("nats_url"),
        description="Comma-separated for a cluster.",
    )
    # How services prove who they are to NATS (one of: a .creds file, an NKey seed file, a user and password, a
    # token) and check the server (TLS with the cluster's CA; a client certificate when the server verifies them).
    nats_credentials_file: Path | None = Field(
        default=None, validation_alias=_common("nats_credentials_file"), description="A .creds file (JWT and NKey)."
    )
    nats_nkey_seed_file: Path | None = Field(
        default=None, validation_alias=_common("nats_nkey_seed_file"), description="A file holding a user NKey seed."
    )
    nats_user: str | None = Field(default=None, validation_alias=_common("nats_user"))
    nats_password: SecretStr | None = Field(default=None, validation_alias=_common("nats_password"))
    nats_token: SecretStr | None = Field(default=None, validation_alias=_common("nats_token"))
    nats_tls_ca_file: Path | None = Field(
        default=None, validation_alias=_common("nats_tls_ca_file"), description="CA that signed the servers' certs."
    )
    nats_tls_cert_file: Path | None = Field(default=None, validation_alias=_common("nats_tls_cert_file"))
    nats_tls_key_file: Path | None = Field(default=None, validation_alias=_common("nats_tls_key_file"))
    temporal_address: str = Field(default="127.0.0.1:7233", validation_alias=_common("temporal_address"))
    temporal_namespace: str = Field(default="default", validation_alias=_common("temporal_namespace"))
    # A secured Temporal cluster or Temporal Cloud: TLS (server CA; mTLS client certificate and key) or an API key.
    temporal_tls: bool = Field(
        default=False,
        validation_alias=_common("temporal_tls"),
        description="TLS with the system's CAs unless a CA file.",
    )
    temporal_tls_ca_file: Path | None = Field(default=None, validation_alias=_common("temporal_tls_ca_file"))
    temporal_tls_cert_file: Path | None = Field(default=None, validation_alias=_common("temporal_tls_cert_file"))
    temporal_tls_key_file: Path | None = Field(default=None, validation_alias=_common("temporal_tls_key_file"))
    temporal_tls_server_name: str | None = Field(default=None, validation_alias=_common("temporal_tls_server_name"))
    temporal_api_key: SecretStr | None = Field(default=None, validation_alias=_common("temporal_api_key"))
    log_level: str = Field(default="INFO", validation_alias=_common("log_level"))
    log_json: bool = Field(default=True, validation_alias=_common("log_json"))
    # How long a service keeps retrying its first connection to NATS / Temporal before giving up.
    connect_timeout_seconds: float = Field(default=60.0, validation_alias=_common("connect_timeout_seconds"))
    # Copies of each stream and bucket: 1 on the embedded server, 3 on a production NATS cluster.
    nats_replicas: int = Field(default=1, ge=1, le=5, validation_alias=_common("nats_replicas"))
    # Read by every service, since any of them may be the first to declare the bucket, and each sets it at start.
    case_index_ttl_days: float = Field(
        default=CASE_INDEX_TTL_DAYS,
        gt=0,
        validation_alias=_common("case_index_ttl_days"),
        description="How long intake's idempotency key of a ticket lives in NATS (the platforms' retry horizon); "
        "a resubmission after that is answered from the case records (docs/case-records.md).",
    )
    # Temporal payloads (case data, callers' names and phones) are encrypted with these keys: see
    # docs/personal-data.md. Empty in development means the public development key; required elsewhere.
    payload_keys: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=_common("payload_keys"),
        description="`kid:base64key,kid2:base64key` (AES-256): every key that may still decrypt.",
    )
    payload_key_id: str = Field(
        default="", validation_alias=_common("payload_key_id"), description="The key id new payloads use."
    )
    # Telemetry besides logs and each service's own /metrics (docs/observability.md).
    temporal_metrics_address: str | None = Field(
        default=None,
        validation_alias=_common("temporal_metrics_address"),
        description="`host:port` where the Temporal SDK serves its own metrics for Prometheus (`/metrics`: worker "
        "slots, poll and schedule-to-start latency, sticky cache, request failures), in a process with a Temporal "
        "client; unset: not served.",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=_common("otlp_endpoint"),
        description="Base URL of an OpenTelemetry collector's OTLP/HTTP receiver (`http://collector:4318`): spans go "
        "to `<it>/v1/traces`; unset: no tracing (the no-op tracer).",
    )
    trace_sample_ratio: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        validation_alias=_common("trace_sample_ratio"),
        description="Share of tickets whose trace is recorded, decided where the trace begins (intake) and followed "
        "downstream.",
    )
    codec_ui_origins: str = Field(
        default="http://127.0.0.1:8233,http://localhost:8233",
        validation_alias=_common("codec_ui_origins"),
        description="Comma-separated origins of the Temporal Web UI that may call intake's codec server.",
    )

    outbound_allowed_networks: str = Field(
        default="",
        validation_alias=_common("outbound_allowed_networks"),
        description="Comma-separated CIDR networks that webhooks, robots and callbacks may reach although private "
        "(a city's e-government network); outside development every other private, loopback or link-local "
        "address is refused.",
    )
    outbound_allowed_hosts: str = Field(
        default="",
        validation_alias=_common("outbound_allowed_hosts"),
        description="Comma-separated host names those URLs may name whatever they resolve to.",
    )

    @model_validator(mode="after")
    def _client_certificate_in_pairs(self) -> Self:
        for engine, cert, key in (
            ("nats", self.nats_tls_cert_file, self.nats_tls_key_file),
            ("temporal", self.temporal_tls_cert_file, self.temporal_tls_key_file),
        ):
            if (cert is None) != (key is None):
                raise ValueError(f"HOTLINE_{engine.upper()}_TLS_CERT_FILE and _TLS_KEY_FILE go together")
        return self

    @model_validator(mode="after")
    def _outbound_targets_parse(self) -> Self:
        self.outbound_targets()  # a network that is not one stops the start with its name
        return self

    def outbound_targets(self) -> OutboundTargets:
        """Where webhooks, robots and callbacks may go (anywhere in development, whose receivers are local)."""
        return OutboundTargets.parse(
            allow_private=self.environment is Environment.DEVELOPMENT,
            networks=self.outbound_allowed_networks,
            hosts=self.outbound_allowed_hosts,
        )

    @field_validator("temporal_metrics_address", "otlp_endpoint", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("temporal_metrics_address")
    @classmethod
    def _host_and_port(cls, value: str | None) -> str | None:
        if value is not None:
            host, _, port = value.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"{value!r} is not host:port")
        return value.strip() if value else None

    @model_validator(mode="after")
    def _payload_keys_fit_the_environment(self) -> Self:
        self.payload_keyring()  # refuses missing or development keys outside development, at start-up
        return self

    def payload_keyring(self) -> PayloadKeyring:
        """The keys that decrypt Temporal payloads and the id of the one that encrypts."""
        return build_keyring(
            self.payload_keys.get_secret_value(),
            self.payload_key_id.strip(),
            development=self.environment is Environment.DEVELOPMENT,
        )

    def case_index_bucket(self) -> BucketSpec:
        """The `case_index` bucket with the configured key lifetime."""
        return replace(CASE_INDEX_BUCKET, ttl_seconds=self.case_index_ttl_days * DAY)

    def buckets(self) -> list[BucketSpec]:
        """Every KV bucket the services declare, as configured here."""
        configured = self.case_index_bucket()
        return [configured if spec.name == configured.name else spec for spec in BUCKETS]

    def nats_servers(self) -> list[str]:
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]

    def codec_origins(self) -> list[str]:
        return [origin.strip() for origin in self.codec_ui_origins.split(",") if origin.strip()]
