"""The district's township, community and grid boundaries (GeoJSON), read and checked like the catalog's tables.

A city's boundaries are data: a GeoJSON FeatureCollection (RFC 7946: longitude first, WGS-84) whose features are
the district's townships/streets, villages/communities and basic grids, each a Polygon or MultiPolygon with the
properties `level` (`district`, `township`, `community` or `grid`), `code` and `name`. A code is the dotted grid
code of `TicketLocation.grid_code` down to its level: `<district>.<township>.<community>.<grid>`, whose township
part is the township's unit code in the catalog (`sample-district.hekou-town.wangjia.g02`). A file drawn on a
Chinese map app may say so with the foreign member `"coordinate_system": "gcj02"` (or `bd09`): it is converted to
WGS-84 on import. `parse_boundaries` refuses a file with a `BoundaryError` that names the feature and the property.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from services.contracts.coordinate_systems import to_wgs84
from services.contracts.tickets import CODE_PATTERN, GRID_CODE_PATTERN, CoordinateSystem

BOUNDARIES_FILE = "district.geojson"
# A millionth of a degree is 0.1 m: finer than any survey of a grid, and it keeps the stored JSON small.
COORDINATE_DECIMALS = 6
DRAFT = "draft"


class PlaceLevel(StrEnum):
    """The seeds' four levels, and how many parts a code of each has."""

    DISTRICT = "district"
    TOWNSHIP = "township"
    COMMUNITY = "community"
    GRID = "grid"

    @property
    def depth(self) -> int:
        return list(PlaceLevel).index(self) + 1


class BoundaryError(ValueError):
    """Boundaries that cannot be used; the message names the feature (its index and code) and the property."""


class Boundary(BaseModel):
    """One township, community or grid: its code, name and shape (a GeoJSON geometry in WGS-84)."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=GRID_CODE_PATTERN)
    level: PlaceLevel
    name: str = Field(min_length=1, max_length=64)
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon, longitude first, WGS-84.")

    @property
    def township(self) -> str | None:
        """The township's unit code (the code's second part); None for the district itself."""
        parts = self.code.split(".")
        return parts[1] if len(parts) > 1 else None

    def shape(self) -> BaseGeometry:
        return shape(self.geometry)


class DistrictBoundaries(BaseModel):
    """One version of a district's boundaries."""

    model_config = ConfigDict(frozen=True)

    district: str = Field(pattern=CODE_PATTERN, description="The district's code: the first part of every code.")
    version: str = Field(default=DRAFT, description="The stored version number ('2'), or 'draft' before it is stored.")
    digest: str = Field(default="", description="sha256 of the content: the same boundaries give the same digest.")
    boundaries: tuple[Boundary, ...]

    def at_level(self, level: PlaceLevel) -> list[Boundary]:
        return [b for b in self.boundaries if b.level is level]

    def townships(self) -> list[str]:
        """The township unit codes that have a boundary, sorted."""
        return sorted(b.code.split(".")[1] for b in self.at_level(PlaceLevel.TOWNSHIP))

    def counts(self) -> dict[str, int]:
        """How many boundaries of each level."""
        return {level.value: len(self.at_level(level)) for level in PlaceLevel}


def default_boundaries_file() -> Path:
    """The sample district's boundaries shipped with the project."""
    return Path(str(resources.files("services.contracts") / "data" / "places" / BOUNDARIES_FILE))


def load_boundaries(path: Path | None = None) -> DistrictBoundaries:
    """Read and check a boundaries file (GeoJSON), by default the shipped sample district's."""
    path = path or default_boundaries_file()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise BoundaryError(f"{path}: file not found") from exc
    try:
        return parse_boundaries(text)
    except BoundaryError as exc:
        raise BoundaryError(f"{path}: {exc}") from exc


def parse_boundaries(text: str, *, coordinate_system: CoordinateSystem | None = None) -> DistrictBoundaries:
    """The boundaries of a GeoJSON FeatureCollection's text, converted to WGS-84 and checked.

    `coordinate_system` overrides the file's own `coordinate_system` member (default WGS-84, as RFC 7946 says).
    """
    try:
        document = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise BoundaryError(f"not JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryError("expected a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError("'features' must be a non-empty list")
    system = coordinate_system or _coordinate_system(document.get("coordinate_system"))
    boundaries = tuple(_boundary(index, feature, system) for index, feature in enumerate(features))
    district = _check_codes(boundaries)
    return DistrictBoundaries(district=district, digest=boundaries_digest(boundaries), boundaries=boundaries)


def boundaries_digest(boundaries: tuple[Boundary, ...]) -> str:
    """A digest of the content (codes, names, levels, shapes), whatever the order of the features."""
    content = json.dumps(
        sorted((b.model_dump(mode="json") for b in boundaries), key=lambda b: (b["code"], b["level"])),
        ensure_ascii=False,
        sort_keys=True,
    )
    return "sha256-" + hashlib.sha256(content.encode()).hexdigest()[:16]


def to_feature_collection(boundaries: DistrictBoundaries) -> dict[str, Any]:
    """The boundaries as a GeoJSON FeatureCollection (what `parse_boundaries` reads back)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"level": b.level.value, "code": b.code, "name": b.name},
                "geometry": b.geometry,
            }
            for b in boundaries.boundaries
        ],
    }


def _coordinate_system(value: object) -> CoordinateSystem:
    if value is None:
        return CoordinateSystem.WGS84
    try:
        return CoordinateSystem(str(value))
    except ValueError as exc:
        allowed = ", ".join(s.value for s in CoordinateSystem)
        raise BoundaryError(f"coordinate_system {value!r}: must be one of {allowed}") from exc


def _boundary(index: int, feature: object, system: CoordinateSystem) -> Boundary:
    where = f"feature {index}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise BoundaryError(f"{where}: not a GeoJSON Feature")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise BoundaryError(f"{where}: no 'properties' object")
    if isinstance(properties.get("code"), str):
        where = f"feature {index} ({properties['code']})"
    geometry = _geometry(where, feature.get("geometry"), system)
    try:
        return Boundary.model_validate(
            {
                "code": properties.get("code"),
                "level": properties.get("level"),
                "name": properties.get("name"),
                "geometry": geometry,
            }
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise BoundaryError(f"{where} property {field}: {error['msg']}") from exc


def _geometry(where: str, geometry: object, system: CoordinateSystem) -> dict[str, Any]:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(f"{where} geometry: must be a Polygon or MultiPolygon")
    try:
        shaped = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise BoundaryError(f"{where} geometry: unreadable coordinates ({exc})") from exc
    if shaped.is_empty:
        raise BoundaryError(f"{where} geometry: empty")
    west, south, east, north = shaped.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BoundaryError(f"{where} geometry: coordinates out of range (longitude first, in degrees)")
    if not shaped.is_valid:
        raise BoundaryError(f"{where} geometry: not a valid polygon ({shapely.is_valid_reason(shaped)})")
    if system is not CoordinateSystem.WGS84:
        shaped = shapely.transform(shaped, lambda points: _to_wgs84(points, system))
    # Canonical form (each ring from its lowest vertex, exteriors anticlockwise as RFC 7946 asks): the same shape
    # always reads the same, so the digest depends on the content only.
    shaped = shapely.orient_polygons(shapely.normalize(shapely.set_precision(shaped, 10**-COORDINATE_DECIMALS)))
    if shaped.is_empty:
        raise BoundaryError(f"{where} geometry: smaller than the {COORDINATE_DECIMALS}-decimal grid it is kept on")
    return dict(mapping(shaped))


def _to_wgs84(points: Any, system: CoordinateSystem) -> Any:
    # shapely hands (longitude, latitude) rows; the conversions take latitude first.
    converted = points.copy()
    for row, (longitude, latitude) in enumerate(points):
        lat, lon = to_wgs84(float(latitude), float(longitude), system)
        converted[row] = (lon, lat)
    return converted


def _check_codes(boundaries: tuple[Boundary, ...]) -> str:
    """Codes are unique, have as many parts as their level says, share one district and have their parent."""
    seen: set[str] = set()
    districts: set[str] = set()
    for boundary in boundaries:
        parts = boundary.code.split(".")
        if len(parts) != boundary.level.depth:
            raise BoundaryError(
                f"{boundary.code}: a {boundary.level.value} code has {boundary.level.depth} dotted parts, "
                f"not {len(parts)}"
            )
        if boundary.code in seen:
            raise BoundaryError(f"{boundary.code}: duplicate code")
        seen.add(boundary.code)
        districts.add(parts[0])
    if len(districts) != 1:
        raise BoundaryError(f"codes of more than one district: {sorted(districts)}")
    if not any(b.level is PlaceLevel.TOWNSHIP for b in boundaries):
        raise BoundaryError("no township boundaries (level 'township')")
    for boundary in boundaries:
        parent = boundary.code.rsplit(".", 1)[0]
        if boundary.level.depth > PlaceLevel.TOWNSHIP.depth and parent not in seen:
            raise BoundaryError(f"{boundary.code}: its parent {parent} has no boundary")
    return districts.pop()
