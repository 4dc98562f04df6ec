"""Adding a customer who may already be recorded: the same name and postcode, the same email or the
same phone number, however typed, is offered as a possible duplicate instead of being recorded twice;
the advisor can still add them anyway."""
from __future__ import annotations

import pytest

from engine.casework import customers
from engine.casework.customers import CustomerQuery, PossibleDuplicates
from tests.engine.test_customers import PAT, pat  # noqa: F401  (fixture)


@pytest.mark.parametrize("details, matched_on", [
    ({"name": "  pat   SMITH ", "postcode": "AN12BC"}, ["name and postcode"]),
    ({"name": "Patricia Smith", "email": " PAT.smith@EXAMPLE.com"}, ["email"]),
    ({"name": "P Smith", "phone": "+44 (7700) 900-123"}, ["phone"]),
    ({"name": "Pat Smith", "postcode": "AN1 2BC", "phone": "07700900123"}, ["name and postcode", "phone"]),
])
def test_a_person_already_recorded_is_offered_not_recorded_twice(ctx, pat, details, matched_on):  # noqa: F811
    with pytest.raises(PossibleDuplicates) as refused:
        customers.create_customer(ctx, details, allow_duplicate=False)
    assert [(m.id, m.name, m.matched_on) for m in refused.value.matches] == [(pat.id, "Pat Smith", matched_on)]
    assert refused.value.to_dict()["duplicates"][0]["postcode"] == "AN1 2BC"
    assert [c.id for c in customers.find_customers(ctx, CustomerQuery(name="smith"))] == [pat.id] + [
        c.id for c in customers.find_customers(ctx, CustomerQuery(name="smithson"))]  # nothing was added


@pytest.mark.parametrize("details", [
    {"name": "Pat Smith", "postcode": "AN1 2BD"},  # another Pat Smith, elsewhere
    {"name": "Kim Smith", "postcode": "AN1 2BC"},  # someone else at the same address
    {"name": "Pat Smith"},  # a name alone is too common to flag
])
def test_someone_else_is_not_flagged(ctx, pat, details):  # noqa: F811
    assert customers.possible_duplicates(ctx, details) == []
    assert customers.create_customer(ctx, details, allow_duplicate=False).name == details["name"]


def test_the_advisor_can_add_anyway(ctx, pat):  # noqa: F811
    twin = customers.create_customer(ctx, {**PAT, "email": None, "phone": None})  # the default: no check
    again = customers.create_customer(ctx, PAT, allow_duplicate=True)
    assert len({pat.id, twin.id, again.id}) == 3
    assert [m.id for m in customers.possible_duplicates(ctx, PAT)] == sorted([pat.id, twin.id, again.id])


def test_customers_are_searched_a_page_at_a_time(ctx, pat):  # noqa: F811
    for n in range(5):
        customers.create_customer(ctx, {"name": f"Smith Number{n}"})
    first = customers.customer_page(ctx, CustomerQuery(name="smith"), page=1, page_size=3)
    second = customers.customer_page(ctx, CustomerQuery(name="smith"), page=3, page_size=3)
    assert (first.total, len(first.items), len(second.items)) == (7, 3, 1)
    assert customers.customer_page(ctx, CustomerQuery()).total == 0
