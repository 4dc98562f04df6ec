"""An advisor takes a contact about any directory service from its own page: the service's public
information, guidance (flagged when out of date) and who delivers it, then its action — resolve,
hand off with the short form, refer — each recorded as a case whose outcome the next page states,
with the entry's related services offered for "anything else?"."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.casework import cases, customers
from engine.catalogue import directory_entries, directory_files
from engine.catalogue.directory_entries import Entry
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.engine.helpers import deploy_library
from tests.webui.conftest import csrf_token
from tests.webui.test_front_office import page

DIRECTORY = Path(__file__).resolve().parents[2] / "examples" / "directory.json"
DOG_MESS = {"what": "Dog mess on the path by the school gates", "who": "Children walking to school",
            "where": "Mill Lane", "urgency": "soon"}


@pytest.fixture
def advisor(ctx, signed_in):
    deploy_library(ctx)
    directory_files.import_directory(ctx, directory_files.read(DIRECTORY.read_text(), "json"), "admin@example.gov.uk")
    return signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))


@pytest.fixture
def pat(ctx):
    return customers.create_customer(ctx, {"name": "Pat Smith", "phone": "07700 900123", "email": "pat@example.com"})


def take(client, key: str, data: dict, customer: int | None = None):
    entry_page = client.get(f"/services/{key}" + (f"?customer={customer}" if customer else "")).get_data(as_text=True)
    extra = {"customer": str(customer)} if customer else {}
    return client.post(f"/services/{key}/contact", data={"csrf_token": csrf_token(entry_page), **extra, **data})


def test_searching_dog_mess_links_to_the_entry_page_and_mapped_services_keep_their_start_link(advisor, pat):
    body = page(advisor, f"/services?q=dog+mess&customer={pat.id}")
    assert f'href="/services/dog_fouling?customer={pat.id}">Dog fouling</a>' in body
    body = page(advisor, "/services?q=pothole")
    assert 'href="/services/pothole_report/start">' in body and 'href="/services/pothole_report">Guidance' in body
    body = page(advisor, "/services")
    assert 'href="/services/dog_fouling">Dog fouling</a>' in body
    assert "Directory: hand off" not in body  # the generic maps are not services of their own


def test_the_entry_page_shows_information_guidance_team_and_the_short_form(advisor, pat):
    body = page(advisor, f"/services/dog_fouling?customer={pat.id}")
    assert '<h1 class="govuk-heading-l">Dog fouling</h1>' in body and "Customer: Pat Smith" in body
    assert "Bag it and bin it" in body and "Ask where and when it happens" in body
    assert "Owner: Customer Hub knowledge lead." in body and "Review by 30 September 2027." in body
    assert "Street Scene, a council team." in body and "past its review date" not in body
    assert 'name="what"' in body and 'name="urgency"' in body and 'name="channel"' in body
    assert "Hand off to Street Scene" in body and f'name="customer" value="{pat.id}"' in body
    body = page(advisor, "/services/money_advice")
    assert "Citizens Advice Anytown" in body and "Refer to Citizens Advice Anytown" in body
    assert 'href="/services/cost_of_living">' in body  # a related service


def test_guidance_past_its_review_date_is_flagged_and_markdown_is_rendered_safely(advisor, ctx):
    directory_entries.save_entry(ctx, Entry(
        "old_advice", "Old advice", "resolve", public_info="**Open** 9 to 5 <script>alert(1)</script>",
        guidance="See [the policy](https://example.org/policy)", guidance_owner="Hub lead",
        guidance_review_on=date(2020, 1, 31)), "admin@example.gov.uk")
    body = page(advisor, "/services/old_advice")
    assert "This guidance is past its review date" in body and "Check it with Hub lead" in body
    assert "<strong>Open</strong>" in body and "<script>alert" not in body and "&lt;script&gt;" in body
    assert '<a href="https://example.org/policy" class="govuk-link">the policy</a>' in body


def test_handing_off_records_a_case_in_street_scenes_inbox_and_says_so(advisor, ctx, pat):
    done = take(advisor, "dog_fouling", {**DOG_MESS, "channel": "phone"}, pat.id)
    assert done.status_code == 302, done.get_data(as_text=True)[:800]
    reference = customers.customer_history(ctx, pat.id)[0].reference
    assert done.headers["Location"] == f"/cases/{reference}/outcome"
    body = page(advisor, done.headers["Location"])
    assert "Handed off to Street Scene" in body and "Dog fouling for Pat Smith" in body
    [task] = cases.list_tasks(ctx, team="Street Scene")
    assert task.case == reference and task.name == "Deal with the hand-off"
    detail = cases.show_case(ctx, reference)
    assert detail.data["outcome"] == "handed_off" and detail.data["where"] == "Mill Lane"
    case_page = page(advisor, f"/cases/{reference}")
    assert "recorded the contact about Dog fouling: handed off to Street Scene" in case_page
    assert '<span class="govuk-caption-l">Dog fouling</span>' in case_page


def test_a_short_form_with_gaps_is_shown_again_with_its_errors(advisor, ctx):
    refused = take(advisor, "dog_fouling", {"what": "", "where": "Mill Lane"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert_good_page(body)
    assert "Enter what the customer needs" in body and "Select how urgent it is" in body
    assert "Select how the customer contacted us" in body and 'value="Mill Lane"' in body
    assert cases.list_tasks(ctx, team="Street Scene") == []


def test_resolved_and_signposted_contacts_say_so_and_offer_related_services(advisor, ctx, pat):
    done = take(advisor, "bin_collection_day", {"outcome": "resolved", "channel": "phone"}, pat.id)
    body = page(advisor, done.headers["Location"])
    assert "Resolved at first contact" in body and "Can we help with anything else?" in body
    assert f'href="/services/garden_waste?customer={pat.id}">' in body
    done = take(advisor, "bin_collection_day", {"outcome": "signposted", "channel": "email"})
    body = page(advisor, done.headers["Location"])
    assert "Signposted" in body and "Resolved at first contact" not in body
    assert 'href="/services/garden_waste">' in body
    assert [h.outcome for h in customers.customer_history(ctx, pat.id)] == ["Resolved first contact"]
    refused = take(advisor, "bin_collection_day", {"channel": "phone", "outcome": "shrugged"})
    assert refused.status_code == 400 and "Select how the contact ended" in refused.get_data(as_text=True)


def test_referring_sends_the_details_to_the_partner_and_says_so(advisor, ctx):
    done = take(advisor, "money_advice", {**DOG_MESS, "channel": "face-to-face"})
    body = page(advisor, done.headers["Location"])
    assert "Referred to Citizens Advice Anytown" in body and "are being sent" in body
    reference = done.headers["Location"].split("/")[2]
    data = cases.show_case(ctx, reference).data
    assert (data["outcome"], data["partner_email"]) == ("referred", "advice@cab.example.org")


def test_a_start_entry_links_to_its_start_page_and_takes_no_contact_here(advisor):
    body = page(advisor, "/services/pothole_report")
    assert 'href="/services/pothole_report/start"' in body and 'action="/services/pothole_report/contact"' not in body
    refused = take(advisor, "pothole_report", {"channel": "phone"})
    assert refused.status_code == 400


def test_unknown_services_are_not_found_and_only_the_front_office_may_take_contacts(advisor, signed_in):
    assert advisor.get("/services/no_such_service").status_code == 404
    crew = signed_in(Role.BACK_OFFICE, teams=("Street Scene",))
    assert crew.get("/services/dog_fouling").status_code == 403
    assert crew.post("/services/dog_fouling/contact", data={}).status_code in (400, 403)
