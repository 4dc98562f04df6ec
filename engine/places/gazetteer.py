"""The council's gazetteer (LLPG): loading an extract, and finding the addresses at a postcode.

Advisors pick a resident's address from the gazetteer instead of typing it, so a case carries the
UPRN, the address as the council writes it and where it is (for asset systems, Open311, maps).

An import commits every ``CHUNK`` rows: a SQLite writer holds the whole database, and a 200,000-row
extract in one transaction would make every advisor's save wait for it. Rows are upserted by UPRN
(``INSERT … ON CONFLICT (uprn) DO UPDATE``, one executemany per chunk, on both databases), so loading
a newer extract updates addresses in place. Rows that cannot be read are reported with their line
numbers and skipped; the good ones load. Addresses missing from a newer extract are kept: an LLPG
extract may be partial, and a case may still name the address.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..casework.customers import POSTCODE, normal_postcode, postcode_key
from ..context import Context
from ..errors import NotFound, UserError
from ..persistence.tables import GazetteerAddress
from .gazetteer_csv import rows

CHUNK = 5000
MAX_BAD_LISTED = 1000  # an operator reads the first reasons; a wholly wrong file lists no more than this


class AddressNotFound(NotFound):
    pass


@dataclass
class ImportReport:
    layout: str
    loaded: int = 0  # good rows, new or updated
    new: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), the first MAX_BAD_LISTED
    bad_count: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"layout": self.layout, "loaded": self.loaded, "new": self.new, "updated": self.loaded - self.new,
                "bad": [{"line": line, "reason": reason} for line, reason in self.bad],
                "bad_count": self.bad_count, "seconds": round(self.seconds, 2)}


@dataclass(frozen=True)
class Address:
    uprn: int
    address: str
    postcode: str
    lat: float
    long: float

    @classmethod
    def of(cls, row: GazetteerAddress) -> "Address":
        return cls(row.uprn, row.address, row.postcode, row.latitude, row.longitude)

    def to_dict(self) -> dict[str, Any]:
        """The shape stored in a case (under an address field) and answered by the CLI and the API."""
        return {"uprn": self.uprn, "address": self.address, "postcode": self.postcode, "lat": self.lat,
                "long": self.long}


def _upsert(session: Session, chunk: dict[int, dict[str, Any]]) -> None:
    table = GazetteerAddress.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["uprn"], set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != "uprn"})
    session.connection().execute(statement, list(chunk.values()))


def _count(ctx: Context) -> int:
    with ctx.db.transaction(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(GazetteerAddress)) or 0)


def _load(ctx: Context, lines: Iterator[str]) -> ImportReport:
    layout, parsed = rows(lines)
    report = ImportReport(layout.name)
    chunk: dict[int, dict[str, Any]] = {}  # by UPRN: a UPRN twice in one statement is refused by PostgreSQL
    for line, row in parsed:
        if isinstance(row, str):
            report.bad_count += 1
            if len(report.bad) < MAX_BAD_LISTED:
                report.bad.append((line, row))
            continue
        chunk[row["uprn"]] = row
        report.loaded += 1
        if len(chunk) >= CHUNK:
            with ctx.db.transaction() as session:
                _upsert(session, chunk)
            chunk = {}
    if chunk:
        with ctx.db.transaction() as session:
            _upsert(session, chunk)
    return report


def import_file(ctx: Context, path: Path) -> ImportReport:
    """Load a gazetteer extract (docs/gazetteer.md); UserError (exit code 2) for a missing or unreadable
    file or an unknown layout."""
    if not path.is_file():
        raise UserError(f"No such file: {path}")
    started, before = time.perf_counter(), _count(ctx)
    try:
        with path.open(encoding="utf-8-sig", newline="") as lines:  # -sig: Excel's byte-order mark
            report = _load(ctx, lines)
    except UnicodeDecodeError:  # chunks before it stay loaded: re-importing the corrected file updates them
        raise UserError(f"{path} is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8'") from None
    report.new = _count(ctx) - before
    report.seconds = time.perf_counter() - started
    return report


def lookup(ctx: Context, postcode: str) -> list[Address]:
    """The addresses at a postcode (spaces and case ignored), in address order; [] for one not known."""
    if not POSTCODE.match(normal_postcode(postcode)):
        raise UserError(f"'{postcode}' is not a UK postcode, like AN1 2BC")
    with ctx.db.transaction(readonly=True) as session:
        found = session.scalars(select(GazetteerAddress).where(GazetteerAddress.postcode_key == postcode_key(postcode)))
        return sorted((Address.of(row) for row in found), key=_address_order)


def _address_order(address: Address) -> tuple[Any, ...]:
    """Number order, as people read a street ("2 Mill Lane" before "10 Mill Lane")."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", address.address.lower()))


def find_address(ctx: Context, uprn: int) -> Address | None:
    with ctx.db.transaction(readonly=True) as session:
        row = session.get(GazetteerAddress, uprn)
        return Address.of(row) if row is not None else None


def get_address(ctx: Context, uprn: int) -> Address:
    found = find_address(ctx, uprn)
    if found is None:
        raise AddressNotFound(f"The gazetteer has no UPRN {uprn}")
    return found
