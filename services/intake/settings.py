"""Intake API settings (`HOTLINE_*` and `HOTLINE_INTAKE_*`)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from limits import RateLimitItem, parse_many
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.contracts.assessment import DEFINITIONS_FILE_VARIABLE, AssessmentDefinitions, load_definitions
from services.contracts.attachments import DEV_OBJECT_STORE_ACCESS_KEY, DEV_OBJECT_STORE_SECRET_KEY
from services.contracts.settings import Environment, ServiceSettings
from services.engines.object_store import ObjectStoreConfig
from services.engines.records_db.connection import DATABASE_URL_VARIABLE, records_url


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_INTAKE_", env_file=".env", extra="ignore", populate_by_name=True
    )

    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = Field(default=64 * 1024, gt=0, description="Larger requests are refused with 413.")
    publish_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How long one publish of a ticket waits for JetStream's ack before it is tried again (a publish "
        "caught on a connection that died never gets one; its message id makes the next one safe).",
    )
    bus_retry_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a ticket's publish (and its duplicate check) is tried again while NATS does not answer "
        "(a server's death, a stream's leader election), before the platform is told 503.",
    )
    temporal_rpc_timeout_seconds: float = Field(default=10.0, gt=0)
    catalog_change_decision_working_days: int = Field(
        default=5, ge=1, le=60, description="Working days the coordination centre has to decide on a catalog change."
    )
    held_credentials_seconds: float = Field(
        default=30.0,
        gt=0,
        description="API keys are checked against records held in memory, kept current by a watch; should the watch "
        "be down, a revocation made on another intake instance takes effect here within this many seconds.",
    )
    rate_limit: str = Field(
        default="600/minute",
        description="Requests per client (API key, else IP) in `limits` notation, counted across intake instances; "
        "several separated by `;` cap bursts too (`20/second;600/minute`); empty for none. Probes are not limited.",
    )

    rate_limit_shared: bool = Field(
        default=True,
        description="Count each client's requests across every intake instance (in NATS); false: each instance "
        "counts on its own (a client then gets the limit once per instance).",
    )

    records_database_url: SecretStr | None = Field(
        default=None,
        validation_alias=DATABASE_URL_VARIABLE,
        description="The case records' PostgreSQL (the records service's URL; a read replica serves searches as "
        "well, but the access log is written): required outside development.",
    )
    var_dir: Path = Field(default=Path("var"), description="Development: where `make run` keeps its data.")
    records_pool_size: int = Field(default=10, ge=1, le=200)
    records_statement_timeout_ms: int = Field(
        default=15_000, ge=0, description="A read of the records that takes longer is cancelled (0: no limit)."
    )
    records_lookup_timeout_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How long a ticket missing from the case index, reported longer ago than its keys live, waits "
        "for the records to say whether it is a resubmission; past it the answer is 503 (docs/case-records.md).",
    )
    assessment_definitions_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices(DEFINITIONS_FILE_VARIABLE, "assessment_definitions_file"),
        description="The rates' definitions (JSON), the assessment service's file; the shipped default if unset.",
    )
    report_request_wait_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long `POST /v1/reports` waits for the report to be made before answering 202.",
    )
    records_export_statement_timeout_ms: int = Field(
        default=600_000,
        ge=0,
        description="The same for an export's read, which streams while the client downloads (0: no limit).",
    )
    open311_contact: str = Field(
        default="",
        max_length=500,
        description="Open311 service discovery: whom integrators contact (a sentence with an email or a phone).",
    )
    open311_key_service: str = Field(
        default="API keys for Open311 clients are issued by the hotline's administrator.",
        max_length=500,
        description="Open311 service discovery: how an integrator gets an API key.",
    )

    # The attachments' object store (docs/attachments.md): any S3-compatible store, SeaweedFS in development.
    object_store_endpoint: str = Field(
        default="http://127.0.0.1:8333",
        validation_alias="HOTLINE_OBJECT_STORE_ENDPOINT",
        description="The S3 API's base URL (MinIO, Ceph RGW, a cloud's S3, SeaweedFS); `https://` outside development.",
    )
    object_store_region: str = Field(default="us-east-1", validation_alias="HOTLINE_OBJECT_STORE_REGION")
    object_store_bucket: str = Field(
        default="hotline-attachments",
        validation_alias="HOTLINE_OBJECT_STORE_BUCKET",
        description="Created at first use when missing (the key then needs CreateBucket) or made by the operator.",
    )
    object_store_access_key: str = Field(
        default=DEV_OBJECT_STORE_ACCESS_KEY, validation_alias="HOTLINE_OBJECT_STORE_ACCESS_KEY"
    )
    object_store_secret_key: SecretStr = Field(
        default=SecretStr(DEV_OBJECT_STORE_SECRET_KEY), validation_alias="HOTLINE_OBJECT_STORE_SECRET_KEY"
    )
    object_store_path_style: bool = Field(
        default=True,
        validation_alias="HOTLINE_OBJECT_STORE_PATH_STYLE",
        description="`endpoint/bucket/key` (MinIO, Ceph, SeaweedFS); false for virtual-host buckets.",
    )
    object_store_ca_file: Path | None = Field(
        default=None,
        validation_alias="HOTLINE_OBJECT_STORE_CA_FILE",
        description="The CA that signed the store's certificate, when not a public one.",
    )
    object_store_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias="HOTLINE_OBJECT_STORE_TIMEOUT_SECONDS"
    )
    attachment_max_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, le=200 * 1024 * 1024, description="Larger files are refused with 413."
    )
    attachment_max_count: int = Field(default=20, ge=1, le=500, description="Attachments a case may have.")
    attachment_max_pixels: int = Field(
        default=50_000_000, gt=0, description="Larger images are refused (a decompression bomb is small on the wire)."
    )
    public_url: str | None = Field(
        default=None,
        description="Intake's address as clients reach it (`https://hotline.example.gov.cn`): download links start "
        "with it. Unset: the address the request came to, which behind a TLS-terminating ingress is `http://`.",
    )
    attachment_link_seconds: int = Field(
        default=300, ge=10, le=86_400, description="How long an attachment's download links work."
    )
    attachment_fetch_worker: bool = Field(
        default=True,
        description="Run the worker that fetches tickets' `attachment_urls` for the case workflows (off only where "
        "another intake replica runs it).",
    )
    attachment_fetch_timeout_seconds: float = Field(
        default=60.0, gt=0, le=600, description="How long one fetch of an attachment URL may take, whole file read."
    )
    attachment_fetch_concurrency: int = Field(
        default=8, ge=1, le=200, description="Attachment URLs one intake replica fetches at once."
    )

    @model_validator(mode="after")
    def _real_object_store_credentials_outside_development(self) -> Self:
        if self.environment is Environment.DEVELOPMENT:
            return self
        if self.object_store_secret_key.get_secret_value() in ("", DEV_OBJECT_STORE_SECRET_KEY):
            raise ValueError("HOTLINE_OBJECT_STORE_SECRET_KEY is required outside development (not the dev one)")
        if self.object_store_access_key in ("", DEV_OBJECT_STORE_ACCESS_KEY):
            raise ValueError("HOTLINE_OBJECT_STORE_ACCESS_KEY is required outside development (not the dev one)")
        if not self.object_store_endpoint.startswith("https://"):
            raise ValueError("HOTLINE_OBJECT_STORE_ENDPOINT must be https:// outside development")
        if self.public_url is not None and not self.public_url.startswith("https://"):
            raise ValueError("HOTLINE_INTAKE_PUBLIC_URL must be https:// outside development (links carry tokens)")
        return self

    @field_validator("public_url", mode="before")
    @classmethod
    def _empty_public_url_is_unset(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().rstrip("/") or None
        return value

    @model_validator(mode="after")
    def _a_records_database_outside_development(self) -> Self:
        if self.records_database_url is None and self.environment is not Environment.DEVELOPMENT:
            raise ValueError(f"{DATABASE_URL_VARIABLE} is required outside development")
        return self

    def records_database(self) -> str:
        return records_url(self.records_database_url, self.var_dir)

    def object_store(self) -> ObjectStoreConfig:
        """The attachments' object store, as these settings name it."""
        return ObjectStoreConfig(
            endpoint=self.object_store_endpoint,
            region=self.object_store_region,
            bucket=self.object_store_bucket,
            access_key=self.object_store_access_key,
            secret_key=self.object_store_secret_key.get_secret_value(),
            path_style=self.object_store_path_style,
            ca_file=self.object_store_ca_file,
            timeout_seconds=self.object_store_timeout_seconds,
        )

    def assessment_definitions(self) -> AssessmentDefinitions:
        """The definitions the rates are computed by (DefinitionsError naming the file and field if unusable)."""
        return load_definitions(self.assessment_definitions_file)

    @field_validator("rate_limit")
    @classmethod
    def _parsable_rate_limit(cls, value: str) -> str:
        if value.strip():
            parse_many(value)  # a ValueError names what it could not read
        return value.strip()

    @property
    def rate_limits(self) -> list[RateLimitItem]:
        return parse_many(self.rate_limit) if self.rate_limit else []

    @property
    def allow_plain_http_webhooks(self) -> bool:
        """Only development (loopback receivers) may register `http://` webhooks."""
        return self.environment is Environment.DEVELOPMENT
