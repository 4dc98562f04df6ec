"""British National Grid to WGS84 (engine/places/osgb.py) against the Ordnance Survey's published points."""
from __future__ import annotations

from math import cos, hypot, radians

from engine.places.osgb import grid_to_osgb36, grid_to_wgs84


def _metres_apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[0] - b[0]) * 111_320
    east = (a[1] - b[1]) * 111_320 * cos(radians(a[0]))
    return hypot(north, east)


def _dms(degrees: int, minutes: int, seconds: float) -> float:
    return degrees + minutes / 60 + seconds / 3600


def test_grid_to_osgb36_matches_the_os_guides_worked_example():
    # "A guide to coordinate systems in Great Britain", annex C: E 651409.903, N 313177.270 (Caister water tower).
    lat, lon = grid_to_osgb36(651409.903, 313177.270)
    assert abs(lat - _dms(52, 39, 27.2531)) < 1e-7 and abs(lon - _dms(1, 43, 4.5177)) < 1e-7


def test_grid_to_wgs84_is_within_five_metres_of_the_published_etrs89_position():
    # The same tower's ETRS89 (WGS84 to within a metre) position in the OS guide; the Helmert step is good to ~5 m.
    found = grid_to_wgs84(651409.903, 313177.270)
    assert _metres_apart(found, (_dms(52, 39, 28.8282), _dms(1, 42, 57.7896))) < 5


def test_grid_to_wgs84_places_charing_cross_in_trafalgar_square():
    # Charing Cross, TQ 30034 80381 on the OS map: 51.5074 N, 0.1277 W.
    assert _metres_apart(grid_to_wgs84(530034, 180381), (51.50741, -0.12772)) < 10
