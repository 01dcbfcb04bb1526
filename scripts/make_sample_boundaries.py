"""Draw the sample district's boundaries (services/contracts/data/places/district.geojson): made up, not surveyed.

The district is an irregular outline in hilly country (about 29 km by 29 km); its six townships/streets are the
Voronoi cells of a seed each (the two urban streets small, around the old town), clipped to the outline; each
township's villages/communities (named as in the router's gazetteer) are Voronoi cells of seeds scattered in it,
and each community's basic grids cells of seeds in it again. Deterministic: the same run draws the same file.

    python scripts/make_sample_boundaries.py [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from services.contracts.boundaries import (
    COORDINATE_DECIMALS,
    default_boundaries_file,
    parse_boundaries,
    to_feature_collection,
)

DISTRICT = "sample-district"
DISTRICT_NAME = "示例区"
# (longitude, latitude), clockwise from the north-west: a river valley opening to the north, hills to the south.
OUTLINE = [
    (117.405, 36.300),
    (117.440, 36.338),
    (117.500, 36.352),
    (117.565, 36.344),
    (117.620, 36.356),
    (117.690, 36.335),
    (117.712, 36.282),
    (117.700, 36.215),
    (117.716, 36.150),
    (117.680, 36.095),
    (117.610, 36.082),
    (117.540, 36.098),
    (117.470, 36.085),
    (117.420, 36.120),
    (117.398, 36.190),
    (117.412, 36.245),
]
# Township unit code → (name, seed (lon, lat), communities as (code, name)).
TOWNSHIPS: dict[str, tuple[str, tuple[float, float], list[tuple[str, str]]]] = {
    "chengguan-street": (
        "城关街道",
        (117.548, 36.222),
        [
            ("nanguan", "南关社区"),
            ("beiguan", "北关社区"),
            ("ximen", "西门社区"),
            ("gulou", "鼓楼社区"),
            ("wenhualu", "文化路社区"),
        ],
    ),
    "donghu-street": (
        "东湖街道",
        (117.590, 36.228),
        [("donghu", "东湖社区"), ("hubin", "湖滨社区"), ("cuihu", "翠湖社区"), ("binhu-xincun", "滨湖新村")],
    ),
    "hekou-town": (
        "河口镇",
        (117.490, 36.300),
        [
            ("hekou", "河口社区"),
            ("wangjia", "王家村"),
            ("lijiawan", "李家湾村"),
            ("liushu", "柳树村"),
            ("dukou", "渡口村"),
            ("shahe", "沙河村"),
        ],
    ),
    "qingshan-town": (
        "青山镇",
        (117.470, 36.150),
        [
            ("qingshan", "青山村"),
            ("shimen", "石门村"),
            ("songlin", "松林村"),
            ("chayuan", "茶园村"),
            ("shangping", "上坪村"),
            ("xiaping", "下坪村"),
        ],
    ),
    "shiqiao-town": (
        "石桥镇",
        (117.650, 36.300),
        [
            ("shiqiao", "石桥社区"),
            ("zhangzhuang", "张庄村"),
            ("mazhuang", "马庄村"),
            ("xiaohe", "小河村"),
            ("xinhua", "新华村"),
        ],
    ),
    "taoyuan-township": (
        "桃源乡",
        (117.640, 36.140),
        [
            ("taoyuan", "桃源村"),
            ("xinghua", "杏花村"),
            ("liyuan", "梨园村"),
            ("dashan", "大山村"),
            ("shuanghe", "双河村"),
            ("lijia", "李家村"),
            ("xinhua", "新华村"),
        ],
    ),
}
# Extra seeds around the old town that belong to no township: they keep the two streets small (a few km²).
OUTER_SEEDS = [(117.520, 36.250), (117.560, 36.185), (117.610, 36.190), (117.620, 36.262), (117.500, 36.215)]
GRIDS_PER_COMMUNITY = (2, 4)


def cells(seeds: list[tuple[float, float]], within: BaseGeometry) -> list[BaseGeometry]:
    """The Voronoi cell of each seed, in the seeds' order, clipped to `within`."""
    regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=within.envelope.buffer(1.0))
    by_seed: list[BaseGeometry] = []
    for seed in seeds:
        region = next(r for r in regions.geoms if r.covers(Point(seed)))
        by_seed.append(region.intersection(within))
    return by_seed


def scatter(rng: random.Random, area: BaseGeometry, count: int) -> list[tuple[float, float]]:
    """`count` points inside `area`, spread out (each next one the farthest of a few tries from those before)."""
    west, south, east, north = area.bounds
    points: list[tuple[float, float]] = []
    while len(points) < count:
        tries = []
        while len(tries) < 8:
            point = (rng.uniform(west, east), rng.uniform(south, north))
            if area.contains(Point(point)):
                tries.append(point)
        points.append(max(tries, key=lambda p: min((Point(p).distance(Point(q)) for q in points), default=0.0)))
    return points


def feature(level: str, code: str, name: str, geometry: BaseGeometry) -> dict[str, object]:
    rounded = shapely.set_precision(geometry, 10**-COORDINATE_DECIMALS)
    return {"type": "Feature", "properties": {"level": level, "code": code, "name": name}, "geometry": mapping(rounded)}


def draw() -> dict[str, object]:
    rng = random.Random(28)
    district = Polygon(OUTLINE)
    features = [feature("district", DISTRICT, DISTRICT_NAME, district)]
    township_seeds = [seed for _name, seed, _communities in TOWNSHIPS.values()]
    township_cells = cells(township_seeds + OUTER_SEEDS, district)
    # The outer seeds' cells go to the nearest township seed's township (a township may be any shape).
    shapes: dict[str, BaseGeometry] = {code: township_cells[i] for i, code in enumerate(TOWNSHIPS)}
    codes = list(TOWNSHIPS)
    for seed, cell in zip(OUTER_SEEDS, township_cells[len(codes) :], strict=True):
        nearest = min(codes[2:], key=lambda code: Point(seed).distance(Point(TOWNSHIPS[code][1])))
        shapes[nearest] = shapes[nearest].union(cell)
    for code, (name, _seed, communities) in TOWNSHIPS.items():
        township = shapely.normalize(shapes[code])
        features.append(feature("township", f"{DISTRICT}.{code}", name, township))
        community_cells = cells(scatter(rng, township, len(communities)), township)
        for (community, community_name), community_cell in zip(communities, community_cells, strict=True):
            community_code = f"{DISTRICT}.{code}.{community}"
            features.append(feature("community", community_code, community_name, community_cell))
            grids = rng.randint(*GRIDS_PER_COMMUNITY)
            for number, grid_cell in enumerate(cells(scatter(rng, community_cell, grids), community_cell), start=1):
                features.append(
                    feature("grid", f"{community_code}.g{number:02d}", f"{community_name}第{number}网格", grid_cell)
                )
    return {
        "type": "FeatureCollection",
        "name": f"{DISTRICT_NAME}（示例，非测绘数据）",
        "features": features,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=default_boundaries_file())
    args = parser.parse_args()
    drawn = draw()
    parsed = parse_boundaries(json.dumps(drawn))  # the file must pass its own import
    # Written as the import keeps it (canonical rings), so the file's digest is the stored version's.
    canonical = {
        "type": "FeatureCollection",
        "name": drawn["name"],
        "features": to_feature_collection(parsed)["features"],
    }
    text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"{args.output}: {parsed.counts()} ({len(text) // 1024} KiB, {parsed.digest})")


if __name__ == "__main__":
    main()
