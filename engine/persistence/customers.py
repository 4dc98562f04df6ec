"""The customer table: the people the council serves, with their details as case search compares them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


WORD_LENGTH = 40  # longer words are stored (and searched) by their first 40 letters


def _key(length: int) -> String:
    """Byte order on PostgreSQL as on SQLite, so a prefix is one index range (``key >= 'AN1' AND
    key < 'AN2'``) whatever the database's locale."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Customer(Base):
    __tablename__ = "customer"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime]
    # The details as case search compares them (customers.search_keys), indexed (migration 0006).
    phone_key: Mapped[str | None] = mapped_column(_key(20), index=True)  # digits only, +44 as 0
    postcode_key: Mapped[str | None] = mapped_column(_key(20), index=True)  # "AN3 7AB": capitals, one space
    email_key: Mapped[str | None] = mapped_column(_key(320), index=True)  # lower case
    # The address picked from the gazetteer (migration 0007); None when typed by hand. Not a foreign key:
    # a newer gazetteer extract may lack it, and the customer keeps the address text.
    uprn: Mapped[int | None] = mapped_column(BigInteger)


class CustomerWord(Base):
    """Each word of a customer's name and address (lower case, ``customers.search_words``), so a
    case is found by name or address with an index range per typed word (``"pat smi"``: words
    starting ``pat`` and ``smi``) instead of a scan of every customer."""

    __tablename__ = "customer_word"
    word: Mapped[str] = mapped_column(_key(WORD_LENGTH), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True, index=True)
