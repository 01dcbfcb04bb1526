"""Notifier settings (`HOTLINE_*` and `HOTLINE_NOTIFIER_*`; SMTP and SMS gateway nested: `…_SMTP__HOST`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from services.contracts.settings import ServiceSettings

DEFAULT_SMS_BODY = '{"mobile": "{{ phone }}", "content": {{ text | tojson }}, "requestId": "{{ event_id }}"}'


class SmtpSettings(BaseModel):
    host: str | None = Field(default=None, description="No host: email is not configured.")
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    sender: str = "市民热线 <hotline@localhost>"
    timeout_seconds: float = 15.0


class SmsGatewaySettings(BaseModel):
    url: str | None = Field(default=None, description="No URL: SMS is not configured.")
    headers: dict[str, str] = Field(default_factory=dict)
    body_template: str = Field(default=DEFAULT_SMS_BODY, description="Jinja2; variables: phone, text, event_id.")
    success_field: str | None = Field(default=None, description="A JSON field that must equal success_value.")
    success_value: str = "0"


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_NOTIFIER_",
        env_file=".env",
        extra="ignore",
        populate_by_name=True,
        env_nested_delimiter="__",
    )

    ops_host: str = "127.0.0.1"
    ops_port: int = 9103
    fetch_batch: int = 64
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="A receiver is never waited on longer.")
    retry_base_seconds: float = Field(default=1.0, gt=0)
    retry_max_seconds: float = Field(default=300.0, gt=0)
    retry_budget_seconds: float = Field(default=24 * 3600.0, gt=0, description="Then the event is dead-lettered.")
    ordered_wait_seconds: float = Field(default=1.0, gt=0, description="Recheck of a callback waiting its turn.")
    breaker_failures: int = Field(
        default=5, ge=1, description="Failures in a row (no answer, 5xx or 429) that open a receiver's breaker."
    )
    breaker_probe_seconds: float = Field(
        default=30.0, gt=0, description="While a receiver's breaker is open: one probe per this many seconds."
    )
    public_api_url: str | None = Field(
        default=None,
        description="Intake's address as receivers reach it: deliveries carry links to the attachments an event "
        "names (a resolution's after-photo) under it; unset, none.",
    )
    media_link_hours: float = Field(default=72.0, gt=0, description="How long those links work.")
    template_dir: Path | None = Field(default=None, description="City's template overrides (same file names).")
    smtp: SmtpSettings = SmtpSettings()
    sms: SmsGatewaySettings = SmsGatewaySettings()
