"""The GOV.UK address lookup pattern, without JavaScript: a postcode box and "Find address" (a
round trip to the server), then a list of the gazetteer's addresses at that postcode to pick from,
with "Enter the address manually" for an address the gazetteer lacks.

Used by form fields marked ``"ui:widget": "address"`` (their answer is an object, see ``answer``)
and by the customer pages. Kept free of Flask: the page passes in how to look a postcode or a UPRN
up (engine.places.gazetteer), so what is read and shown is tested without a server.

The buttons are submit buttons of the page's one form (``ACTION`` = ``find:<field>`` and so on), so
everything else typed on the page survives the round trip.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

ACTION = "address-action"  # the name of the lookup's buttons; the value says which and for what field
FIND, MANUAL, LOOKUP = "find", "manual", "lookup"


class Posted(Protocol):
    def get(self, key: str, default: str = "") -> str: ...


Lookup = Callable[[str], list[dict[str, Any]]]  # postcode -> addresses as engine.places.gazetteer.Address.to_dict()
Find = Callable[[int], dict[str, Any] | None]  # UPRN -> that address, or None


def action(posted: Posted) -> tuple[str, str] | None:
    """(what, field) when one of the lookup's own buttons sent the page, else None."""
    what, _, name = posted.get(ACTION, "").partition(":")
    return (what, name) if what in (FIND, MANUAL, LOOKUP) and name else None


def read(name: str, posted: Posted) -> dict[str, Any]:
    """What was typed or picked for field ``name``: postcode, uprn, address text, and whether the
    address is being entered by hand."""
    return {"postcode": " ".join(posted.get(f"{name}-postcode", "").split()).upper(),
            "uprn": posted.get(f"{name}-uprn", "").strip(),
            "address": posted.get(f"{name}-address", "").replace("\r\n", "\n").strip(),
            "manual": posted.get(f"{name}-mode", "") == MANUAL}


def after(value: dict[str, Any], what: str) -> dict[str, Any]:
    """The field's state after one of its buttons: a new search forgets the address picked before."""
    if what == FIND:
        return {**value, "uprn": "", "manual": False, "searched": True}
    return {**value, "manual": what == MANUAL}


def answer(value: dict[str, Any], find: Find) -> dict[str, Any] | None:
    """The object stored in the case: the gazetteer's ``{uprn, address, postcode, lat, long}`` for a
    picked address, ``{address, postcode}`` for one entered by hand, None when nothing was given (a
    UPRN that is not in the gazetteer counts as nothing)."""
    if value.get("manual"):
        given = {"address": value.get("address", ""), "postcode": value.get("postcode", "")}
        return given if any(given.values()) else None
    uprn = str(value.get("uprn", ""))
    return find(int(uprn)) if uprn.isdigit() else None


def value_of(saved: Any) -> dict[str, Any]:
    """The field's state for a saved answer (to change it)."""
    saved = saved if isinstance(saved, Mapping) else {}
    uprn = saved.get("uprn")
    return {"postcode": str(saved.get("postcode") or ""), "uprn": "" if uprn is None else str(uprn),
            "address": str(saved.get("address") or ""), "manual": bool(saved) and uprn is None}


def readable(saved: Any) -> list[str]:
    """A stored address as lines for people: the address, the postcode, its UPRN when picked."""
    if not isinstance(saved, Mapping):
        return [str(saved)] if saved else []
    lines = [*str(saved.get("address") or "").split("\n"), str(saved.get("postcode") or "")]
    if saved.get("uprn") is not None:
        lines.append(f"UPRN {saved['uprn']}")
    return [line for line in lines if line]


def looked_up(value: Any, lookup: Lookup) -> dict[str, Any]:
    """The field's state with the addresses at its postcode (under ``addresses``), once a postcode
    has been looked up or an address picked; ``lookup`` raises ValueError for a postcode that is not one."""
    value = dict(value) if isinstance(value, dict) else {}
    if not value.get("manual") and value.get("postcode") and (value.get("searched") or value.get("uprn")):
        try:
            value["addresses"] = lookup(value["postcode"])
        except ValueError as err:
            value["postcode_error"] = str(err)
    return value


def params(name: str, label: str, hint: str | None, value: Any, error: str | None) -> dict[str, Any]:
    """What ``templates/forms/_address.html`` renders: the postcode box and "Find address", then the
    addresses found (when looked up) to pick from, or the boxes to enter the address by hand."""
    value = value if isinstance(value, dict) else {}
    found = value.get("addresses")
    chosen = str(value.get("uprn", ""))
    items = [{"value": str(a["uprn"]), "text": a["address"], "selected": str(a["uprn"]) == chosen}
             for a in found or []]
    return {"name": name, "label": label, "hint": hint, "error": error, "postcode": value.get("postcode", ""),
            "postcode_error": value.get("postcode_error"), "address": value.get("address", ""),
            "manual": bool(value.get("manual")), "found": found is not None, "items": items}
