"""The gazetteer: the council's addresses, each with its UPRN and where it is (engine/places/gazetteer.py)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .customers import _key


class GazetteerAddress(Base):
    """One address of the Local Land and Property Gazetteer, loaded by ``councilflow gazetteer import``.

    The UPRN is the key, so a re-import of a newer extract updates addresses in place. ``postcode_key``
    ("AN1 2BC", as ``customers.postcode_key`` writes it) is indexed in byte order: a postcode look-up
    is one index range whatever the database's locale."""

    __tablename__ = "gazetteer_address"
    uprn: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    address: Mapped[str] = mapped_column(Text)  # the lines and town, comma-separated, without the postcode
    postcode: Mapped[str] = mapped_column(String(12))
    postcode_key: Mapped[str] = mapped_column(_key(12), index=True)
    latitude: Mapped[float] = mapped_column(Float)  # WGS84
    longitude: Mapped[float] = mapped_column(Float)
    easting: Mapped[float | None] = mapped_column(Float)  # British National Grid, when the file gave them
    northing: Mapped[float | None] = mapped_column(Float)
