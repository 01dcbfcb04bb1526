"""Which township, community and basic grid a point lies in, or a grid code names, by the district's boundaries.

Point-in-polygon over an STRtree per level: the tree narrows a point to the few boundaries whose boxes hold it, and
only those are tested exactly. A point on a shared border lies in both: the smaller code wins, so the answer is
the same every time. Points are WGS-84 (convert first: `services.contracts.coordinate_systems.to_wgs84`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import shapely
from shapely import STRtree

from services.contracts.boundaries import Boundary, DistrictBoundaries, PlaceLevel
from services.contracts.catalog import ResponsibilityCatalog, UnitKind


@dataclass(frozen=True)
class PlaceFound:
    """Where a point lies (or what a grid code names): the township's unit code and the finest boundary's code."""

    township: str
    code: str
    level: PlaceLevel
    boundaries_version: str

    @property
    def grid_code(self) -> str | None:
        """The basic grid's code, when the place is as fine as a grid."""
        return self.code if self.level is PlaceLevel.GRID else None


class _LevelIndex:
    def __init__(self, boundaries: list[Boundary]) -> None:
        self.boundaries = boundaries
        self.tree = STRtree([b.shape() for b in boundaries])

    def containing(self, point: shapely.Point) -> Boundary | None:
        hits = self.tree.query(point, predicate="intersects")
        return min((self.boundaries[i] for i in hits), key=lambda b: b.code, default=None)


class PlaceIndex:
    """The district's boundaries, indexed for finding places by point and by code."""

    def __init__(self, boundaries: DistrictBoundaries | None = None) -> None:
        self.boundaries = boundaries
        by_level = {level: boundaries.at_level(level) if boundaries else [] for level in PlaceLevel}
        # Finest first: a grid says its community and township too.
        self._levels = [
            (level, _LevelIndex(by_level[level]))
            for level in (PlaceLevel.GRID, PlaceLevel.COMMUNITY, PlaceLevel.TOWNSHIP)
            if by_level[level]
        ]
        self._codes = {b.code: b for b in boundaries.boundaries} if boundaries else {}

    @property
    def district(self) -> str | None:
        """The district's code (the first part of its grid codes); None without boundaries."""
        return self.boundaries.district if self.boundaries else None

    @property
    def version(self) -> str:
        return self.boundaries.version if self.boundaries else ""

    def locate(self, latitude: float, longitude: float) -> PlaceFound | None:
        """The finest boundary holding the WGS-84 point, with its township; None outside every township."""
        point = shapely.Point(longitude, latitude)
        for level, index in self._levels:
            found = index.containing(point)
            if found is not None and found.township is not None:
                return PlaceFound(found.township, found.code, level, self.version)
        return None

    def named(self, grid_code: str) -> PlaceFound | None:
        """The place a grid code names: the finest known boundary it is or lies in; None when none is known (or the
        code is of another district)."""
        parts = grid_code.split(".")
        for depth in range(len(parts), PlaceLevel.TOWNSHIP.depth - 1, -1):
            boundary = self._codes.get(".".join(parts[:depth]))
            if boundary is not None and boundary.township is not None:
                return PlaceFound(boundary.township, boundary.code, boundary.level, self.version)
        return None

    def unknown_townships(self, catalog: ResponsibilityCatalog) -> list[str]:
        """Township codes with a boundary that are not townships of the catalog (points there are not routed by
        place)."""
        townships = self.boundaries.townships() if self.boundaries else []
        return [
            code for code in townships if (unit := catalog.unit(code)) is None or unit.kind is not UnitKind.TOWNSHIP
        ]


class CurrentPlaces:
    """The place index of the boundaries in force: built in a thread as a new version arrives (`prepare`, the store's
    hook), or else the first time it is asked for after one."""

    def __init__(self, boundaries: Callable[[], DistrictBoundaries]) -> None:
        self._boundaries = boundaries
        self._index: PlaceIndex | None = None

    async def prepare(self, boundaries: DistrictBoundaries) -> None:
        """Build the index of a version about to come into force (a city's thousands of grids: a fraction of a
        second, kept off the ticket path)."""
        self._index = await asyncio.to_thread(PlaceIndex, boundaries)

    def __call__(self) -> PlaceIndex:
        boundaries = self._boundaries()
        if self._index is None or self._index.boundaries is not boundaries:
            self._index = PlaceIndex(boundaries)
        return self._index
