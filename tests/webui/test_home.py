"""The start page and the menu offer each role its places, and every place opens for that role."""
from __future__ import annotations

import re

import pytest

from engine.types import Role
from tests.browser.pagecheck import assert_good_page

PLACES = {
    Role.FRONT_OFFICE: {"/services", "/inbox", "/inbox/questions", "/emails", "/arrivals"},
    Role.BACK_OFFICE: {"/inbox"},
    Role.TEAM_LEAD: {"/inbox", "/mi"},
    Role.ANALYST: {"/processes", "/forms/", "/published-services"},
    Role.ADMIN: {"/admin/users", "/admin/teams", "/admin/tokens", "/admin/incidents", "/admin/sla",
                 "/admin/search-words", "/admin/directory", "/admin/mailboxes", "/admin/audit", "/admin/retention",
                 "/admin/appointments", "/services", "/inbox", "/inbox/questions", "/emails", "/arrivals", "/processes",
                 "/forms/", "/published-services", "/mi"},
}


@pytest.mark.parametrize("role", list(PLACES))
def test_each_role_is_offered_its_places_and_each_opens(signed_in, role):
    client = signed_in(role, teams=("Customer Hub",))
    home = client.get("/").get_data(as_text=True)
    assert_good_page(home)
    offered = set(re.findall(r'<h2 class="govuk-heading-m"><a class="govuk-link" href="([^"]+)"', home))
    assert offered == PLACES[role]
    for href in offered:
        assert client.get(href).status_code == 200, href


def test_the_menu_marks_the_place_the_page_is_under(signed_in):
    page = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",)).get("/inbox/questions").get_data(as_text=True)
    current = re.findall(r'govuk-service-navigation__item--active">\s*<a[^>]*href="([^"]+)"', page)
    assert current == ["/inbox/questions"]
