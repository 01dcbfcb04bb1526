"""`POST /v1/catalog/versions`: the admin imports a city's `units.csv` and `items.csv` as the next catalog version.

The same import as `hotline catalog import` (services/admin/catalog_commands.py): the tables are checked by
`parse_catalog` (a 422 names the file, row and column of the first thing wrong) and stored by
`CatalogStore.import_catalog`, which stores nothing when the version in force already has this content. The tables
come as JSON text, so they fit in the API's body limit (`max_body_bytes`, 64 KiB by default); a larger city
imports with the command, or raises the limit.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.contracts.catalog import CatalogError, parse_catalog
from services.contracts.catalog_versions import CatalogVersionSummary
from services.contracts.credentials import ClientKind
from services.contracts.problem_codes import ProblemCode
from services.intake.auth import Caller, require_kind
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import UnprocessableInput

router = APIRouter(prefix="/v1/catalog", tags=["catalog"], responses=ERROR_RESPONSES)

MAX_TABLE_CHARS = 4 * 1024 * 1024  # far above any body the API takes: the body limit refuses first


class CatalogTables(BaseModel):
    """Body of `POST /v1/catalog/versions`: the two tables as their CSV text (UTF-8; a byte order mark is ignored)."""

    model_config = ConfigDict(extra="forbid")

    units_csv: str = Field(min_length=1, max_length=MAX_TABLE_CHARS, description="units.csv, header row first.")
    items_csv: str = Field(min_length=1, max_length=MAX_TABLE_CHARS, description="items.csv, header row first.")
    note: str = Field(default="", max_length=500, description="Why (kept with the version).")


class CatalogImport(BaseModel):
    """What an import did: `published` a new version (201), or found the tables already in force (200)."""

    published: bool
    version: CatalogVersionSummary = Field(description="The version in force after the import.")


@router.post(
    "/versions",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": CatalogImport, "description": "Unchanged: the version in force has these tables."}},
)
async def import_catalog(
    tables: CatalogTables, services: Services, caller: Caller, response: Response
) -> CatalogImport:
    """Check the tables and store them as the next catalog version, which takes effect at once everywhere."""
    require_kind(caller, ClientKind.ADMIN, action="import a catalog")
    try:
        catalog = parse_catalog(tables.units_csv, tables.items_csv)
    except CatalogError as error:
        raise UnprocessableInput(str(error), code=ProblemCode.CATALOG_TABLES_INVALID) from error
    note = tables.note or f"imported through the API by {caller.client_id}"
    stored = await services.catalogs.import_catalog(catalog, note=note)
    if stored is None:
        response.status_code = status.HTTP_200_OK
        return CatalogImport(published=False, version=CatalogVersionSummary.of(services.catalogs.current_version()))
    return CatalogImport(published=True, version=CatalogVersionSummary.of(stored))
