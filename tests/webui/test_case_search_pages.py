"""Staff find a case from the search box in the header and on /cases, land on the case when they
type its reference in full, and log the customer's repeat contact from the case page."""
from __future__ import annotations

import html
import re

import pytest

from engine.casework import contacts
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.engine.test_case_search import ADVISOR, OFFICER, OUTSIDER, seed
from tests.webui.conftest import csrf_token, sign_in


@pytest.fixture
def world(ctx, app):
    return seed(ctx)


def client_for(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def references(page: str) -> list[str]:
    return re.findall(r'href="/cases/(CF-\d+)"', page)


def test_staff_pages_carry_the_search_box_in_the_header(app, world, signed_in):
    page = text(client_for(app, OFFICER).get("/inbox"))
    assert 'action="/cases"' in page and 'id="header-search"' in page
    analyst = signed_in(Role.ANALYST)
    assert 'id="header-search"' not in text(analyst.get("/"))  # analysts work no cases
    assert analyst.get("/cases?q=pat").status_code == 403


def test_cases_are_found_by_each_detail_the_resident_quotes(app, world):
    client = client_for(app, ADVISOR)
    for typed, expected in (("Pat", [world.bin]), ("07700 900123", [world.bin]), ("pat.smith@example.com", [world.bin]),
                            ("AN1 2BC", [world.bin]), ("Mill Lane", [world.bin]),
                            ("zz9", [world.cancelled, world.pothole]), (world.bin.split("-")[1], [world.bin])):
        response = client.get("/cases", query_string={"q": typed})
        assert response.status_code == 200, typed
        assert references(response.get_data(as_text=True)) == expected, typed


def test_results_show_service_customer_status_team_and_due_date(app, world):
    page = text(client_for(app, ADVISOR).get("/cases?q=sam"))
    assert_good_page(page)
    assert "2 cases found" in page and "Pothole report" in page and "Sam Jones" in page
    assert "Cancelled" in page and "Customer Hub" in page and "No SLA" in page
    assert ">Due<" in page and ">Team<" in page


def test_filters_keep_their_choices_and_narrow_the_results(app, world):
    page = text(client_for(app, ADVISOR).get("/cases?q=sam&status=open&service=pothole_report"))
    assert references(page) == [world.pothole]
    assert '<option value="open" selected>' in page and '<option value="pothole_report" selected>' in page


def test_a_reference_typed_in_full_goes_straight_to_the_case(app, world):
    client = client_for(app, OFFICER)
    response = client.get("/cases", query_string={"q": world.bin.lower().replace("-", "")})
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{world.bin}"
    # A reference the person may not see is "no cases found", exactly like one that does not exist.
    for reference in (world.pothole, "CF-999999"):
        page = text(client.get("/cases", query_string={"q": reference}))
        assert "No cases found" in page and references(page) == []


def test_someone_outside_the_teams_finds_nothing(app, world):
    page = text(client_for(app, OUTSIDER).get("/cases?q=pat"))
    assert "No cases found" in page


def test_results_are_paginated(app, world):
    from webui import casesearch
    casesearch.PAGE_SIZE, size = 1, casesearch.PAGE_SIZE
    try:
        page = text(client_for(app, ADVISOR).get("/cases?q=sam&page=2"))
    finally:
        casesearch.PAGE_SIZE = size
    assert references(page) == [world.pothole] and 'aria-label="Pages of cases"' in page


def test_an_advisor_logs_a_repeat_contact_and_it_is_on_the_timeline(app, world):
    client = client_for(app, ADVISOR)
    page = client.get(f"/cases/{world.bin}").get_data(as_text=True)
    assert "Log a contact from the customer" in page and "has not been in touch" in page
    response = client.post(f"/cases/{world.bin}/contacts", data={
        "csrf_token": csrf_token(page), "channel": "phone", "kind": "chasing", "text": "Asked when the crew returns"})
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{world.bin}#contacts"
    page = text(client.get(f"/cases/{world.bin}"))
    assert_good_page(page)
    assert "Contact logged" in page and "has been in touch once about this case" in page
    assert "The customer got in touch by phone (chasing progress); Alex Advisor took it: Asked when the crew returns" in page
    [logged] = contacts.list_contacts(app.extensions["councilflow"], world.bin, ADVISOR)
    assert (logged.channel, logged.kind, logged.logged_by) == ("phone", "chasing", ADVISOR)


def test_a_contact_with_mistakes_is_shown_again_with_its_errors_and_what_was_typed(app, world):
    client = client_for(app, ADVISOR)
    token = csrf_token(client.get(f"/cases/{world.bin}").get_data(as_text=True))
    response = client.post(f"/cases/{world.bin}/contacts", data={
        "csrf_token": token, "channel": "email", "kind": "gossip", "text": "   "})
    page = text(response)
    assert response.status_code == 400
    assert_good_page(page)
    assert "<title>Error: " in page and "There is a problem" in page
    assert 'href="#contact-kind">Select why the customer got in touch' in page
    assert 'href="#contact-text">Enter what the customer said' in page
    assert '<option value="email" selected>' in page and re.search(r'<details class="govuk-details[^"]*" open>', page)
    assert contacts.list_contacts(app.extensions["councilflow"], world.bin, ADVISOR) == []


def test_a_contact_form_without_its_csrf_token_is_refused(app, world):
    client = client_for(app, ADVISOR)
    response = client.post(f"/cases/{world.bin}/contacts", data={"channel": "phone", "kind": "other", "text": "Hi"})
    assert response.status_code == 400
    assert contacts.list_contacts(app.extensions["councilflow"], world.bin, ADVISOR) == []


def test_someone_outside_the_cases_teams_cannot_log_a_contact(app, world):
    client = client_for(app, OUTSIDER)
    token = csrf_token(client.get("/inbox").get_data(as_text=True))
    response = client.post(f"/cases/{world.bin}/contacts", data={
        "csrf_token": token, "channel": "phone", "kind": "other", "text": "Hello"})
    assert response.status_code == 404
