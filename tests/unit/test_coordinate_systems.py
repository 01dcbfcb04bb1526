"""GCJ-02 and BD-09 to WGS-84 and back: published reference points, and round trips across China."""

from __future__ import annotations

import pytest

from services.contracts.case_event_log import PersonalData
from services.contracts.case_ticket import CaseLocation
from services.contracts.coordinate_systems import (
    bd09_to_gcj02,
    distance_m,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    outside_china,
    to_wgs84,
    wgs84_to_gcj02,
)
from services.contracts.tickets import CoordinateSystem, TicketLocation

from .builders import make_ticket

# (place, WGS-84, GCJ-02): the reference points of googollee/eviltransform's test suite (its ports in several
# languages share them), computed with the same published formula.
WGS_GCJ = [
    ("Shanghai", (31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ("Shenzhen", (22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ("Beijing", (39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]
# (BD-09, GCJ-02) and (GCJ-02, BD-09) from wandergis/coordtransform's example (Tiananmen, 116.404 E 39.915 N).
BD_TO_GCJ = [("Tiananmen", (39.915, 116.404), (39.90865673957631, 116.39762729119315))]
GCJ_TO_BD = [("Tiananmen", (39.915, 116.404), (39.92133699351021, 116.41036949371029))]
# Not eviltransform's BD-09 points: that suite's BD-09 formula turns by `sin(y·π)` where Baidu's (and wandergis's,
# checked above) turns by `sin(y·π·3000/180)`, which puts its points 10–40 m off Baidu's maps.
# Agreement with the references: they differ from us only in the earth radius some ports use (centimetres), and
# wandergis's BD-09 → GCJ-02 is a one-step approximation (centimetres to a metre).
REFERENCE_TOLERANCE_M = 0.5
APPROXIMATE_REFERENCE_TOLERANCE_M = 3.0
# Round trips over China, from the far west to the north-east, and the sample district.
ROUND_TRIP_POINTS = [
    (39.9087, 116.3975),  # Beijing
    (31.2304, 121.4737),  # Shanghai
    (22.5431, 114.0579),  # Shenzhen
    (43.8256, 87.6168),  # Urumqi
    (45.8038, 126.5350),  # Harbin
    (18.2528, 109.5119),  # Sanya
    (29.6520, 91.1721),  # Lhasa
    (36.2200, 117.5500),  # the sample district
]
ROUND_TRIP_TOLERANCE_M = 0.01


@pytest.mark.parametrize(("place", "wgs", "gcj"), WGS_GCJ, ids=[row[0] for row in WGS_GCJ])
def test_wgs84_to_gcj02_matches_the_reference(place: str, wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    assert distance_m(wgs84_to_gcj02(*wgs), gcj) < REFERENCE_TOLERANCE_M


@pytest.mark.parametrize(("place", "wgs", "gcj"), WGS_GCJ, ids=[row[0] for row in WGS_GCJ])
def test_gcj02_to_wgs84_matches_the_reference(place: str, wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    assert distance_m(gcj02_to_wgs84(*gcj), wgs) < REFERENCE_TOLERANCE_M


@pytest.mark.parametrize(("place", "bd", "gcj"), BD_TO_GCJ, ids=[row[0] for row in BD_TO_GCJ])
def test_bd09_to_gcj02_matches_the_reference(place: str, bd: tuple[float, float], gcj: tuple[float, float]) -> None:
    assert distance_m(bd09_to_gcj02(*bd), gcj) < APPROXIMATE_REFERENCE_TOLERANCE_M


@pytest.mark.parametrize(("place", "gcj", "bd"), GCJ_TO_BD, ids=[row[0] for row in GCJ_TO_BD])
def test_gcj02_to_bd09_matches_the_reference(place: str, gcj: tuple[float, float], bd: tuple[float, float]) -> None:
    assert distance_m(gcj02_to_bd09(*gcj), bd) < REFERENCE_TOLERANCE_M


@pytest.mark.parametrize("system", [CoordinateSystem.GCJ02, CoordinateSystem.BD09])
@pytest.mark.parametrize("wgs", ROUND_TRIP_POINTS)
def test_a_round_trip_comes_back_within_a_centimetre(wgs: tuple[float, float], system: CoordinateSystem) -> None:
    shifted = from_wgs84(*wgs, system)

    assert 50 < distance_m(shifted, wgs) < 1500, "the apps' offset is hundreds of metres"
    assert distance_m(to_wgs84(*shifted, system), wgs) < ROUND_TRIP_TOLERANCE_M


@pytest.mark.parametrize(
    ("point", "outside"),
    [((39.9087, 116.3975), False), ((51.5007, -0.1246), True), ((35.6586, 139.7454), True), ((1.29, 103.85), False)],
    ids=["Beijing", "London", "Tokyo", "Singapore, inside the box"],
)
def test_the_offset_applies_inside_chinas_box_only(point: tuple[float, float], outside: bool) -> None:
    assert outside_china(*point) is outside
    assert (wgs84_to_gcj02(*point) == point) is outside
    assert (gcj02_to_wgs84(*point) == point) is outside


def test_wgs84_is_kept_as_it_is() -> None:
    assert to_wgs84(36.2, 117.55, CoordinateSystem.WGS84) == (36.2, 117.55)
    assert from_wgs84(36.2, 117.55, CoordinateSystem.WGS84) == (36.2, 117.55)


@pytest.mark.parametrize(
    ("a", "b", "metres"),
    [((0.0, 0.0), (0.0, 1.0), 111_195.0), ((36.0, 117.0), (36.001, 117.0), 111.2), ((36.0, 117.0), (36.0, 117.0), 0.0)],
)
def test_distances_are_great_circle_metres(a: tuple[float, float], b: tuple[float, float], metres: float) -> None:
    assert distance_m(a, b) == pytest.approx(metres, abs=0.5)


@pytest.mark.parametrize("system", list(CoordinateSystem))
def test_a_case_keeps_its_tickets_point_in_wgs84(system: CoordinateSystem) -> None:
    wgs = (36.2943, 117.4924)
    latitude, longitude = from_wgs84(*wgs, system)
    ticket = make_ticket(location={"latitude": latitude, "longitude": longitude, "coordinate_system": system.value})

    kept = PersonalData.of(ticket).location

    assert kept is not None and kept.received_coordinate_system is system
    assert kept.latitude is not None and kept.longitude is not None
    assert distance_m((kept.latitude, kept.longitude), wgs) < 0.1


def test_a_grid_code_alone_is_kept_without_a_point() -> None:
    kept = CaseLocation.of(TicketLocation(grid_code="sample-district.hekou-town"))

    assert kept == CaseLocation(grid_code="sample-district.hekou-town")
    assert CaseLocation.of(None) is None
