"""The public's door: published services, the intake form of a published map, residents' reports from the web pages,
tracking a case, and updates at its public milestones.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .publishing import PublishedService, ServiceNotPublished, parse_channels, publish, published, unpublish
    from .tracking import CLOSED, RECEIVED, PublicCase, track
    from .web_reports import WebService, check_contact, submit, web_service

__all__ = [
    "check_contact", "CLOSED", "parse_channels", "PublicCase", "publish", "published", "PublishedService", "RECEIVED",
    "ServiceNotPublished", "submit", "track", "unpublish", "web_service", "WebService",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "check_contact": "web_reports", "CLOSED": "tracking", "parse_channels": "publishing", "PublicCase": "tracking",
        "publish": "publishing", "published": "publishing", "PublishedService": "publishing", "RECEIVED": "tracking",
        "ServiceNotPublished": "publishing", "submit": "web_reports", "track": "tracking", "unpublish": "publishing",
        "web_service": "web_reports", "WebService": "web_reports",
    })
