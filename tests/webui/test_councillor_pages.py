"""The councillors' area and Member Services' page through the app: who may reach each route, the
forms' GOV.UK errors, and that a member never reaches another member's enquiry by guessing its URL."""
from __future__ import annotations

import json
import re

import pytest

from engine.members import member_enquiries
from engine.types import Role
from tests.engine.helpers import deploy_library
from tests.webui.conftest import csrf_token, sign_in
from tests.webui.test_front_office import page, post

ENQUIRY = {"ward": "Riverside", "enquiry_type": "ward_issue", "enquiry_summary": "Street light out on Mill Road",
           "priority": "urgent"}


@pytest.fixture
def area(ctx, app, make_user):
    deploy_library(ctx)
    make_user("jones@example.gov.uk", Role.COUNCILLOR)
    make_user("patel@example.gov.uk", Role.COUNCILLOR)
    make_user("ms@example.gov.uk", Role.BACK_OFFICE, teams=("Member Services",))

    def client(email: str):
        c = app.test_client()
        assert sign_in(c, email).status_code == 302
        return c
    return client


def _routes(app, blueprint: str) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] == blueprint:
            url = rule.rule.replace("<reference>", "CF-000001")
            found += [(m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_councillor_route_is_for_councillors_only(app, area, signed_in):
    routes = _routes(app, "councillor")
    assert len(routes) == 5
    anonymous = app.test_client()
    for role in (Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.TEAM_LEAD, Role.ANALYST):
        staff = signed_in(role, teams=("Member Services",))
        for method, url in routes:
            assert staff.open(url, method=method).status_code in (403, 400), (role, method, url)  # 400: no CSRF
            assert anonymous.open(url, method=method).status_code in (302, 400)
    for method, url in routes:
        if method == "GET":
            assert staff.get(url).status_code == 403 and anonymous.get(url).status_code == 302


def test_member_services_page_is_for_member_services_staff(app, area, signed_in):
    [(_, url)] = [r for r in _routes(app, "member_services") if r[0] == "GET"]
    assert signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",)).get(url).status_code == 403
    assert area("jones@example.gov.uk").get(url).status_code == 403
    body = page(area("ms@example.gov.uk"), url)
    assert ">jones<" in body and ">patel<" in body and 'name="received_by"' in body


def test_councillor_raises_follows_and_adds_information(area):
    jones = area("jones@example.gov.uk")
    body = page(jones, "/councillor/")
    assert 'rel="manifest" href="/static/councillor/manifest.webmanifest"' in body and 'id="no-enquiries"' in body
    form = page(jones, "/councillor/enquiries/new")
    bad = post(jones, "/councillor/enquiries/new", {"enquiry_type": "on_behalf_of_resident"}, form)
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "There is a problem" in text and 'href="#resident_name"' in text and "Enter the ward" in text
    done = post(jones, "/councillor/enquiries/new", ENQUIRY, form)
    assert done.status_code == 302
    reference = done.headers["Location"].rsplit("/", 1)[1]
    body = page(jones, f"/councillor/enquiries/{reference}")
    assert "Street light out on Mill Road" in body and "Received" in body and "Due by" in body
    empty = post(jones, f"/councillor/enquiries/{reference}/information", {"information": ""}, body)
    assert empty.status_code == 400 and "Enter the information you want to add" in empty.get_data(as_text=True)
    added = post(jones, f"/councillor/enquiries/{reference}/information", {"information": "Lamp post 14"}, body)
    assert added.status_code == 302
    assert "Lamp post 14" in page(jones, f"/councillor/enquiries/{reference}")
    assert reference in page(jones, "/councillor/")


def test_another_councillor_gets_not_found_for_every_url_of_an_enquiry(ctx, area):
    reference = member_enquiries.raise_enquiry(ctx, "jones@example.gov.uk", ENQUIRY, "jones@example.gov.uk")
    patel = area("patel@example.gov.uk")
    assert reference not in page(patel, "/councillor/")
    assert patel.get(f"/councillor/enquiries/{reference}").status_code == 404
    token = csrf_token(patel.get("/councillor/").get_data(as_text=True))
    assert patel.post(f"/councillor/enquiries/{reference}/information",
                      data={"csrf_token": token, "information": "x"}).status_code == 404
    assert patel.get("/councillor/enquiries/CF-999999").status_code == 404


def test_member_services_raise_an_enquiry_the_councillor_then_follows(area):
    ms = area("ms@example.gov.uk")
    form = page(ms, "/member-services/enquiries/new")
    bad = post(ms, "/member-services/enquiries/new", {"councillor": "jones@example.gov.uk", **ENQUIRY}, form)
    assert bad.status_code == 400 and "Select how the councillor got in touch" in bad.get_data(as_text=True)
    done = post(ms, "/member-services/enquiries/new",
                {"councillor": "jones@example.gov.uk", "received_by": "email", **ENQUIRY}, form)
    assert done.status_code == 302
    listed = page(area("jones@example.gov.uk"), "/councillor/")
    assert "Street light out on Mill Road" in listed


def test_the_web_app_manifest_and_icons_are_served_from_here(app):
    client = app.test_client()
    manifest = client.get("/static/councillor/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    data = json.loads(manifest.get_data(as_text=True))
    assert data["start_url"] == "/councillor/" and data["display"] == "standalone"
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/councillor/")
        assert client.get(icon["src"]).status_code == 200


def test_an_admin_sets_a_councillors_ward_and_they_then_see_its_enquiries(ctx, app, area, signed_in):
    from engine.members import councillors
    reference = member_enquiries.raise_enquiry(ctx, "jones@example.gov.uk", ENQUIRY, "jones@example.gov.uk")
    admin = signed_in(Role.ADMIN)
    listed = page(admin, "/admin/councillors")
    patel = councillors.councillor(ctx, "patel@example.gov.uk")
    url = f"/admin/councillors/{patel.id}"
    assert url in listed
    assert signed_in(Role.BACK_OFFICE).get(url).status_code == 403
    form = page(admin, url)
    bad = post(admin, url, {"ward": "", "ward_visible": "yes"}, form)
    assert bad.status_code == 400 and "Enter the ward before" in bad.get_data(as_text=True)
    assert post(admin, url, {"ward": "Riverside", "ward_visible": "yes"}, form).status_code == 302
    assert councillors.councillor(ctx, "patel@example.gov.uk").ward_visible
    body = page(area("patel@example.gov.uk"), "/councillor/")
    assert reference in body and "jones's enquiry" in body
    assert page(admin, "/admin/users")  # a councillor's role has a name on the users page


def test_member_services_staff_find_their_page_from_home_and_councillors_find_theirs(area, signed_in):
    assert 'href="/member-services/enquiries/new"' in page(area("ms@example.gov.uk"), "/")
    assert 'href="/member-services/enquiries/new"' not in page(signed_in(Role.BACK_OFFICE, teams=("Highways",)), "/")
    home = page(area("jones@example.gov.uk"), "/")
    assert 'href="/councillor/"' in home and "/member-services/" not in home
    assert 'href="/councillor/"' not in page(signed_in(Role.ADMIN), "/")  # an admin is no councillor


def test_member_services_see_the_councillors_answers_in_the_log_form(ctx, area):
    reference = member_enquiries.raise_enquiry(ctx, "jones@example.gov.uk", ENQUIRY, "jones@example.gov.uk")
    from engine.casework import cases
    [task] = cases.show_case(ctx, reference).case.tasks
    body = page(area("ms@example.gov.uk"), f"/tasks/{task.id}")
    assert 'value="Riverside"' in body and "Street light out on Mill Road</textarea>" in body
    assert re.search(r'value="urgent"\s+checked', body) and re.search(r'value="ward_issue"\s+checked', body)


def test_a_councillor_works_in_welsh_and_member_services_stays_english(area):
    jones = area("jones@example.gov.uk")
    listing = jones.get("/councillor/?lang=cy").get_data(as_text=True)
    assert 'lang="cy"' in listing and "Fy ymholiadau" in listing and "Codi ymholiad" in listing
    assert "Allgofnodi" in listing and 'hreflang="en"' in listing
    form = jones.get("/councillor/enquiries/new").get_data(as_text=True)  # the choice is kept
    assert "Pa fath o ymholiad yw hwn?" in form and "Mater yn y ward" in form
    token = csrf_token(form)
    wrong = jones.post("/councillor/enquiries/new", data={"csrf_token": token}).get_data(as_text=True)
    assert "Mae problem wedi codi" in wrong and "Dewiswch pa fath o ymholiad yw hwn" in wrong  # the form's rule, in Welsh
    raised = jones.post("/councillor/enquiries/new", data={**ENQUIRY, "csrf_token": token})
    shown = jones.get(raised.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Ymholiad CF-\d{6} wedi’i godi", shown) or re.search(r"Ymholiad CF-\d{6} wedi&#8217;i godi", shown)
    assert "Hanes" in shown and "Ymholiad wedi" in shown and "Brys" in shown
    assert re.search(r"\d+ (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) "
                     r"\d{4}", shown)
    staff = area("ms@example.gov.uk").get("/member-services/enquiries/new?lang=cy").get_data(as_text=True)
    assert 'lang="en"' in staff and "Sign out" in staff
