"""Reading a gazetteer extract: the two CSV layouts ``councilflow gazetteer import`` accepts, told
apart by their header, and each row checked into an address or a reason it was refused.

Layouts (column names in any case and order; others are ignored; docs/gazetteer.md):

- councilflow: ``uprn, address_1, address_2, address_3, town, postcode`` and either
  ``easting, northing`` (British National Grid) or ``latitude, longitude`` (WGS84).
- addressbase (an AddressBase/LLPG export): ``UPRN, SAO_START_NUMBER, SAO_START_SUFFIX, SAO_TEXT,
  PAO_START_NUMBER, PAO_START_SUFFIX, PAO_TEXT, STREET_DESCRIPTION, LOCALITY, TOWN_NAME,
  POSTCODE_LOCATOR`` and ``X_COORDINATE, Y_COORDINATE`` or ``LATITUDE, LONGITUDE``.

Given latitude/longitude are used as they are; eastings/northings alone are converted (engine.places.osgb).
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..casework.customers import POSTCODE, normal_postcode, postcode_key
from ..errors import UserError
from .osgb import grid_to_wgs84

MAX_UPRN = 999_999_999_999  # twelve digits
GRID = (0.0, 700_000.0, 0.0, 1_300_000.0)  # the National Grid's extent: easting min/max, northing min/max
WGS84_BOX = (49.0, 61.5, -9.0, 2.5)  # Great Britain and its islands: latitude min/max, longitude min/max


class LayoutUnknown(UserError):
    """The file's header is neither layout's."""


class BadRow(ValueError):
    """One row that cannot be loaded, and why (in words for the operator)."""


@dataclass(frozen=True)
class Layout:
    name: str
    uprn: str
    postcode: str
    easting: str
    northing: str
    latitude: str
    longitude: str
    address: Callable[[dict[str, str]], list[str]]  # the address lines, without the postcode


def _ours(row: dict[str, str]) -> list[str]:
    return [row.get(key, "") for key in ("address_1", "address_2", "address_3", "town")]


def _number(row: dict[str, str], part: str) -> str:
    return row.get(f"{part}_start_number", "") + row.get(f"{part}_start_suffix", "")


def _addressbase(row: dict[str, str]) -> list[str]:
    """AddressBase's structured parts as lines: "Flat 1", "Rose Court", "12 Mill Lane", locality, town."""
    street, pao_number = row.get("street_description", ""), _number(row, "pao")
    return [row.get("sao_text", "") or _number(row, "sao"), row.get("pao_text", ""),
            f"{pao_number} {street}".strip(), row.get("locality", ""), row.get("town_name", "")]


LAYOUTS = (
    Layout("councilflow", "uprn", "postcode", "easting", "northing", "latitude", "longitude", _ours),
    Layout("addressbase", "uprn", "postcode_locator", "x_coordinate", "y_coordinate", "latitude", "longitude",
           _addressbase),
)


def layout_of(header: list[str]) -> Layout:
    """The layout whose columns the header has; LayoutUnknown (exit code 2) names what was expected."""
    names = {name.strip().lower() for name in header}
    for layout in LAYOUTS:
        located = {layout.easting, layout.northing} <= names or {layout.latitude, layout.longitude} <= names
        if {layout.uprn, layout.postcode} <= names and located:
            return layout
    raise LayoutUnknown("The file's header is not a gazetteer layout: it needs UPRN, POSTCODE (or "
                        "POSTCODE_LOCATOR) and EASTING/NORTHING, X_COORDINATE/Y_COORDINATE or LATITUDE/LONGITUDE "
                        "(docs/gazetteer.md)")


def _float(row: dict[str, str], column: str) -> float | None:
    text = row.get(column, "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise BadRow(f"{column} '{text}' is not a number") from None


def _within(value: float, low: float, high: float, what: str) -> float:
    if not low <= value <= high:
        raise BadRow(f"{what} {value:g} is outside Great Britain")
    return value


def _place(layout: Layout, row: dict[str, str]) -> dict[str, float | None]:
    east, north = _float(row, layout.easting), _float(row, layout.northing)
    lat, long = _float(row, layout.latitude), _float(row, layout.longitude)
    if east is not None and north is not None:
        _within(east, GRID[0], GRID[1], "easting")
        _within(north, GRID[2], GRID[3], "northing")
        if lat is None or long is None:
            lat, long = grid_to_wgs84(east, north)
    elif lat is None or long is None:
        raise BadRow("it has neither an easting and northing nor a latitude and longitude")
    return {"latitude": _within(lat, WGS84_BOX[0], WGS84_BOX[1], "latitude"),
            "longitude": _within(long, WGS84_BOX[2], WGS84_BOX[3], "longitude"), "easting": east, "northing": north}


def address_row(layout: Layout, row: dict[str, str]) -> dict[str, Any]:
    """The ``gazetteer_address`` row for one CSV row (columns lower-cased, values stripped); BadRow if it
    cannot be one."""
    uprn = row.get(layout.uprn, "")
    if not uprn.isdigit() or not 0 < int(uprn) <= MAX_UPRN:
        raise BadRow(f"UPRN '{uprn}' is not a number of up to 12 digits")
    if not POSTCODE.match(normal_postcode(row.get(layout.postcode))):
        raise BadRow(f"postcode '{row.get(layout.postcode, '')}' is not a UK postcode")
    lines = [" ".join(line.split()) for line in layout.address(row)]
    address = ", ".join(line for line in lines if line)
    if not address:
        raise BadRow("it has no address lines")
    key = postcode_key(row[layout.postcode])
    return {"uprn": int(uprn), "address": address, "postcode": key, "postcode_key": key, **_place(layout, row)}


def rows(lines: Iterator[str]) -> tuple[Layout, Iterator[tuple[int, dict[str, Any] | str]]]:
    """The file's layout, and for each data row its line number and either its address row or why it
    was refused."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise LayoutUnknown("The file is empty: it needs a header row (docs/gazetteer.md)")
    layout = layout_of(header)
    names = [name.strip().lower() for name in header]

    def each() -> Iterator[tuple[int, dict[str, Any] | str]]:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(names):
                yield reader.line_num, f"it has {len(values)} columns, the header {len(names)}"
                continue
            try:
                yield reader.line_num, address_row(layout, dict(zip(names, (v.strip() for v in values))))
            except BadRow as err:
                yield reader.line_num, str(err)

    return layout, each()
