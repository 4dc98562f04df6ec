"""Data stores that maps share between cases (``engine.bpmn.data_stores``): SpiffArena's JSON, key-value and
typeahead data stores, each kept for one process group."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, create_engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base


class DataStore(Base):
    """One store of a group. ``kind``: json (``data`` is the whole document), kkv or typeahead (the
    entries are rows of ``data_store_entry``)."""

    __tablename__ = "data_store"
    __table_args__ = (UniqueConstraint("store_group", "identifier"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    store_group: Mapped[str] = mapped_column(String(200))
    identifier: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[Any | None] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]


class DataStoreEntry(Base):
    """One value of a key-value store (``key`` the top-level key, ``subkey`` the secondary key) or one
    item of a typeahead store (``key`` the category, ``subkey`` the search term)."""

    __tablename__ = "data_store_entry"
    __table_args__ = (UniqueConstraint("store_id", "key", "subkey"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("data_store.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    subkey: Mapped[str] = mapped_column(String(200))
    value: Mapped[Any] = mapped_column(JSON)


@contextmanager
def scratch_session() -> Iterator[Session]:
    """A session on empty data stores in memory, thrown away at the end (model tests' stores)."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[DataStore.__tablename__],
                                                  Base.metadata.tables[DataStoreEntry.__tablename__]])
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
