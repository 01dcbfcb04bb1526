"""Delivery channels of a unit, kept in the `unit_channels` KV bucket (intake writes, notifier reads)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field


class WebhookSetting(BaseModel):
    """Body of `PUT /v1/units/{code}/webhook`."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"url": "https://water.example.gov.cn/hotline/events"}]}
    )

    url: AnyHttpUrl = Field(description="Where the unit receives notification events as JSON POSTs.")


class WebhookChannel(BaseModel):
    url: str
    updated_at: datetime


class UnitChannels(BaseModel):
    """Every channel a unit has; later channels are added as optional fields."""

    schema_version: int = 1
    unit: str
    webhook: WebhookChannel | None = None
