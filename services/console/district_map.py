"""The leaders' map of the district (乡镇热点分布图): the townships' own boundary shapes, from `GET /v1/boundaries`,
coloured by the cases in their classes of cases. Pure functions; the page (pages/leader_pages.py) fetches.

No internet map tiles: the shapes are the district's boundaries in force, registered with ECharts as a map.
"""

from __future__ import annotations

from typing import Any

TOWNSHIP_LEVEL = "township"


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
            }
        )
    return areas
