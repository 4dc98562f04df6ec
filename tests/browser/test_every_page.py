"""Every page of the app, visited in Chromium by an admin (who may open all of them) with real data
behind it, passes axe-core's WCAG 2.2 A/AA rules and the structural page checks — including the
error pages. A page added later without sample values here makes this test fail, not skip."""
from __future__ import annotations

import uuid

import pytest

from engine.appointments import appointment_arrivals, appointment_calendar
from engine.bpmn import registry
from engine.casework import cases, customers, handback
from engine.catalogue import directory_entries
from engine.email import email_inbox, mail_intake
from engine.people import routing, users
from engine.residents import publishing
from engine.catalogue.directory_entries import Entry, PartnerInfo
from engine.types import Role
from tests.conftest import FORMS, PROCESSES
from tests.engine.mails import PDF, add_hub_mailbox, email
from webui.app import create_app

from .journey import check
from .server import add_staff, chromium
from .test_admin_incidents_sla_pages import refused_document  # noqa: F401  (fixture)

# GET endpoints that are not pages (files, XML, redirects) or are checked by their own tests
# (the Open Referral feed is JSON: tests/openreferral).
NOT_PAGES = {"health.healthz", "health.readyz", "metrics.metrics", "diagrams.version_xml", "documents.download", "analyst.download", "oidc.start",
             "oidc.callback", "tasks.check", "auth.sign_in", "forms_preview.preview",
             "notifications.open_one",
             "admin_directory_files.export", "emails.download",
             "appointment_calendar.ics",  # a calendar file: tests/webui/test_appointment_pages.py
             "mi.table_csv", "mi.all_ods",  # downloads: tests/webui/test_mi_pages.py reads them back
             "mi_live.board",  # a fragment the live board swaps in: tests/webui/test_mi_live.py
             "tasks.suggestions",  # a typeahead's JSON: tests/browser/test_spiff_widgets_journey.py
             "residents.sent",  # its address carries a signed receipt: tests/browser/test_resident_journey.py
             # A councillor's own pages: an admin is no elected member (test_councillor_journey.py visits them).
             "councillor.my_enquiries", "councillor.new_enquiry", "councillor.show"}
# Values for one endpoint whose argument of the same name means something else: a directory entry's key.
SERVICE_KEY = "every_page_service"
ENDPOINT_VALUES = {"services.entry": {"key": SERVICE_KEY}}
GENUINE_MISS = {"bin_type": "refuse", "scheduled_collection_date": "2026-11-16", "bin_out_by_7am": "yes",
                "bin_location": "kerbside", "crew_report": "none"}


def _page_endpoints(app) -> list[tuple[str, list[str]]]:
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in NOT_PAGES
             and r.endpoint.split(".")[0] not in {"api", "api_docs", "assets", "callbacks", "openreferral", "open311"}]
    return sorted((r.endpoint, sorted(r.arguments)) for r in rules)


@pytest.fixture
def samples(server, refused_document, dovecot):  # noqa: F811
    """A value for every page argument: a case handed back to the front office, its customer, its
    question, an incident, a team, a user, and a directory entry (of the process's key) with its partner."""
    ctx = server.ctx
    admin = add_staff(ctx, f"every-page-{uuid.uuid4().hex[:6]}@example.gov.uk", "Ada Admin", [Role.ADMIN],
                      ("Customer Hub", "Waste Services"))
    customer = customers.create_customer(ctx, {"name": "Pat Every", "postcode": "AN1 2BC"})
    started = cases.start_case(ctx, "missed_bin_collection", {}, customer_id=customer.id, actor=admin)
    waste = cases.complete_task(ctx, started.tasks[0].id, GENUINE_MISS, actor=admin).tasks[0]
    question = handback.hand_back(ctx, waste.id, "Which gate is the bin behind?", admin)
    with ctx.db.transaction(readonly=True) as session:
        team_id = routing.get_team(session, "Waste Services").id
        user_id = users.find_user(session, admin).id
    _, incident = refused_document
    partner = directory_entries.set_partner(ctx, PartnerInfo("Anytown Homes", "help@homes.example.org"), admin)
    directory_entries.save_entry(ctx, Entry("missed_bin_collection", "Missed bin collection", "start",
                                            process="missed_bin_collection", partner=partner.name,
                                            guidance="## Ask\n\n* which bin", sensitivity="restricted"), admin)
    # A directory service of its own (its page, /services/<key>, is for entries only); a hand-off so the
    # page shows the short form.
    registry.deploy(ctx, registry.read_paths([PROCESSES / "directory_hand_off.bpmn", FORMS]))
    directory_entries.save_entry(ctx, Entry(SERVICE_KEY, "Every page service", "hand_off", team="Waste Services",
                                            public_info="Tell them **when** we come.", guidance="Ask for the gate."),
                                 admin)
    councillor = add_staff(ctx, f"every-page-cllr-{uuid.uuid4().hex[:6]}@example.gov.uk", "Cllr Every",
                           [Role.COUNCILLOR])
    with ctx.db.transaction(readonly=True) as session:
        councillor_id = users.find_user(session, councillor).id
    add_hub_mailbox(ctx, dovecot, name=f"every-page-{uuid.uuid4().hex[:6]}")
    dovecot.deliver(email("Every page email", attachments=(("a.pdf", "application/pdf", PDF),)))
    mail_intake.poll_mailboxes(ctx)
    email_id = email_inbox.triage_inbox(ctx, admin)[-1].id
    publishing.publish(ctx, "missed_bin_collection", channels=["web"], actor=admin)  # its public pages
    tag = uuid.uuid4().hex[:6]  # an appointment's page: a walk-in at a hub of its own
    appointment_calendar.set_type(ctx, f"check-{tag}", "Every page check", 10, admin)
    appointment_calendar.set_location(ctx, f"hub-{tag}", "Every page hub", admin)
    walk_in = appointment_arrivals.walk_in(ctx, f"check-{tag}", f"hub-{tag}", "Walk In", admin)
    values = {"email_id": email_id, "councillor_id": councillor_id, "reference": started.reference,
              "task_id": waste.id, "customer_id": customer.id,
              "question_id": question.id, "incident_id": incident.id, "team_id": team_id, "user_id": user_id,
              "team": "Waste Services", "key": "missed_bin_collection", "version": 1,
              "bpmn_id": "record_missed_collection", "partner": partner.name}
    return admin, {**values, "appointment": walk_in.reference}


def test_every_page_is_accessible(server, samples):
    admin, values = samples
    app = create_app({"CONTEXT": server.ctx, "SECRET_KEY": "routes-only"})
    urls = app.url_map.bind("127.0.0.1")
    # A councillor's ward page is for a councillor, not the sample user.
    given = {**ENDPOINT_VALUES, "admin_councillors.councillor_ward": {"user_id": values["councillor_id"]},
             "appointments.show": {"reference": values["appointment"]}}
    pages = [urls.build(endpoint, {name: {**values, **given.get(endpoint, {})}[name] for name in arguments})
             for endpoint, arguments in _page_endpoints(app)]
    assert len(pages) >= 28  # every page of the four roles
    pages += ["/cases/CF-999999", "/no-such-page"]  # the 404 page, as staff meet it
    with chromium(server, admin) as context:
        page = context.new_page()
        for url in pages:
            response = page.goto(server.url + url)
            expected_missing = url in ("/cases/CF-999999", "/no-such-page")
            assert response.status == (404 if expected_missing else 200), f"{url}: {response.status}"
            check(page)


def test_the_refusal_page_is_accessible(server):
    officer = add_staff(server.ctx, f"refused-{uuid.uuid4().hex[:6]}@example.gov.uk", "Olu Officer",
                        [Role.BACK_OFFICE], ("Waste Services",))
    with chromium(server, officer) as context:
        page = context.new_page()
        assert page.goto(f"{server.url}/admin/users").status == 403
        assert "You do not have access to this page" in page.content()
        check(page)
