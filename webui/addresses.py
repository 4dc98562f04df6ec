"""The address lookup's link to the gazetteer for pages: look a postcode or a UPRN up for
``webui.forms.address``, and fill in the addresses found for every address field of a page."""
from __future__ import annotations

from typing import Any

from engine import places
from engine.errors import UserError

from .current import context
from .forms.address import looked_up
from .forms.components import Values
from .forms.model import Field, Kind, flatten

POSTCODE_WRONG = "Enter a real postcode, like AN1 2BC"


def lookup(postcode: str) -> list[dict[str, Any]]:
    """The addresses at ``postcode``; ValueError (shown beside the postcode) when it is not one."""
    try:
        return [address.to_dict() for address in places.lookup(context(), postcode)]
    except UserError:
        raise ValueError(POSTCODE_WRONG) from None


def find(uprn: int) -> dict[str, Any] | None:
    found = places.find_address(context(), uprn)
    return found.to_dict() if found is not None else None


def with_addresses(fields: list[Field], values: Values) -> Values:
    """``values`` with the addresses at each address field's postcode, for the page to offer."""
    return {**values, **{f.name: looked_up(values.get(f.name), lookup)
                         for f in flatten(fields) if f.kind is Kind.ADDRESS}}
