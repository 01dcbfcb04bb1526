"""Conversions between the datums Chinese map apps use and WGS-84 (pure functions; degrees in, degrees out).

GCJ-02 ("Mars coordinates", 国测局坐标) is WGS-84 shifted by a published obfuscation formula (offsets of 100–700 m)
that every map published in China (Amap/Gaode, Tencent, Apple and Google inside China) carries; BD-09 (Baidu) is
GCJ-02 shifted once more. Neither is a datum pyproj knows. The forward formulas are the widely published ones
(Krasovsky ellipsoid constants); the inverses have no closed form and are found by fixed-point iteration, to
well under a millimetre. Outside China's bounding box GCJ-02 is WGS-84 unchanged, as the apps do.

Points are `(latitude, longitude)` in degrees, the order of `TicketLocation`; GeoJSON's is the reverse.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from services.contracts.tickets import CoordinateSystem

# Semi-major axis and squared eccentricity of the Krasovsky 1940 ellipsoid, as in the published GCJ-02 formula.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
# BD-09's own twist: a rotation and scaling around GCJ-02, then a fixed shift.
_BD_X_PI = math.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006
# The box the obfuscation applies in (the apps leave points outside it alone).
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)
# Inverse by iteration: stop below a millionth of a millionth of a degree (0.1 µm); it converges in a few steps.
_INVERSE_TOLERANCE_DEGREES = 1e-12
_INVERSE_MAX_STEPS = 30
EARTH_RADIUS_M = 6371008.8  # mean radius (IUGG), for distances between nearby points

Point = tuple[float, float]
Conversion = Callable[[float, float], Point]


def outside_china(latitude: float, longitude: float) -> bool:
    """Whether the point lies outside the box where GCJ-02 differs from WGS-84."""
    return not (_CHINA_LON[0] <= longitude <= _CHINA_LON[1] and _CHINA_LAT[0] <= latitude <= _CHINA_LAT[1])


def wgs84_to_gcj02(latitude: float, longitude: float) -> Point:
    """WGS-84 → GCJ-02 (degrees)."""
    if outside_china(latitude, longitude):
        return latitude, longitude
    d_lat, d_lon = _gcj02_offset(latitude, longitude)
    return latitude + d_lat, longitude + d_lon


def gcj02_to_wgs84(latitude: float, longitude: float) -> Point:
    """GCJ-02 → WGS-84 (degrees): the point whose GCJ-02 image is the given one."""
    return _invert(wgs84_to_gcj02, latitude, longitude)


def gcj02_to_bd09(latitude: float, longitude: float) -> Point:
    """GCJ-02 → BD-09 (degrees)."""
    x, y = longitude, latitude
    z = math.hypot(x, y) + 0.00002 * math.sin(y * _BD_X_PI)
    theta = math.atan2(y, x) + 0.000003 * math.cos(x * _BD_X_PI)
    return z * math.sin(theta) + _BD_DLAT, z * math.cos(theta) + _BD_DLON


def bd09_to_gcj02(latitude: float, longitude: float) -> Point:
    """BD-09 → GCJ-02 (degrees): the point whose BD-09 image is the given one."""
    return _invert(gcj02_to_bd09, latitude, longitude)


def wgs84_to_bd09(latitude: float, longitude: float) -> Point:
    """WGS-84 → BD-09 (degrees)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(latitude, longitude))


def bd09_to_wgs84(latitude: float, longitude: float) -> Point:
    """BD-09 → WGS-84 (degrees)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(latitude, longitude))


def to_wgs84(latitude: float, longitude: float, system: CoordinateSystem) -> Point:
    """The point in WGS-84, from the datum it was given in."""
    if system is CoordinateSystem.GCJ02:
        return gcj02_to_wgs84(latitude, longitude)
    if system is CoordinateSystem.BD09:
        return bd09_to_wgs84(latitude, longitude)
    return latitude, longitude


def from_wgs84(latitude: float, longitude: float, system: CoordinateSystem) -> Point:
    """The WGS-84 point as the apps of `system` give it (for tests and for drawing on their maps)."""
    if system is CoordinateSystem.GCJ02:
        return wgs84_to_gcj02(latitude, longitude)
    if system is CoordinateSystem.BD09:
        return wgs84_to_bd09(latitude, longitude)
    return latitude, longitude


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance between two (latitude, longitude) points, in metres (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _gcj02_offset(latitude: float, longitude: float) -> Point:
    """The published GCJ-02 shift at a WGS-84 point, in degrees of latitude and longitude."""
    x, y = longitude - 105.0, latitude - 35.0
    waves = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + waves
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + waves
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = math.radians(latitude)
    magic = 1.0 - _KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lon


def _invert(forward: Conversion, latitude: float, longitude: float) -> Point:
    """The point `p` with `forward(p)` equal to the given one: the shifts vary slowly, so p ← p − (forward(p) − target)
    converges in a handful of steps."""
    lat, lon = latitude, longitude
    for _step in range(_INVERSE_MAX_STEPS):
        image_lat, image_lon = forward(lat, lon)
        d_lat, d_lon = image_lat - latitude, image_lon - longitude
        lat, lon = lat - d_lat, lon - d_lon
        if max(abs(d_lat), abs(d_lon)) < _INVERSE_TOLERANCE_DEGREES:
            break
    return lat, lon
