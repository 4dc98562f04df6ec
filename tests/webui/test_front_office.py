"""Front office pages: an advisor finds the service from the caller's words, finds or adds the
caller, starts the case with its channel, works it, and sees the outcome with "anything else?"."""
from __future__ import annotations

import re

import pytest

from engine.casework import cases, customers
from engine.casework.customers import CustomerQuery
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.engine.helpers import deploy_library
from tests.webui.conftest import csrf_token

GENUINE_MISS = {"bin_type": "refuse", "scheduled_collection_date-day": "10",
                "scheduled_collection_date-month": "3", "scheduled_collection_date-year": "2025",
                "bin_out_by_7am": "yes", "bin_location": "kerbside", "crew_report": "none"}
PAT = {"name": "Pat Smith", "address": "14 Mill Lane, Anytown", "postcode": "AN1 2BC",
       "phone": "07700 900123", "email": "pat@example.com"}


@pytest.fixture
def advisor(ctx, signed_in):
    deploy_library(ctx)
    return signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))


@pytest.fixture
def pat(ctx):
    return customers.create_customer(ctx, PAT)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_data(as_text=True)
    assert_good_page(body)
    return body


def post(client, url: str, data: dict, form_page: str | None = None):
    token = csrf_token(form_page if form_page is not None else client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_searching_bins_finds_missed_bin_collection_linking_to_start(advisor):
    body = page(advisor, "/services?q=bins")
    assert "1 service matches “bins”" in body
    assert 'href="/services/missed_bin_collection/start">Missed bin collection</a>' in body
    body = page(advisor, "/services?q=council+tax")
    assert body.index("Council Tax change of address") < body.index("Single person discount")


def test_without_a_search_every_service_is_listed_a_to_z(advisor):
    body = page(advisor, "/services")
    assert 'id="letter-M"' in body and "All services A to Z" in body
    assert body.index("Member enquiry") < body.index("Missed bin collection") < body.index("Pothole report")


def test_a_search_that_finds_nothing_offers_the_a_to_z(advisor):
    body = page(advisor, "/services?q=unicorns")
    assert "0 services match" in body and 'href="/services">all services A to Z</a>' in body


def test_the_chosen_customer_is_shown_and_carried_to_the_service(advisor, pat):
    body = page(advisor, f"/services?customer={pat.id}&q=pothole")
    assert "Customer: Pat Smith" in body and "AN1 2BC" in body
    assert f'href="/services/pothole_report/start?customer={pat.id}"' in body
    assert f'name="customer" value="{pat.id}"' in body  # the search keeps the customer
    assert page(advisor, "/services?customer=999", 404)


def test_customers_are_found_from_one_search_box_and_selected_for_the_service(advisor, pat):
    body = page(advisor, "/customers?q=smith+an1&service=missed_bin_collection")
    assert "1 customer matches" in body and "14 Mill Lane, Anytown, AN1 2BC" in body
    assert f'href="/services/missed_bin_collection/start?customer={pat.id}">Select' in body
    assert f'href="/customers/{pat.id}">Select' in page(advisor, "/customers?q=07700900123")
    assert "No customers match “Jo Bloggs”" in page(advisor, "/customers?q=Jo+Bloggs")


def test_a_new_customer_is_added_and_taken_on_to_the_service(advisor, ctx):
    form = page(advisor, "/customers/new?service=missed_bin_collection")
    assert 'autocomplete="postal-code"' in form and 'autocomplete="tel"' in form and 'type="email"' in form
    done = post(advisor, "/customers/new", {**PAT, "postcode": "an12bc", "service": "missed_bin_collection"}, form)
    created = customers.find_customers(ctx, CustomerQuery(name="Pat Smith"))[0]
    assert created.postcode == "AN1 2BC"
    assert done.status_code == 302
    assert done.headers["Location"] == f"/services/missed_bin_collection/start?customer={created.id}"
    start = page(advisor, done.headers["Location"])
    assert "Pat Smith added as a customer" in start and "Customer: Pat Smith" in start


def test_adding_a_customer_not_found_starts_from_what_was_searched_for(advisor):
    body = page(advisor, "/customers?q=Jo+Bloggs+an3+4de+07700900999&service=pothole_report")
    link = re.search(r'href="(/customers/new[^"]*)">Add a new customer', body).group(1).replace("&amp;", "&")
    form = page(advisor, link)
    assert 'value="Jo Bloggs"' in form and 'value="an3 4de"' in form and 'value="07700900999"' in form
    assert 'name="service" value="pothole_report"' in form


def test_bad_customer_details_are_shown_with_errors_and_kept(advisor, ctx):
    form = page(advisor, "/customers/new")
    refused = post(advisor, "/customers/new", {**PAT, "name": "", "email": "pat@", "postcode": "nowhere"}, form)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert_good_page(body)
    assert "There is a problem" in body and 'href="#name"' in body and 'href="#postcode"' in body
    assert "Enter an email address in the correct format" in body and 'value="07700 900123"' in body
    assert customers.find_customers(ctx, CustomerQuery(phone="07700900123")) == []


def test_customer_page_shows_details_and_earlier_cases_with_links(advisor, ctx, pat):
    earlier = cases.start_case(ctx, "missed_bin_collection", channel="email", customer_id=pat.id)
    body = page(advisor, f"/customers/{pat.id}")
    assert "<h1 class=\"govuk-heading-l\">Pat Smith</h1>" in body and "pat@example.com" in body
    assert f'<a class="govuk-link" href="/cases/{earlier.reference}">{earlier.reference}</a>' in body
    assert "Missed bin collection" in body and "Email, taken by system" in body and "With Customer Hub" in body
    assert f'href="/services?customer={pat.id}"' in body  # start a service for this customer
    assert page(advisor, "/customers/999", 404)


def test_customer_details_are_changed_with_the_same_checks(advisor, ctx, pat):
    url = f"/customers/{pat.id}/edit"
    form = page(advisor, url)
    assert 'value="AN1 2BC"' in form
    assert post(advisor, url, {**PAT, "email": "bad"}, form).status_code == 400
    done = post(advisor, url, {**PAT, "phone": "01632 960001"}, form)
    assert done.headers["Location"] == f"/customers/{pat.id}"
    assert customers.get_customer(ctx, pat.id).phone == "01632 960001"
    assert "Customer details updated" in page(advisor, done.headers["Location"])


def test_starting_a_case_needs_a_channel_and_leads_to_its_first_task(advisor, ctx, pat):
    url = f"/services/missed_bin_collection/start?customer={pat.id}"
    form = page(advisor, url)
    assert 'value="face-to-face"' in form and "Start case" in form
    missing = post(advisor, "/services/missed_bin_collection/start", {"customer": pat.id}, form)
    assert missing.status_code == 400 and "Select how the customer contacted us" in missing.get_data(as_text=True)
    assert_good_page(missing.get_data(as_text=True))
    done = post(advisor, "/services/missed_bin_collection/start", {"customer": pat.id, "channel": "phone"}, form)
    [started] = customers.customer_history(ctx, pat.id)
    assert started.channel == "phone" and started.started_by == "front_office@example.gov.uk"
    task = cases.show_case(ctx, started.reference).case.tasks[0]
    assert done.headers["Location"] == f"/tasks/{task.id}"
    assert cases.show_case(ctx, started.reference).data["customer_email"] == "pat@example.com"


def test_an_anonymous_report_starts_without_a_customer(advisor, ctx):
    form = page(advisor, "/services/pothole_report/start")
    assert "Find the customer" in form and "Start anonymous case" in form
    done = post(advisor, "/services/pothole_report/start", {"channel": "web"}, form)
    assert done.status_code == 302 and re.match(r"/tasks/\d+$", done.headers["Location"])


def test_an_unknown_service_or_customer_is_not_found(advisor):
    assert page(advisor, "/services/no_such_thing/start", 404)
    form = page(advisor, "/services/pothole_report/start")
    assert post(advisor, "/services/pothole_report/start", {"channel": "web", "customer": "999"},
                form).status_code == 404


def test_working_the_case_ends_handed_off_with_anything_else_for_the_customer(advisor, ctx, pat):
    form = page(advisor, f"/services/missed_bin_collection/start?customer={pat.id}")
    task_url = post(advisor, "/services/missed_bin_collection/start", {"customer": pat.id, "channel": "phone"},
                    form).headers["Location"]
    check = post(advisor, task_url, GENUINE_MISS, page(advisor, task_url)).get_data(as_text=True)
    answers = re.search(r'name="answers" value="([^"]+)"', check).group(1)
    done = post(advisor, f"{task_url}/check", {"answers": answers}, check)
    reference = customers.customer_history(ctx, pat.id)[0].reference
    assert done.headers["Location"] == f"/cases/{reference}/outcome"
    body = page(advisor, done.headers["Location"])
    assert "Handed off to Waste Services" in body and f"reference {reference}" in body and "Pat Smith" in body
    assert f'href="/services?customer={pat.id}"' in body and "Anything else for this customer?" in body


def test_a_case_the_front_office_finished_is_resolved_at_first_contact(advisor, ctx):
    view = cases.start_case(ctx, "missed_bin_collection", {"customer_name": "Lee Jones"})
    view = cases.complete_task(ctx, view.tasks[0].id, {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10",
                                                       "bin_out_by_7am": "no", "bin_location": "kerbside",
                                                       "crew_report": "not_presented"})
    cases.complete_task(ctx, view.tasks[0].id, {"resident_response": "accepts"})
    body = page(advisor, f"/cases/{view.reference}/outcome")
    assert "Resolved at first contact" in body and "Lee Jones" in body and view.reference in body
    assert "Start another service" in body  # no customer record to carry


def test_the_front_office_pages_are_for_the_front_office(signed_in, ctx):
    crew = signed_in(Role.BACK_OFFICE, teams=("Waste Services",))
    for url in ("/services", "/customers", "/customers/new", "/customers/1"):
        assert crew.get(url).status_code == 403
