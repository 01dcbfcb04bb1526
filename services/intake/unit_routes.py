"""`/v1/units`: the catalog's units and their delivery channels."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from services.contracts.catalog import Unit
from services.contracts.unit_channels import UnitChannels, WebhookSetting
from services.intake.catalog_checks import ACTORS_OUTSIDE_CATALOG
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import NotFound, UnprocessableInput

router = APIRouter(prefix="/v1/units", tags=["units"])


class UnitList(BaseModel):
    catalog_version: str
    units: list[Unit]


@router.get("")
async def list_units(services: Services) -> UnitList:
    """Every unit of the current catalog."""
    catalog = services.catalog
    return UnitList(catalog_version=catalog.version, units=list(catalog.units.values()))


@router.get("/{code}/channels", responses=ERROR_RESPONSES)
async def get_channels(code: str, services: Services) -> UnitChannels:
    """The unit's delivery channels."""
    _require_unit(code, services)
    return await services.unit_channels.get(code)


@router.put("/{code}/webhook", responses=ERROR_RESPONSES)
async def put_webhook(code: str, setting: WebhookSetting, services: Services) -> UnitChannels:
    """Set where the unit receives its notification events; takes effect without a restart."""
    _require_unit(code, services)
    if setting.url.scheme != "https" and not services.settings.allow_plain_http_webhooks:
        raise UnprocessableInput("url: must use https outside development")
    return await services.unit_channels.set_webhook(code, str(setting.url))


@router.delete("/{code}/webhook", responses=ERROR_RESPONSES)
async def delete_webhook(code: str, services: Services) -> UnitChannels:
    """Remove the unit's webhook; its events wait in the stream until a channel is set again."""
    _require_unit(code, services)
    return await services.unit_channels.set_webhook(code, None)


def _require_unit(code: str, services: Services) -> None:
    # Leaders are not catalog units but receive escalations, so they have channels too.
    if services.catalog.unit(code) is None and code not in ACTORS_OUTSIDE_CATALOG:
        raise NotFound(f"no unit {code!r} in catalog {services.catalog.version}")
