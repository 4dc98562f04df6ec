"""Residents online (no sign-in): report a missed bin from its start page, check the answers, get a
reference; the case arrives on channel web for the Customer Hub, the resident's details become a new
customer (a possible match is flagged, never merged), and bots, floods and oversized forms are refused."""
from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from engine.bpmn import registry
from engine.casework import cases, notes
from engine.residents import publishing, web_reports
from engine.casework.customers import create_customer
from engine.persistence.tables import Case, Customer, Task
from engine.types import Role
from tests.conftest import FORMS, PROCESSES
from tests.webui.conftest import csrf_token

ADMIN = "admin@example.gov.uk"
ANSWERS = {"bin_type": "recycling", "scheduled_collection_date-day": "1", "scheduled_collection_date-month": "12",
           "scheduled_collection_date-year": "2026", "bin_out_by_7am": "yes", "bin_location": "kerbside",
           "additional_information": "Behind the green gate"}
CONTACT = {"contact_name": "Rosa Resident", "contact_address": "1 High Street, Anytown",
           "contact_postcode": "an1 2bc", "contact_email": "rosa@example.org", "contact_phone": ""}


@pytest.fixture
def published(ctx):
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    publishing.publish(ctx, "missed_bin_collection", channels=["web"], title="Report a missed bin", lgsl=524,
                       actor=ADMIN)
    return ctx


def post(client, url: str, data: dict, page: str | None = None):
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def report(client, **changes):
    """Fill the form, then accept and send it from the check page; the confirmation page's response."""
    checked = post(client, "/report/missed_bin_collection/form", {**ANSWERS, **CONTACT, **changes})
    assert checked.status_code == 200, checked.get_data(as_text=True)
    html = checked.get_data(as_text=True)
    assert "Check your answers before sending" in html
    answers = re.search(r'name="answers" value="([^"]+)"', html).group(1)
    sent = client.post("/report/missed_bin_collection/send", data={"answers": answers, "csrf_token": csrf_token(html)})
    assert sent.status_code == 302
    return client.get(sent.headers["Location"])


def test_a_resident_reports_a_missed_bin_without_signing_in(app, published, signed_in, caplog):
    caplog.set_level(logging.INFO, logger="engine")  # as production logs: the report's log line must be writable
    client = app.test_client()
    listing = client.get("/report").get_data(as_text=True)
    assert "Report a missed bin" in listing
    start = client.get("/report/missed_bin_collection").get_data(as_text=True)
    assert "Start now" in start and 'lang="en"' in start
    form = client.get("/report/missed_bin_collection/form").get_data(as_text=True)
    assert "Was your bin out by 7am on your collection day?" in form and "I&#39;m not sure" in form
    assert "crew_report" not in form and "in-cab" not in form  # the staff-only question stays with staff
    done = report(client)
    html = done.get_data(as_text=True)
    reference = re.search(r"CF-\d{6}", html).group(0)
    assert "Report sent" in html
    with published.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        customer = session.get(Customer, case.customer_id)
        open_tasks = [t.bpmn_id for t in session.scalars(select(Task).where(Task.case_id == case.id))]
    assert case.channel == "web" and case.data["bin_type"] == "recycling" and case.data["customer_email"] == \
        "rosa@example.org"
    assert (customer.name, customer.postcode) == ("Rosa Resident", "AN1 2BC")
    assert open_tasks == ["record_missed_collection"]  # the crew's report is the Hub's to read
    # The Customer Hub's form starts from what the resident said.
    hub = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    task_page = hub.get(f"/tasks/{case_id_task(published, reference)}").get_data(as_text=True)
    assert 'value="recycling" checked' in task_page or "value=\"recycling\"\n" in task_page or \
        re.search(r'value="recycling"[^>]*checked', task_page)


def case_id_task(ctx, reference: str) -> int:
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        return session.scalar(select(Task.id).where(Task.case_id == case.id))


def test_a_resident_matching_a_customer_is_flagged_for_staff_not_merged(app, published):
    known = create_customer(published, {"name": "Rosa R", "email": "ROSA@example.org", "postcode": "AN9 9ZZ"})
    html = report(app.test_client()).get_data(as_text=True)
    reference = re.search(r"CF-\d{6}", html).group(0)
    with published.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
    assert case.customer_id != known.id
    flagged = notes.list_notes(published, reference)
    assert len(flagged) == 1 and f"customer {known.id}, same email" in flagged[0].text
    assert "Not merged" in flagged[0].text


def test_mistakes_are_shown_beside_the_fields_in_residents_words(app, published):
    client = app.test_client()
    refused = post(client, "/report/missed_bin_collection/form",
                   {**CONTACT, "contact_postcode": "nowhere", "contact_email": "not-an-email"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Error:" in html
    assert "Select whether your bin was out by 7am" in html and "Enter an email address in the correct format" in html
    fixed_email = post(client, "/report/missed_bin_collection/form",
                       {**ANSWERS, **CONTACT, "contact_postcode": "nowhere"})
    assert fixed_email.status_code == 400 and "Enter a real postcode" in fixed_email.get_data(as_text=True)


def test_a_service_not_published_on_the_web_is_not_found(app, published):
    publishing.unpublish(published, "missed_bin_collection", "web", ADMIN)
    client = app.test_client()
    assert client.get("/report/missed_bin_collection").status_code == 404
    assert "Report a missed bin" not in client.get("/report").get_data(as_text=True)
    assert client.get("/report/housing_repair_request").status_code == 404


def test_bots_tampering_and_oversized_forms_are_refused_and_nothing_is_stored(app, published):
    client = app.test_client()
    bot = post(client, "/report/missed_bin_collection/form", {**ANSWERS, **CONTACT, "website": "http://spam"})
    assert bot.status_code == 400
    forged = post(client, "/report/missed_bin_collection/send", {"answers": "forged"},
                  page="/report/missed_bin_collection/form")
    assert forged.status_code == 400
    no_csrf = client.post("/report/missed_bin_collection/form", data={**ANSWERS, **CONTACT})
    assert no_csrf.status_code == 400
    huge = post(client, "/report/missed_bin_collection/form", {**ANSWERS, **CONTACT, "additional_information": "x" * 40_000})
    assert huge.status_code == 413
    with published.db.transaction(readonly=True) as session:
        assert session.scalars(select(Case)).all() == []


def test_form_posts_are_limited_per_address(ctx, published):
    from webui.app import create_app
    app = create_app({"CONTEXT": ctx, "SECRET_KEY": "test", "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    token = csrf_token(client.get("/report/missed_bin_collection/form").get_data(as_text=True))
    codes = [client.post("/report/missed_bin_collection/form", data={"csrf_token": token}).status_code
             for _ in range(21)]
    assert codes[:20] == [400] * 20 and codes[20] == 429  # 20 a minute (RESIDENT_FORM_LIMIT)
    limited = client.post("/report/missed_bin_collection/form", data={"csrf_token": token})
    assert "You have tried too many times" in limited.get_data(as_text=True) and "Retry-After" in limited.headers
    other = app.test_client()  # the limit is per address: another address is not held back
    assert other.get("/report/missed_bin_collection/form", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_the_same_form_sent_twice_starts_one_case_with_one_customer(app, published):
    client = app.test_client()
    checked = post(client, "/report/missed_bin_collection/form", {**ANSWERS, **CONTACT})
    html = checked.get_data(as_text=True)
    form = {"answers": re.search(r'name="answers" value="([^"]+)"', html).group(1), "csrf_token": csrf_token(html)}
    first = client.post("/report/missed_bin_collection/send", data=form)
    again = client.post("/report/missed_bin_collection/send", data=form)  # a double click, or back and send
    assert first.status_code == again.status_code == 302
    references = {re.search(r"CF-\d{6}", client.get(r.headers["Location"]).get_data(as_text=True)).group(0)
                  for r in (first, again)}
    assert len(references) == 1
    with published.db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_two_sendings_of_one_form_at_the_same_moment_start_one_case(published):
    """Both at once, on separate connections: one starts the case, the other is given it; a failed
    start keeps neither its customer nor its case."""
    answers = {"bin_type": "recycling", "scheduled_collection_date": "2026-12-01", "bin_out_by_7am": "yes",
               "bin_location": "kerbside"}
    contact = {"name": "Rosa Resident", "address": "1 High Street", "postcode": "AN1 2BC"}
    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(lambda _: web_reports.submit(published, "missed_bin_collection", answers, contact,
                                                             sending="same-page"), range(4)))
    assert len({r.reference for r in reports}) == 1
    with published.db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
