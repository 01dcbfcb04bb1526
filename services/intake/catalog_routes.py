"""`/v1/catalog`: the responsibility catalog in force and every earlier version."""

from __future__ import annotations

from fastapi import APIRouter
from nats.js.errors import KeyNotFoundError

from services.contracts.catalog_versions import CatalogVersion, CatalogVersionSummary
from services.contracts.problem_codes import ProblemCode
from services.intake.auth import Caller
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import NotFound

router = APIRouter(prefix="/v1/catalog", tags=["catalog"], responses=ERROR_RESPONSES)


@router.get("")
async def current_catalog(services: Services, caller: Caller) -> CatalogVersion:
    """The catalog version in force: its units and items, where it came from and when."""
    return services.catalogs.current_version()


@router.get("/versions")
async def list_versions(services: Services, caller: Caller) -> list[CatalogVersionSummary]:
    """Every stored version, oldest first (versions are immutable)."""
    return [CatalogVersionSummary.of(await services.catalogs.version(n)) for n in await services.catalogs.versions()]


@router.get("/versions/{number}")
async def catalog_version(number: int, services: Services, caller: Caller) -> CatalogVersion:
    """One stored version, as it was."""
    try:
        return await services.catalogs.version(number)
    except KeyNotFoundError as exc:
        raise NotFound(f"no catalog version {number}", code=ProblemCode.CATALOG_VERSION_NOT_FOUND) from exc
