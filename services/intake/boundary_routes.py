"""`/v1/boundaries`: the district's township, community and grid boundaries (GeoJSON), read by anyone with a key and
imported by the admin as a new version (docs/places.md).

The import is the same as `hotline boundaries import` (services/admin/boundary_commands.py): the file is checked by
`parse_boundaries` (a 422 names the feature and the property of the first thing wrong) and stored by
`BoundaryStore.import_boundaries`, which stores nothing when the version in force has this content. The file comes
inside the JSON body, so it must fit the API's body limit (`max_body_bytes`, 64 KiB by default: the sample district
is 42 KiB); a real city's boundaries are larger: import them with the command, or raise the limit.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.contracts.boundaries import BoundaryError, parse_boundaries, to_feature_collection
from services.contracts.boundary_versions import BoundaryVersion
from services.contracts.credentials import ClientKind
from services.contracts.problem_codes import ProblemCode
from services.contracts.tickets import CoordinateSystem
from services.intake.auth import Caller, require_kind
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import UnprocessableInput

router = APIRouter(prefix="/v1/boundaries", tags=["places"], responses=ERROR_RESPONSES)


class BoundaryFile(BaseModel):
    """Body of `POST /v1/boundaries/versions`: a GeoJSON FeatureCollection of the district's boundaries."""

    model_config = ConfigDict(extra="forbid")

    geojson: dict[str, Any] = Field(
        description="FeatureCollection; each feature a Polygon or MultiPolygon with `level`, `code` and `name`."
    )
    coordinate_system: CoordinateSystem | None = Field(
        default=None,
        description="The datum the file was drawn in; default its own `coordinate_system` member, else WGS-84.",
    )
    note: str = Field(default="", max_length=500, description="Why (kept with the version).")


class BoundaryImport(BaseModel):
    """What an import did: `published` a new version (201), or found the file already in force (200)."""

    published: bool
    version: BoundaryVersion = Field(description="The version in force after the import.")


@router.get("")
async def current_boundaries(services: Services, caller: Caller) -> dict[str, Any]:
    """The boundaries in force, as GeoJSON (WGS-84), with `version` and `district` as foreign members."""
    boundaries = services.boundaries.current()
    return {**to_feature_collection(boundaries), "version": boundaries.version, "district": boundaries.district}


@router.get("/versions")
async def list_versions(services: Services, caller: Caller) -> list[BoundaryVersion]:
    """Every stored version's record, oldest first."""
    return [await services.boundaries.version(number) for number in await services.boundaries.versions()]


@router.post(
    "/versions",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": BoundaryImport, "description": "Unchanged: the version in force has this content."}},
)
async def import_boundaries(
    file: BoundaryFile, services: Services, caller: Caller, response: Response
) -> BoundaryImport:
    """Check the file and store it as the next version, which the router follows at once."""
    require_kind(caller, ClientKind.ADMIN, action="import boundaries")
    try:
        boundaries = parse_boundaries(json.dumps(file.geojson), coordinate_system=file.coordinate_system)
    except BoundaryError as error:
        raise UnprocessableInput(f"geojson: {error}", code=ProblemCode.BOUNDARIES_INVALID) from error
    note = file.note or f"imported through the API by {caller.client_id}"
    stored = await services.boundaries.import_boundaries(boundaries, note=note)
    if stored is None:
        response.status_code = status.HTTP_200_OK
        current = await services.boundaries.version(int(services.boundaries.current().version))
        return BoundaryImport(published=False, version=current)
    return BoundaryImport(published=True, version=stored)
