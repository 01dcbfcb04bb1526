"""The leaders' map of the district (乡镇热点分布图): the townships' own boundary shapes, from `GET /v1/boundaries`,
coloured by the cases in their classes of cases, and over them the grids those cases lie in (`hotspots?by=grid`),
each with its count. A township or a grid on the map opens its cases in the search. Pure functions; the page
(pages/leader_pages.py) fetches.

No internet map tiles: the shapes are the district's boundaries in force, registered with ECharts as maps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from services.console.case_tally import CaseTally

TOWNSHIP_LEVEL = "township"
GRID_LEVEL = "grid"


def township_of(code: str) -> str | None:
    """The township's unit code of a boundary's place code (`district.township[...]`); None for the district."""
    parts = code.split(".")
    return parts[1] if len(parts) > 1 else None


def township_shapes(collection: dict[str, Any]) -> dict[str, Any]:
    """The townships' features of a boundaries FeatureCollection, each with its unit code as `township`.

    Communities and grids are left out: the map colours townships, and the page stays small (the sample
    district's townships are 2.5 KB of its 42)."""
    features = []
    for feature in collection.get("features", []):
        properties = feature.get("properties") or {}
        township = township_of(str(properties.get("code", "")))
        if properties.get("level") != TOWNSHIP_LEVEL or township is None:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": properties.get("name") or township, "township": township},
                "geometry": feature["geometry"],
            }
        )
    return {"type": "FeatureCollection", "features": features}


def township_areas(shapes: dict[str, Any], hotspots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per township on the map (named as its shape is): the cases and classes of its hotspots, 0 for a
    township without any. Hotspots of a township without a shape (or of none) are in the table only."""
    found = {row["code"]: row for row in hotspots}
    areas = []
    for feature in shapes["features"]:
        township = feature["properties"]["township"]
        row = found.get(township, {})
        areas.append(
            {
                "name": feature["properties"]["name"],
                "code": township,
                "value": int(row.get("cases", 0)),
                "classes": int(row.get("classes", 0)),
                "href": township_link(township),
            }
        )
    return areas


def township_link(township: str) -> str:
    """The case search for a township's cases (its township filter)."""
    return "/search?" + urlencode({"township": township})


def place_link(place: str) -> str:
    """The case search for the cases of a place and of every place under it."""
    return "/search?" + urlencode({"place": place})


def grid_hotspots(parts: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Classes of cases per place, from `hotspots?by=grid` (one part per class and place), most cases first: the
    place's name (`names`: code to name, from the boundaries), its township, how many classes and cases, the search
    link; a case in two classes of the grid counts once (`CaseTally`). The parts with no place (tickets without a
    location) are left out."""
    found: dict[str, dict[str, Any]] = {}
    tallies: dict[str, CaseTally] = {}
    for part in parts:
        place = part.get("place")
        if not place:
            continue
        entry = found.setdefault(
            place,
            {
                "code": place,
                "name": names.get(place, place),
                "township": township_of(place),
                "classes": 0,
                "cases": 0,
                "href": place_link(place),
            },
        )
        entry["classes"] += 1
        tally = tallies.setdefault(place, CaseTally())
        tally.add(part)
        entry["cases"] = tally.cases
    return sorted(found.values(), key=lambda entry: (-entry["cases"], entry["code"]))


def place_names(collection: dict[str, Any]) -> dict[str, str]:
    """Every boundary's code and its name."""
    return {
        str(properties["code"]): str(properties.get("name") or properties["code"])
        for properties in (feature.get("properties") or {} for feature in collection.get("features", []))
        if properties.get("code")
    }


def grid_shapes(collection: dict[str, Any], places: Iterable[str]) -> dict[str, Any]:
    """The shapes of those of `places` that are grids of the boundaries, named by their code (names may repeat
    across villages; the code is the search's filter), their own name as `label`. Only these: a city has thousands
    of grids (the sample's 105 are 37 KB of its 42), and the map draws the grids with cases in classes."""
    wanted = set(places)
    features = []
    for feature in collection.get("features", []):
        properties = feature.get("properties") or {}
        code = str(properties.get("code", ""))
        if properties.get("level") != GRID_LEVEL or code not in wanted:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": code, "label": properties.get("name") or code},
                "geometry": feature["geometry"],
            }
        )
    return {"type": "FeatureCollection", "features": sorted(features, key=lambda f: f["properties"]["name"])}


def grid_areas(shapes: dict[str, Any], grids: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per grid shape (named by its code, as the shape is): its cases and classes, its search link."""
    found = {row["code"]: row for row in grids}
    return [
        {
            "name": code,
            "label": feature["properties"]["label"],
            "value": int(found[code]["cases"]),
            "classes": int(found[code]["classes"]),
            "href": place_link(code),
        }
        for feature in shapes["features"]
        if (code := feature["properties"]["name"]) in found
    ]


def bounding_coords(shapes: dict[str, Any]) -> list[list[float]] | None:
    """The box around the shapes as ECharts' `boundingCoords` ([west, north], [east, south]): the townships' and
    the grids' maps are laid out in the same box, so that the grids fall on their townships."""
    points = [point for feature in shapes["features"] for point in _points(feature["geometry"])]
    if not points:
        return None
    longitudes, latitudes = [p[0] for p in points], [p[1] for p in points]
    return [[min(longitudes), max(latitudes)], [max(longitudes), min(latitudes)]]


def _points(geometry: dict[str, Any]) -> Iterator[list[float]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        for ring in polygon:
            yield from ring
