"""The demo's Open311 partner: a key for "FixMyStreet (demo)", printed once, and (unless the demo
already offers something on Open311) the pothole map published as service code ``pothole``."""
from __future__ import annotations

from engine.open311 import partner_keys
from engine.residents import publishing
from engine.context import Context
from engine.types import PublishChannel

PARTNER = "FixMyStreet (demo)"


def load_partner(ctx: Context) -> str:
    """What was done, in a sentence (the key itself only the first time)."""
    if not publishing.published(ctx, PublishChannel.OPEN311):
        publishing.publish(ctx, "pothole_report", channels=[PublishChannel.OPEN311], open311_code="pothole",
                           title="Pothole", description="A pothole in a road, pavement or cycle lane",
                           keywords=["road", "pavement"], actor="demo")
    if any(p.partner == PARTNER and p.live_keys for p in partner_keys.list_keys(ctx)):
        return (f"Demo Open311 partner {PARTNER!r} has a key already (shown when it was made; "
                f"`councilflow partners revoke` and `partners add` make a new one)")
    issued = partner_keys.add_key(ctx, PARTNER, "demo")
    return (f"Demo Open311 partner {PARTNER!r}: api_key {issued.api_key} (shown once) for "
            f"http://127.0.0.1:5000/open311/v2/")
