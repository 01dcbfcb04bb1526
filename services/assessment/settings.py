"""Assessment settings (`HOTLINE_*` and `HOTLINE_ASSESSMENT_*`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.contracts.assessment import AssessmentDefinitions, load_definitions
from services.contracts.assessment_reports import ReportKind
from services.contracts.case_classes import ClassThresholds, load_thresholds
from services.contracts.events import Audience
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
    # When each report is issued (Temporal Schedule cron, in `report_time_zone`); empty: not issued.
    weekly_report_cron: str = Field(default="0 17 * * FRI", description="周通报: Fridays at 17:00.")
    half_monthly_report_cron: str = Field(default="0 9 1,16 * *", description="半月专报: the 1st and 16th at 9:00.")
    monthly_report_cron: str = Field(default="0 9 1 * *")
    quarterly_report_cron: str = Field(default="0 9 1 1,4,7,10 *")
    report_time_zone: str = "Asia/Shanghai"
    no_progress_working_days: int = Field(
        default=5, ge=1, le=60, description="A case with no action by its unit for this long is a stalled item."
    )
    trend_periods: int = Field(default=6, ge=1, le=24, description="Periods in a report's trend chart.")
    report_recipients: str = Field(
        default="coordination-centre:coordination,city-leader:leader",
        description="Who receives each report: `recipient:audience` pairs (audiences: coordination, leader, unit).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Intake's address as readers reach it: reports link there."
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

    def report_crons(self) -> dict[ReportKind, str]:
        return {
            ReportKind.WEEKLY: self.weekly_report_cron,
            ReportKind.HALF_MONTHLY: self.half_monthly_report_cron,
            ReportKind.MONTHLY: self.monthly_report_cron,
            ReportKind.QUARTERLY: self.quarterly_report_cron,
        }

    def recipients(self) -> list[tuple[str, Audience]]:
        pairs = [pair.strip().split(":", 1) for pair in self.report_recipients.split(",") if pair.strip()]
        return [(recipient, Audience(audience)) for recipient, audience in pairs]

    @model_validator(mode="after")
    def _recipients_read(self) -> Self:
        try:
            self.recipients()
        except ValueError as exc:
            raise ValueError(f"report_recipients: {exc} (expected recipient:audience pairs)") from exc
        return self

    def definitions(self) -> AssessmentDefinitions:
        return load_definitions(self.definitions_file)

    def thresholds(self) -> ClassThresholds:
        return load_thresholds(self.classes_file)

    def hotspot_scan_every(self) -> timedelta:
        return timedelta(minutes=self.hotspot_scan_every_minutes)
