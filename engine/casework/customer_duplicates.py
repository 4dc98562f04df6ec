"""Who a customer being added may already be: the same name at the same postcode, the same email, or
the same phone number. Compared on the indexed keys case search already keeps (``customers.search_keys``:
postcode in capitals with one space, email in lower case, phone as digits with +44 as 0), so each
reading is one index look-up, and "07700 900123" finds "+44 7700 900 123".

A possible duplicate is a question for the advisor ("Use this customer" or "Add anyway"), never a
refusal: two people can share a phone, and a parent and child can share a name and an address.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, func, or_

from ..persistence.tables import Customer


def same_person(name: str | None, keys: dict[str, str | None]) -> ColumnElement[bool]:
    """The condition on ``Customer`` for a possible duplicate of ``name`` with these search ``keys``
    (false when nothing given could match)."""
    readings: list[ColumnElement[bool]] = []
    if name and keys.get("postcode_key"):
        readings.append(and_(Customer.postcode_key == keys["postcode_key"],
                             func.lower(Customer.name) == " ".join(name.split()).lower()))
    if keys.get("email_key"):
        readings.append(Customer.email_key == keys["email_key"])
    if keys.get("phone_key"):
        readings.append(Customer.phone_key == keys["phone_key"])
    return or_(*readings) if readings else false()


def reasons(customer: Customer, name: str | None, keys: dict[str, str | None]) -> list[str]:
    """Which details a possible duplicate shares, in words, for the advisor deciding."""
    found = []
    if name and keys.get("postcode_key") and customer.postcode_key == keys["postcode_key"] \
            and customer.name.lower() == " ".join(name.split()).lower():
        found.append("name and postcode")
    if keys.get("email_key") and customer.email_key == keys["email_key"]:
        found.append("email")
    if keys.get("phone_key") and customer.phone_key == keys["phone_key"]:
        found.append("phone")
    return found
