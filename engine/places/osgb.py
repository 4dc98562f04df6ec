"""British National Grid (OSGB36 eastings and northings) to WGS84 latitude and longitude.

Gazetteers (LLPG, AddressBase) give coordinates as eastings/northings; maps, Open311 and
FixMyStreet want WGS84 latitude/longitude. No projection library (pyproj) is installed, so this is
the Ordnance Survey's published method ("A guide to coordinate systems in Great Britain", OS 2020):
the inverse transverse Mercator projection on the Airy 1830 ellipsoid (annex C), then a seven-
parameter Helmert transformation from OSGB36 to WGS84 (section 6.6). The Helmert step is accurate to
about 5 m across Great Britain (OSTN15 would give centimetres but is a 15 MB grid): ample to show an
address on a map or send a street job to an asset system. Northern Ireland's Irish Grid is not
handled.
"""
from __future__ import annotations

from math import atan2, cos, radians, degrees, sin, sqrt, tan

# Airy 1830 ellipsoid and the National Grid's projection (OS guide, annex A).
AIRY_A, AIRY_B = 6377563.396, 6356256.909
F0 = 0.9996012717  # scale factor on the central meridian
LAT0, LON0 = radians(49.0), radians(-2.0)  # true origin
E0, N0 = 400000.0, -100000.0  # false origin

# GRS80 (WGS84) ellipsoid.
WGS84_A, WGS84_B = 6378137.000, 6356752.3141

# OSGB36 -> WGS84: the OS guide's WGS84 -> OSGB36 parameters with their signs reversed.
TX, TY, TZ = 446.448, -125.157, 542.060  # metres
SCALE_PPM = -20.4894
RX, RY, RZ = (radians(seconds / 3600) for seconds in (0.1502, 0.2470, 0.8421))


def _meridian_arc(lat: float, n: float) -> float:
    """Developed arc of the meridian from the true origin to ``lat`` (OS guide, C1), scaled by F0."""
    dlat, slat = lat - LAT0, lat + LAT0
    return AIRY_B * F0 * (
        (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * dlat
        - (3 * n + 3 * n**2 + 21 / 8 * n**3) * sin(dlat) * cos(slat)
        + (15 / 8 * n**2 + 15 / 8 * n**3) * sin(2 * dlat) * cos(2 * slat)
        - 35 / 24 * n**3 * sin(3 * dlat) * cos(3 * slat))


def grid_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees on the OSGB36 datum for a National Grid point (OS guide, C2)."""
    a, b = AIRY_A, AIRY_B
    e2 = 1 - b**2 / a**2
    n = (a - b) / (a + b)
    lat, m = LAT0, 0.0
    while True:  # iterate until the meridian arc is within 0.01 mm of the northing
        lat = (northing - N0 - m) / (a * F0) + lat
        m = _meridian_arc(lat, n)
        if abs(northing - N0 - m) < 0.00001:
            break
    s, c, t = sin(lat), cos(lat), tan(lat)
    nu = a * F0 / sqrt(1 - e2 * s**2)
    rho = a * F0 * (1 - e2) / (1 - e2 * s**2) ** 1.5
    eta2 = nu / rho - 1
    vii = t / (2 * rho * nu)
    viii = t / (24 * rho * nu**3) * (5 + 3 * t**2 + eta2 - 9 * t**2 * eta2)
    ix = t / (720 * rho * nu**5) * (61 + 90 * t**2 + 45 * t**4)
    x = 1 / (c * nu)
    xi = 1 / (c * 6 * nu**3) * (nu / rho + 2 * t**2)
    xii = 1 / (c * 120 * nu**5) * (5 + 28 * t**2 + 24 * t**4)
    xiia = 1 / (c * 5040 * nu**7) * (61 + 662 * t**2 + 1320 * t**4 + 720 * t**6)
    de = easting - E0
    lat_out = lat - vii * de**2 + viii * de**4 - ix * de**6
    lon_out = LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return degrees(lat_out), degrees(lon_out)


def _to_cartesian(lat: float, lon: float, a: float, b: float) -> tuple[float, float, float]:
    e2 = 1 - b**2 / a**2
    phi, lam = radians(lat), radians(lon)
    nu = a / sqrt(1 - e2 * sin(phi) ** 2)
    return nu * cos(phi) * cos(lam), nu * cos(phi) * sin(lam), (1 - e2) * nu * sin(phi)


def _from_cartesian(x: float, y: float, z: float, a: float, b: float) -> tuple[float, float]:
    e2 = 1 - b**2 / a**2
    p = sqrt(x**2 + y**2)
    phi = atan2(z, p * (1 - e2))
    for _ in range(10):  # converges to well under a millimetre in three or four passes
        nu = a / sqrt(1 - e2 * sin(phi) ** 2)
        phi = atan2(z + e2 * nu * sin(phi), p)
    return degrees(phi), degrees(atan2(y, x))


def osgb36_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """OSGB36 latitude/longitude to WGS84, through earth-centred coordinates and the Helmert step."""
    x, y, z = _to_cartesian(lat, lon, AIRY_A, AIRY_B)
    s = 1 + SCALE_PPM * 1e-6
    x2 = TX + s * x - RZ * y + RY * z
    y2 = TY + RZ * x + s * y - RX * z
    z2 = TZ - RY * x + RX * y + s * z
    return _from_cartesian(x2, y2, z2, WGS84_A, WGS84_B)


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) in WGS84 degrees, rounded to 6 places (about 10 cm), for a grid point."""
    lat, lon = osgb36_to_wgs84(*grid_to_osgb36(easting, northing))
    return round(lat, 6), round(lon, 6)
