"""Delivery channels of a unit (or a leader, or a platform), kept in the `unit_channels` KV bucket.

Intake writes them (`/v1/units/{code}/…`), the notifier reads them. Secrets live here and are never returned by
the API after they are created (`public()` strips them).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

PHONE_PATTERN = r"^\+?[0-9]{5,20}$"


def new_secret() -> str:
    """A fresh signing secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class WebhookSetting(BaseModel):
    """Body of `PUT /v1/units/{code}/webhook`; without a `secret` one is generated and shown once."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"url": "https://water.example.gov.cn/hotline/events"}]}
    )

    url: AnyHttpUrl = Field(description="Where the unit receives notification events as JSON POSTs.")
    secret: str | None = Field(
        default=None, min_length=16, max_length=256, description="HMAC key; generated if absent."
    )


class EmailSetting(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"to": ["duty@water.example.gov.cn"]}]})

    to: list[Annotated[str, Field(pattern=EMAIL_PATTERN, max_length=254)]] = Field(min_length=1, max_length=20)


class RobotSetting(BaseModel):
    """A DingTalk or WeCom group robot: its webhook URL (and, for DingTalk's signed mode, its secret)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": "https://oapi.dingtalk.com/robot/send?access_token=…", "secret": "SEC…"}]
        },
    )

    url: AnyHttpUrl
    secret: str | None = Field(default=None, max_length=256)


class SmsSetting(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"phones": ["13800000000"]}]})

    phones: list[Annotated[str, Field(pattern=PHONE_PATTERN)]] = Field(min_length=1, max_length=20)


class WebhookChannel(BaseModel):
    url: str
    secret: str = ""
    updated_at: datetime


class EmailChannel(BaseModel):
    to: list[str]
    updated_at: datetime


class RobotChannel(BaseModel):
    url: str
    secret: str | None = None
    updated_at: datetime


class SmsChannel(BaseModel):
    phones: list[str]
    updated_at: datetime


class PlatformCallbackChannel(BaseModel):
    """A platform's key for signing the status callbacks sent to its tickets' `callback_url`s."""

    secret: str
    updated_at: datetime


class UnitChannels(BaseModel):
    """Every channel a recipient has; several at once."""

    schema_version: int = 1
    unit: str
    webhook: WebhookChannel | None = None
    email: EmailChannel | None = None
    dingtalk: RobotChannel | None = None
    wecom: RobotChannel | None = None
    sms: SmsChannel | None = None
    callback: PlatformCallbackChannel | None = None

    def any(self) -> bool:
        return any((self.webhook, self.email, self.dingtalk, self.wecom, self.sms))

    def public(self) -> PublicChannels:
        """What the API shows: channels and where they point, never a secret."""
        return PublicChannels(
            unit=self.unit,
            webhook=PublicEndpoint.of(self.webhook.url, self.webhook.secret, self.webhook.updated_at)
            if self.webhook
            else None,
            email=self.email,
            dingtalk=PublicEndpoint.of(self.dingtalk.url, self.dingtalk.secret, self.dingtalk.updated_at)
            if self.dingtalk
            else None,
            wecom=PublicEndpoint.of(self.wecom.url, None, self.wecom.updated_at) if self.wecom else None,
            sms=self.sms,
            callback_signing=self.callback is not None,
        )


class PublicEndpoint(BaseModel):
    url: str
    signed: bool
    updated_at: datetime

    @classmethod
    def of(cls, url: str, secret: str | None, updated_at: datetime) -> PublicEndpoint:
        return cls(url=url, signed=bool(secret), updated_at=updated_at)


class PublicChannels(BaseModel):
    unit: str
    webhook: PublicEndpoint | None = None
    email: EmailChannel | None = None
    dingtalk: PublicEndpoint | None = None
    wecom: PublicEndpoint | None = None
    sms: SmsChannel | None = None
    callback_signing: bool = False


class ChannelsWithSecret(PublicChannels):
    """Answer to setting a signed channel: the channels and, when one was generated, its secret — shown this once."""

    secret: str | None = Field(default=None, description="Keep it: it is not shown again.")
