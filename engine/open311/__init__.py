"""Partners' systems over Open311 GeoReport v2: the services they see, their service requests and where those stand,
and their API keys.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .open311_rate import RateLimited
    from .open311_requests import NewRequest, create_request
    from .open311_services import Attribute, Open311Service, service, services
    from .open311_status import Filters, RequestStatus, request, requests, updates
    from .open311_updates import PostedUpdate, post_update
    from .partner_keys import add_key, holder, list_keys, revoke_keys

__all__ = [
    "add_key", "Attribute", "create_request", "Filters", "holder", "list_keys", "NewRequest", "Open311Service",
    "post_update", "PostedUpdate", "RateLimited", "request", "requests", "RequestStatus", "revoke_keys", "service",
    "services", "updates",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "add_key": "partner_keys", "Attribute": "open311_services", "create_request": "open311_requests",
        "Filters": "open311_status", "holder": "partner_keys", "list_keys": "partner_keys",
        "NewRequest": "open311_requests", "Open311Service": "open311_services", "post_update": "open311_updates",
        "PostedUpdate": "open311_updates", "RateLimited": "open311_rate", "request": "open311_status",
        "requests": "open311_status", "RequestStatus": "open311_status", "revoke_keys": "partner_keys",
        "service": "open311_services", "services": "open311_services", "updates": "open311_status",
    })
