"""Assessment settings (`HOTLINE_*` and `HOTLINE_ASSESSMENT_*`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.contracts.assessment import AssessmentDefinitions, load_definitions
from services.contracts.case_classes import ClassThresholds, load_thresholds
from services.contracts.settings import Environment, ServiceSettings
from services.engines.records_db.connection import records_url


class AssessmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_ASSESSMENT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the records' PostgreSQL (asyncpg); required outside development, where the "
        "embedded server's socket under `var_dir` is the default.",
    )
    var_dir: Path = Field(default=Path("var"), description="Development: where `make run` keeps its data.")
    definitions_file: Path | None = Field(
        default=None, description="The rates' definitions (JSON); the shipped default if unset."
    )
    classes_file: Path | None = Field(
        default=None,
        description="The thresholds that find classes of cases, and the rectifications' cadence (JSON); the shipped "
        "default if unset.",
    )
    hotspot_scan_every_minutes: float = Field(
        default=60, gt=0, le=7 * 24 * 60, description="How often the Temporal Schedule runs the hotspot scan."
    )
    hotspot_scan_schedule: bool = Field(
        default=True, description="Create (or update) the hotspot scan's schedule when the service starts."
    )
    ops_host: str = "127.0.0.1"
    ops_port: int = 9105
    pool_size: int = 5
    max_concurrent_activities: int = 20

    @model_validator(mode="after")
    def _a_database_outside_development(self) -> Self:
        if self.database_url is None and self.environment is not Environment.DEVELOPMENT:
            raise ValueError("HOTLINE_ASSESSMENT_DATABASE_URL is required outside development")
        return self

    def database(self) -> str:
        return records_url(self.database_url, self.var_dir)

    def definitions(self) -> AssessmentDefinitions:
        return load_definitions(self.definitions_file)

    def thresholds(self) -> ClassThresholds:
        return load_thresholds(self.classes_file)

    def hotspot_scan_every(self) -> timedelta:
        return timedelta(minutes=self.hotspot_scan_every_minutes)
