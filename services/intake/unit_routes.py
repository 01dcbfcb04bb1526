"""`/v1/units/{code}/…`: the catalog's units and their delivery channels (several at once).

Channels are kept in NATS KV, so a change takes effect without a restart. Secrets (webhook HMAC keys,
DingTalk robot secrets) are never shown after they are set; a generated webhook secret is shown once.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from services.contracts.catalog import Unit
from services.contracts.problem_codes import ProblemCode
from services.contracts.unit_channels import (
    ChannelsWithSecret,
    EmailSetting,
    PublicChannels,
    RobotSetting,
    SmsSetting,
    WebhookSetting,
    new_secret,
)
from services.intake.auth import Caller
from services.intake.authorization import require_own_channels
from services.intake.catalog_checks import ACTORS_OUTSIDE_CATALOG
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import NotFound
from services.intake.outbound_url_checks import require_outbound_url

router = APIRouter(prefix="/v1/units", tags=["units"], responses=ERROR_RESPONSES)
CHANNEL_NAMES = ("webhook", "email", "dingtalk", "wecom", "sms")


class UnitList(BaseModel):
    catalog_version: str
    units: list[Unit]


@router.get("")
async def list_units(services: Services, caller: Caller) -> UnitList:
    """Every unit of the current catalog."""
    catalog = services.catalog
    return UnitList(catalog_version=catalog.version, units=list(catalog.units.values()))


@router.get("/{code}/channels")
async def get_channels(code: str, services: Services, caller: Caller) -> PublicChannels:
    """The unit's delivery channels (without secrets)."""
    _require_unit(code, services)
    require_own_channels(caller, code)
    return (await services.unit_channels.get(code)).public()


@router.put("/{code}/webhook")
async def put_webhook(code: str, setting: WebhookSetting, services: Services, caller: Caller) -> ChannelsWithSecret:
    """Where the unit receives events as signed JSON POSTs; without a `secret` one is generated and shown once."""
    _require_unit(code, services)
    require_own_channels(caller, code)
    require_outbound_url(setting.url, services.settings, "url")
    secret = setting.secret or new_secret()
    channels = await services.unit_channels.set_channel(code, "webhook", {"url": str(setting.url), "secret": secret})
    shown = secret if setting.secret is None else None
    return ChannelsWithSecret(**channels.public().model_dump(), secret=shown)


@router.put("/{code}/email")
async def put_email(code: str, setting: EmailSetting, services: Services, caller: Caller) -> PublicChannels:
    """Addresses that receive the unit's events by email (HTML and text, from the templates)."""
    _require_unit(code, services)
    require_own_channels(caller, code)
    return (await services.unit_channels.set_channel(code, "email", setting.model_dump())).public()


@router.put("/{code}/dingtalk")
async def put_dingtalk(code: str, setting: RobotSetting, services: Services, caller: Caller) -> PublicChannels:
    """A DingTalk group robot (markdown messages; signed mode when a `secret` is given)."""
    _require_unit(code, services)
    require_own_channels(caller, code)
    require_outbound_url(setting.url, services.settings, "url")
    value = {"url": str(setting.url), "secret": setting.secret}
    return (await services.unit_channels.set_channel(code, "dingtalk", value)).public()


@router.put("/{code}/wecom")
async def put_wecom(code: str, setting: RobotSetting, services: Services, caller: Caller) -> PublicChannels:
    """A WeCom (企业微信) group robot (markdown messages)."""
    _require_unit(code, services)
    require_own_channels(caller, code)
    require_outbound_url(setting.url, services.settings, "url")
    return (await services.unit_channels.set_channel(code, "wecom", {"url": str(setting.url)})).public()


@router.put("/{code}/sms")
async def put_sms(code: str, setting: SmsSetting, services: Services, caller: Caller) -> PublicChannels:
    """Phones that receive a short text through the SMS gateway."""
    _require_unit(code, services)
    require_own_channels(caller, code)
    return (await services.unit_channels.set_channel(code, "sms", setting.model_dump())).public()


@router.delete("/{code}/{channel}")
async def delete_channel(code: str, channel: str, services: Services, caller: Caller) -> PublicChannels:
    """Remove one channel; with none left, the unit's events are kept and sent once a channel is set again."""
    _require_unit(code, services)
    require_own_channels(caller, code)
    if channel not in CHANNEL_NAMES:
        raise NotFound(
            f"no channel {channel!r}; channels are {', '.join(CHANNEL_NAMES)}", code=ProblemCode.CHANNEL_NOT_FOUND
        )
    return (await services.unit_channels.set_channel(code, channel, None)).public()


def _require_unit(code: str, services: Services) -> None:
    # Leaders are not catalog units but receive escalations, so they have channels too.
    if services.catalog.unit(code) is None and code not in ACTORS_OUTSIDE_CATALOG:
        raise NotFound(f"no unit {code!r} in catalog {services.catalog.version}", code=ProblemCode.UNIT_NOT_FOUND)
