"""Open311 API keys of partner organisations: issued once (only the SHA-256 is kept, as for the REST
API's tokens), listed without the key, revoked per partner.

An Open311 partner is a row of the directory's ``partner`` table (a FixMyStreet operator, a housing
association's contact centre): the organisation the directory refers residents to is the same one that
posts reports to us, so it has one name and one set of details. Adding a key for a name not yet in
the table adds the partner.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..catalogue import directory_entries
from ..context import Context
from ..errors import NotFound, SignInFailed
from ..people.tokens import LAST_USED_RESOLUTION, digest
from ..persistence.tables import Partner, PartnerKey
from . import open311_rate

PREFIX = "o311_"


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the only time it is visible."""

    partner: str
    api_key: str

    def to_dict(self) -> dict[str, Any]:
        return {"partner": self.partner, "api_key": self.api_key}


@dataclass(frozen=True)
class PartnerKeys:
    """What admins see of a partner's keys: never a key, nor its hash."""

    partner: str
    live_keys: int
    revoked_keys: int
    last_used_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"partner": self.partner, "live_keys": self.live_keys, "revoked_keys": self.revoked_keys,
                "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None}


@dataclass(frozen=True)
class KeyHolder:
    """The partner a valid key belongs to, as a request is made in its name."""

    partner_id: int
    name: str


def _partner(session: Session, name: str) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.name == " ".join(name.split())))


def add_key(ctx: Context, name: str, actor: str) -> IssuedKey:
    """A new Open311 key for the partner called ``name`` (added to the partners if it is not there)."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        row = _partner(session, name)
        if row is None:
            directory_entries.save_partner(session, directory_entries.PartnerInfo(" ".join(name.split())), actor, now)
            row = _partner(session, name)
            assert row is not None
        key = PREFIX + secrets.token_urlsafe(32)
        session.add(PartnerKey(partner_id=row.id, key_hash=digest(key), created_by=actor, created_at=now))
        return IssuedKey(row.name, key)


def list_keys(ctx: Context) -> list[PartnerKeys]:
    """Partners that hold or held an Open311 key, by name."""
    with ctx.db.transaction(readonly=True) as session:
        rows = session.execute(select(Partner.name, PartnerKey.revoked_at, PartnerKey.last_used_at)
                               .join(PartnerKey, PartnerKey.partner_id == Partner.id).order_by(Partner.name))
        found: dict[str, list[tuple[datetime | None, datetime | None]]] = {}
        for name, revoked_at, last_used_at in rows:
            found.setdefault(name, []).append((revoked_at, last_used_at))
    return [PartnerKeys(name, sum(r is None for r, _ in keys), sum(r is not None for r, _ in keys),
                        max((u for _, u in keys if u is not None), default=None))
            for name, keys in found.items()]


def revoke_keys(ctx: Context, name: str) -> PartnerKeys:
    """Revoke every live key of the partner (revoking again changes nothing)."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        row = _partner(session, name)
        if row is None:
            raise NotFound(f"There is no partner '{name}'")
        keys = list(session.scalars(select(PartnerKey).where(PartnerKey.partner_id == row.id)))
        if not keys:
            raise NotFound(f"The partner '{row.name}' has no Open311 key")
        for key in keys:
            key.revoked_at = key.revoked_at or now
        return PartnerKeys(row.name, 0, len(keys), max((k.last_used_at for k in keys if k.last_used_at),
                                                       default=None))


def holder(ctx: Context, api_key: str) -> KeyHolder:
    """The partner holding this live key, or SignInFailed; each call counted against the key's rate
    limit (``engine.open311.open311_rate``: RateLimited when over it). The last use is written at most every
    few minutes (as ``tokens.sign_in_with_token`` does)."""
    now = ctx.clock.now()
    with ctx.db.transaction(readonly=True) as session:
        found = session.execute(select(PartnerKey.id, PartnerKey.last_used_at, Partner.id, Partner.name)
                                .join(Partner, Partner.id == PartnerKey.partner_id)
                                .where(PartnerKey.key_hash == digest(api_key), PartnerKey.revoked_at.is_(None))).first()
    if found is None:
        raise SignInFailed("The api_key is not valid")
    key_id, last_used_at, partner_id, name = found
    with ctx.db.transaction() as session:
        if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
            session.execute(update(PartnerKey).where(PartnerKey.id == key_id).values(last_used_at=now))
        open311_rate.count_call(session, key_id, ctx.settings.open311_rate_limit, now)
    return KeyHolder(partner_id, name)
