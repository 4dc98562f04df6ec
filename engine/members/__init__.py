"""The councillors' door: elected members and their wards, member enquiries, the history a councillor reads, and when
an enquiry counts as answered.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .councillors import CouncillorNotFound, councillor, councillor_by_id, list_councillors, set_ward
    from .member_enquiries import (
        FIELDS, RECEIVED_BY, add_information, enquiry, may_raise_for_members, my_enquiries, raise_enquiry,
    )

__all__ = [
    "add_information", "councillor", "councillor_by_id", "CouncillorNotFound", "enquiry", "FIELDS", "list_councillors",
    "may_raise_for_members", "my_enquiries", "raise_enquiry", "RECEIVED_BY", "set_ward",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "add_information": "member_enquiries", "councillor": "councillors", "councillor_by_id": "councillors",
        "CouncillorNotFound": "councillors", "enquiry": "member_enquiries", "FIELDS": "member_enquiries",
        "list_councillors": "councillors", "may_raise_for_members": "member_enquiries",
        "my_enquiries": "member_enquiries", "raise_enquiry": "member_enquiries", "RECEIVED_BY": "member_enquiries",
        "set_ward": "councillors",
    })
