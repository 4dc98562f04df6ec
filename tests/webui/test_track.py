"""/track: a resident reads their case's public status with its reference and the email, phone or
postcode they gave; the analyst's wording, dates and milestones only (never notes, officer or team
names, task data); one neutral answer for any wrong combination, and a limit on attempts."""
from __future__ import annotations

import re

import pytest

from engine.casework import cases, notes
from engine.deadlines import sla
from engine.people import users
from engine.residents import publishing
from engine.types import Channel, Role, SlaUnit
from tests.engine.helpers import complete
from tests.webui.conftest import csrf_token
from tests.processes.test_shipped_processes import backoffice, council, work  # noqa: F401  (fixtures)
from tests.webui.test_residents import published, report  # noqa: F401  (the fixture)
from webui.app import create_app

NEUTRAL = "We could not find a case with those details"


def track(client, reference: str, secret: str):
    token = csrf_token(client.get("/track").get_data(as_text=True))
    return client.post("/track", data={"reference": reference, "secret": secret, "csrf_token": token})


@pytest.fixture
def reported(app, published, make_user):
    sla.set_policy(published, "missed_bin_collection", None, sla.SlaTerms(SlaUnit.WORKING_DAYS, 2), "admin@x.gov.uk")
    html = report(app.test_client(), contact_phone="07700 900123").get_data(as_text=True)
    return re.search(r"CF-\d{6}", html).group(0)


@pytest.fixture
def council_app(council):
    """The app on a council whose maps reach the fake back office (Notify among it)."""
    publishing.publish(council, "missed_bin_collection", channels=["web"], title="Report a missed bin", actor="a@x")
    sla.set_policy(council, "missed_bin_collection", None, sla.SlaTerms(SlaUnit.WORKING_DAYS, 2), "admin@x.gov.uk")
    return create_app({"CONTEXT": council, "SECRET_KEY": "test", "SESSION_COOKIE_SECURE": False})


def test_the_resident_tracks_their_case_to_closed_with_any_detail_they_gave(council_app, council, backoffice):
    published, client = council, council_app.test_client()
    html = report(client, contact_phone="07700 900123").get_data(as_text=True)
    reported = re.search(r"CF-\d{6}", html).group(0)
    work(council)
    sent = backoffice.notifications()
    assert sent and sent[0][1] == "rosa@example.org" and reported in str(sent[0][2])  # Notify's confirmation
    for secret in ("rosa@example.org", "ROSA@EXAMPLE.ORG", "07700900123", "+44 7700 900 123", "an12bc"):
        page = track(client, reported.lower(), secret)
        assert page.status_code == 200, secret
    html = page.get_data(as_text=True)
    assert "Checking your report" in html and "We aim to finish by" in html
    officer = "olive.officer@example.gov.uk"
    with council.db.transaction() as session:
        users.add_user(session, officer, "Olive Officer", [Role.FRONT_OFFICE, Role.BACK_OFFICE], council.clock.now(),
                       ["Customer Hub", "Waste Services"], "correct horse battery staple")
    view = cases.show_case(published, reported).case
    notes.add_note(published, reported, "Resident sounded cross; gate code 4321", officer)
    view = complete(published, view, "record_missed_collection",
                    {"bin_type": "recycling", "scheduled_collection_date": "2026-12-01", "bin_out_by_7am": "yes",
                     "bin_location": "kerbside", "crew_report": "none"}, officer)
    html = track(client, reported, "AN1 2BC").get_data(as_text=True)
    assert "With Waste Services: a crew will come back for your bin" in html
    complete(published, view, "arrange_recollection", {"recollection_result": "collected",
                                                      "recollection_date": "2026-12-03"}, officer)
    work(council)
    html = track(client, reported, "AN1 2BC").get_data(as_text=True)
    assert cases.show_case(published, reported).case.status == "completed", html[-3000:]
    assert "Closed: your bin has been collected" in html and "We aim to finish by" not in html
    for internal in ("olive", "Resident sounded cross", "4321", "Waste Services</", "Customer Hub", "crew_report",
                     "Arrange re-collection", "Behind the green gate", "Rosa Resident"):
        assert internal not in html, internal


def test_wrong_combinations_get_one_neutral_answer(app, published, reported):
    client = app.test_client()
    answers = [track(client, reported, "someone@else.org"), track(client, "CF-999999", "rosa@example.org"),
               track(client, reported, "AN9 9ZZ"), track(client, "nonsense", "x")]
    assert {a.status_code for a in answers} == {404}
    texts = {re.sub(r'value="[^"]*"', "", a.get_data(as_text=True)) for a in answers}
    assert all(NEUTRAL in t for t in texts)
    blank = track(client, "", "")
    assert blank.status_code == 400 and "Enter your reference number" in blank.get_data(as_text=True)


def test_tracking_attempts_are_limited_per_address(app, published):
    client = app.test_client()
    codes = [track(client, f"CF-{n:06d}", "AN1 2BC").status_code for n in range(11)]
    assert codes[:10] == [404] * 10 and codes[10] == 429  # 10 a minute (RESIDENT_TRACK_LIMIT)
    assert client.get("/track").status_code == 200  # reading the form is not an attempt
