"""Admins keep the directory of services on pages: the list with its filters and tags, an entry added
and changed (every problem named and linked from the summary), removed after a confirmation,
partners, and the whole directory imported all or nothing and downloaded. Only admins get in."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest

from engine.catalogue import directory_entries as de
from engine.clock import FixedClock
from engine.catalogue import directory_files as files
from engine.errors import NotFound
from engine.types import Role
from tests.engine.helpers import deploy_library
from tests.engine.test_directory_entries import ADMIN, CSV

from .conftest import csrf_token

PAGE = "/admin/directory"
DOG = {"key": "dog_fouling_2", "name": "Dog fouling (parks)", "synonyms": "dog mess, dog poo", "lgsl": "371",
       "description": "Report dog fouling in a park.", "action": "hand_off", "team": "", "new_team": "Park Rangers",
       "sensitivity": "normal", "public_info": "Bag it and bin it.", "guidance": "Ask **where** and when.",
       "guidance_owner": "Parks lead", "guidance_review_on-day": "31", "guidance_review_on-month": "3",
       "guidance_review_on-year": "2027", "related": "dog_fouling"}


@pytest.fixture
def admin(signed_in, ctx):
    deploy_library(ctx)
    files.import_directory(ctx, files.read(CSV, "csv"), ADMIN)
    return signed_in(Role.ADMIN)


def post(client, url, data=None, **kwargs):
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def test_the_list_shows_each_service_with_what_is_done_who_delivers_it_and_its_tags(admin, ctx):
    ctx.clock = FixedClock(datetime(2027, 4, 2, 9, tzinfo=timezone.utc))  # dog fouling's review was due 31 March
    page = admin.get(PAGE).get_data(as_text=True)
    assert "5 of 5 services" in page and 'href="/admin/directory/services/dog_fouling"' in page
    row = page.split("Dog fouling</a>")[1].split("</tr>")[0]
    assert "Hand it off to a council team" in row and "Dog Wardens" in row and "Guidance out of date" in row
    safeguarding = page.split("Adult safeguarding concern</a>")[1].split("</tr>")[0]
    assert "Restricted" in safeguarding and "Guidance out of date" not in safeguarding
    leisure = page.split("Leisure centre membership</a>")[1].split("</tr>")[0]
    assert "Anytown Leisure Trust (partner)" in leisure and "Refer it to a partner organisation" in leisure


def test_the_list_filters_by_action_and_text(admin):
    page = admin.get(PAGE + "?action=hand_off").get_data(as_text=True)
    assert "2 of 5 services" in page and "Dog fouling" in page and "Council opening hours" not in page
    page = admin.get(PAGE + "?q=poo").get_data(as_text=True)
    assert "1 of 5 services" in page and "Dog fouling" in page
    assert "No service matches" in admin.get(PAGE + "?action=start&q=poo").get_data(as_text=True)


def test_an_admin_adds_a_service_and_its_new_team_is_created(admin, ctx):
    response = post(admin, PAGE + "/new", DOG)
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    assert "Dog fouling (parks) added to the directory" in admin.get(PAGE).get_data(as_text=True)
    saved = de.get_entry(ctx, "dog_fouling_2")
    assert (saved.team, saved.lgsl, saved.synonyms, saved.related) == ("Park Rangers", 371, ("dog mess", "dog poo"),
                                                                      ("dog_fouling",))
    assert saved.guidance_review_on.isoformat() == "2027-03-31" and saved.updated_by == "admin@example.gov.uk"


def test_every_problem_is_named_and_linked_from_the_summary_and_nothing_is_saved(admin, ctx):
    bad = {**DOG, "key": "Dog Fouling", "name": " ", "lgsl": "five", "action": "refer", "partner": "",
           "guidance_review_on-day": "31", "guidance_review_on-month": "2", "related": "no_such_service"}
    response = post(admin, PAGE + "/new", bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count('class="govuk-error-message"') == 6
    for anchor in ("#key", "#name", "#lgsl", "#partner", "#guidance_review_on-day", "#related"):
        assert f'href="{anchor}"' in page
    assert "The LGSL id must be a whole number" in page and "There is no service &#39;no_such_service&#39;" in page
    assert 'value="Dog Fouling"' in page and 'value="Park Rangers"' in page  # what was typed is kept
    assert "<title>Error: Add a service" in page
    with pytest.raises(NotFound):
        de.get_entry(ctx, "Dog Fouling")


def test_a_new_service_cannot_take_an_existing_key(admin):
    response = post(admin, PAGE + "/new", {**DOG, "key": "dog_fouling"})
    assert response.status_code == 400 and "There is already a service with the key" in response.get_data(as_text=True)


def test_changing_a_service_keeps_its_key_and_replaces_the_rest(admin, ctx):
    page = admin.get(PAGE + "/services/dog_fouling").get_data(as_text=True)
    assert "Change Dog fouling" in page and 'value="dog mess, dog poo"' in page and 'value="2027"' in page
    assert 'name="key"' not in page
    response = post(admin, PAGE + "/services/dog_fouling", {**DOG, "key": "ignored", "action": "start",
                                                           "process": "missed_bin_collection", "new_team": ""})
    assert response.status_code == 302
    saved = de.get_entry(ctx, "dog_fouling")
    assert (saved.name, saved.action, saved.process) == ("Dog fouling (parks)", "start", "missed_bin_collection")
    with pytest.raises(NotFound):
        de.get_entry(ctx, "ignored")


def test_a_start_service_needs_a_deployed_process(admin):
    response = post(admin, PAGE + "/services/dog_fouling", {**DOG, "action": "start", "process": ""})
    assert response.status_code == 400 and 'href="#process"' in response.get_data(as_text=True)


def test_the_guidance_preview_renders_markdown_without_html_and_saves_nothing(admin, ctx):
    response = post(admin, PAGE + "/services/dog_fouling",
                    {**DOG, "guidance": "## Ask\n\n* where\n\n<script>alert(1)</script>", "preview": "yes"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="guidance-preview"' in page
    preview = page.split('id="guidance-preview"')[1].split("</div>")[0]
    assert '<h2 class="govuk-heading-m">Ask</h2>' in preview and '<ul class="govuk-list govuk-list--bullet">' in preview
    assert "<script>" not in preview and "&lt;script&gt;" in preview
    assert de.get_entry(ctx, "dog_fouling").guidance == "Ask where and when."


def test_removing_a_service_asks_first(admin, ctx):
    page = admin.get(PAGE + "/services/opening_hours/remove").get_data(as_text=True)
    assert "Are you sure you want to remove Council opening hours?" in page
    response = post(admin, PAGE + "/services/opening_hours/remove")
    assert response.status_code == 302
    assert "Council opening hours was removed from the directory" in admin.get(PAGE).get_data(as_text=True)
    with pytest.raises(NotFound):
        de.get_entry(ctx, "opening_hours")
    assert admin.get(PAGE + "/services/opening_hours").status_code == 404


def test_partners_are_listed_added_and_changed(admin, ctx):
    page = admin.get(PAGE + "/partners").get_data(as_text=True)
    assert "Anytown Leisure Trust" in page and "hello@leisure.example.org" in page
    response = post(admin, PAGE + "/partners/new", {"name": "Anytown Homes", "email": "help@homes.example.org",
                                                    "phone": "01632 960111", "website": "https://homes.example.org"})
    assert response.status_code == 302
    assert de.get_partner(ctx, "Anytown Homes").phone == "01632 960111"
    again = post(admin, PAGE + "/partners/new", {"name": "Anytown Homes"})
    assert again.status_code == 400 and 'href="#name"' in again.get_data(as_text=True)
    changed = post(admin, PAGE + "/partners/Anytown Homes", {"name": "Renamed", "phone": "x" * 51})
    assert changed.status_code == 400 and 'href="#phone"' in changed.get_data(as_text=True)
    post(admin, PAGE + "/partners/Anytown Homes", {"email": "new@homes.example.org"})
    assert de.get_partner(ctx, "Anytown Homes").email == "new@homes.example.org"


def test_an_import_with_problems_lists_every_one_and_saves_nothing(admin, ctx):
    bad = CSV.replace("fly_tipping_report", "fly_tiping").replace(",Adult Social Care,", ",,")
    bad = bad.replace("dog_fouling,Dog fouling", "dog_fouling,Dog fouling changed")
    response = post(admin, PAGE + "/import", {"file": (io.BytesIO(bad.encode()), "directory.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported from directory.csv" in page
    assert "line 3 (fly_tipping_entry): process: There is no process &#39;fly_tiping&#39; deployed" in page
    assert "line 5 (safeguarding_adult): team" in page and 'href="#file"' in page
    assert de.get_entry(ctx, "dog_fouling").name == "Dog fouling"


def test_an_import_that_is_not_csv_or_json_is_refused(admin):
    response = post(admin, PAGE + "/import", {"file": (io.BytesIO(b"x"), "directory.xlsx")},
                    content_type="multipart/form-data")
    assert response.status_code == 400 and "must be .csv or .json" in response.get_data(as_text=True)
    assert post(admin, PAGE + "/import").status_code == 400


def test_an_import_adds_and_updates_and_says_how_many(admin, ctx):
    exported = json.loads(files.export_json(ctx))
    exported["services"][0]["name"] = "Renamed service"
    exported["services"].append({"key": "pest_control", "name": "Pest control", "action": "resolve"})
    response = post(admin, PAGE + "/import", {"file": (io.BytesIO(json.dumps(exported).encode()), "d.json")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    page = admin.get(PAGE).get_data(as_text=True)
    assert "d.json imported: 1 services added, 5 updated, 1 partners" in page and "Pest control" in page


@pytest.mark.parametrize("file_format, mimetype", [("csv", "text/csv"), ("json", "application/json")])
def test_the_directory_downloads_as_an_attachment(admin, ctx, file_format, mimetype):
    response = admin.get(f"{PAGE}/export.{file_format}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f"attachment; filename=directory.{file_format}"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    text = response.get_data(as_text=True)
    assert text == (files.export_csv(ctx) if file_format == "csv" else files.export_json(ctx))


@pytest.mark.parametrize("url", [PAGE, PAGE + "/new", PAGE + "/services/dog_fouling", PAGE + "/partners",
                                 PAGE + "/export.csv", PAGE + "/services/dog_fouling/remove"])
def test_only_admins_get_in(signed_in, ctx, url):
    deploy_library(ctx)
    files.import_directory(ctx, files.read(CSV, "csv"), ADMIN)
    client = signed_in(Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.TEAM_LEAD, Role.ANALYST)
    assert client.get(url).status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post(PAGE + "/services/dog_fouling/remove", data={"csrf_token": token}).status_code == 403
    assert de.get_entry(ctx, "dog_fouling").name == "Dog fouling"


def test_the_directory_is_a_place_on_an_admins_start_page(admin):
    assert 'href="/admin/directory"' in admin.get("/").get_data(as_text=True)


def test_text_no_database_can_store_is_a_field_problem_not_a_failure(admin, ctx):
    response = post(admin, PAGE + "/new", {**DOG, "name": "Dog\x00fouling", "synonyms": "dog\x00mess"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'href="#name"' in page and 'href="#synonyms"' in page and "cannot be stored" in page
    partner = post(admin, PAGE + "/partners/new", {"name": "Anytown Homes", "email": "a\x00@example.org"})
    assert partner.status_code == 400 and 'href="#email"' in partner.get_data(as_text=True)
    assert [p.name for p in de.list_partners(ctx)] == ["Anytown Leisure Trust"]
