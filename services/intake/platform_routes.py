"""`/v1/platforms/{channel}/callback-secret`: the key a platform verifies its status callbacks with."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.contracts.credentials import ClientKind
from services.contracts.events import platform_recipient
from services.contracts.tickets import Channel
from services.contracts.unit_channels import new_secret
from services.intake.auth import Caller, refuse
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES

router = APIRouter(prefix="/v1/platforms", tags=["platforms"], responses=ERROR_RESPONSES)


class CallbackSecretSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: str | None = Field(default=None, min_length=16, max_length=256, description="Generated if absent.")


class CallbackSecret(BaseModel):
    platform: str
    secret: str | None = Field(description="Shown once, when generated here; keep it.")


@router.put("/{channel}/callback-secret")
async def set_callback_secret(
    channel: Channel, setting: CallbackSecretSetting, services: Services, caller: Caller
) -> CallbackSecret:
    """Set (or rotate) the HMAC key of the channel's status callbacks; they are signed like unit webhooks."""
    if not (
        caller.kind is ClientKind.ADMIN or (caller.kind is ClientKind.PLATFORM and caller.subject == channel.value)
    ):
        raise refuse(403, "not_own", f"only the admin or platform {channel.value} may set its callback key")
    secret = setting.secret or new_secret()
    await services.unit_channels.set_channel(platform_recipient(channel.value), "callback", {"secret": secret})
    return CallbackSecret(platform=channel.value, secret=secret if setting.secret is None else None)
