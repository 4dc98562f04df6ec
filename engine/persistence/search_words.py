"""The council's own words for the service search: callers' synonyms and each service's keywords."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class SearchSynonym(Base):
    """A caller's phrase and the services' words it stands for, as an admin set it. A row whose
    ``meant`` is empty turns off the shipped synonym for that phrase (``engine.catalogue.service_words``)."""

    __tablename__ = "search_synonym"
    said: Mapped[str] = mapped_column(String(200), primary_key=True)  # lower case, single spaces
    meant: Mapped[str] = mapped_column(String(500))
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]


class ServiceKeywords(Base):
    """Words a service is also found by, besides its name, key and description. Keyed by the
    service's key and not tied to a deployed process row, so keywords set before a redeploy stay."""

    __tablename__ = "service_keywords"
    service_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    keywords: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]
