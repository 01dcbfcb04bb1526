"""`hotline boundaries …` against the running system's NATS: a city's file drawn on a Chinese map (GCJ-02) is
imported converted to WGS-84 and served at once; versions are listed; a broken file is refused naming the feature.
The shipped boundaries are put back afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.contracts.boundaries import default_boundaries_file, load_boundaries, to_feature_collection
from services.contracts.coordinate_systems import distance_m, from_wgs84
from services.contracts.tickets import CoordinateSystem
from tests.support.polling import assert_eventually
from tests.support.services import REPO_ROOT
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

TOWNSHIP = "sample-district.hekou-town"
# Rounding to the 0.1 m grid the boundaries are kept on, on the way there and back.
ROUND_TRIP_M = 0.3


async def hotline(system: RunningSystem, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTLINE_")}
    env["HOTLINE_NATS_URL"] = system.nats.url
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.admin", "boundaries", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def in_gcj02(document: dict[str, Any]) -> dict[str, Any]:
    """The file as drawn on Amap: every vertex shifted to GCJ-02."""

    def shifted(coordinates: Any) -> Any:
        if isinstance(coordinates[0], float | int):
            latitude, longitude = from_wgs84(coordinates[1], coordinates[0], CoordinateSystem.GCJ02)
            return [round(longitude, 7), round(latitude, 7)]
        return [shifted(part) for part in coordinates]

    for feature in document["features"]:
        feature["geometry"]["coordinates"] = shifted(feature["geometry"]["coordinates"])
    return document


def vertices(document: dict[str, Any], code: str) -> list[tuple[float, float]]:
    """The (latitude, longitude) vertices of the outer ring of the boundary `code`."""
    feature = next(f for f in document["features"] if f["properties"]["code"] == code)
    return [(latitude, longitude) for longitude, latitude in feature["geometry"]["coordinates"][0]]


async def test_a_gcj02_file_is_imported_in_wgs84_and_listed(
    system: RunningSystem, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    shipped = to_feature_collection(load_boundaries())
    same = tmp_path / "district-gcj02.geojson"
    same.write_text(json.dumps(in_gcj02(to_feature_collection(load_boundaries()))), encoding="utf-8")
    renamed = in_gcj02(to_feature_collection(load_boundaries()))
    next(f for f in renamed["features"] if f["properties"]["code"] == TOWNSHIP)["properties"]["name"] = "河口镇（新）"
    drawn = tmp_path / "district-renamed-gcj02.geojson"
    drawn.write_text(json.dumps(renamed), encoding="utf-8")
    try:
        unchanged = await hotline(system, "import", str(same), "--coordinate-system", "gcj02")
        assert unchanged.returncode == 0, unchanged.stderr
        assert unchanged.stdout.startswith("unchanged:"), "converted back, every vertex is where the shipped one is"

        imported = await hotline(system, "import", str(drawn), "--coordinate-system", "gcj02", "--note", "高德底图勾绘")
        assert imported.returncode == 0, imported.stderr
        assert "is current: 1 district, 6 township, 33 community, 105 grid" in imported.stdout
        version = imported.stdout.split()[2]

        async def served() -> dict[str, Any]:
            document: dict[str, Any] = (await api.get("/v1/boundaries")).json()
            assert document["version"] == version
            return document

        document = await assert_eventually(served, what=f"intake on boundaries version {version}")
        back, before = vertices(document, TOWNSHIP), vertices(shipped, TOWNSHIP)
        assert len(back) == len(before)
        assert max(distance_m(a, b) for a, b in zip(back, before, strict=True)) < ROUND_TRIP_M
        listed = await hotline(system, "versions")
        assert listed.returncode == 0, listed.stderr
        assert any(line.startswith(f"* {version:>4}") and "高德底图勾绘" in line for line in listed.stdout.splitlines())
    finally:
        restored = await hotline(system, "import", str(default_boundaries_file()), "--note", "restored after test")
        assert restored.returncode == 0, restored.stderr


async def test_a_broken_file_is_refused_naming_the_feature(system: RunningSystem, tmp_path: Path) -> None:
    document = to_feature_collection(load_boundaries())
    document["features"][3]["properties"]["level"] = "village"
    broken = tmp_path / "broken.geojson"
    broken.write_text(json.dumps(document), encoding="utf-8")

    refused = await hotline(system, "import", str(broken))

    assert refused.returncode == 2
    code = document["features"][3]["properties"]["code"]
    assert f"broken.geojson: feature 3 ({code}) property level" in refused.stderr
