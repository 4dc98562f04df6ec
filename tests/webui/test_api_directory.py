"""The directory of services through the REST API: staff read entries (guidance included) and
partners, the service search ranks them; admins create, replace and remove entries and partners, and
import or export the whole file, all or nothing; every refusal is JSON."""
from __future__ import annotations

import json

import pytest

from engine.catalogue import directory_entries as de
from engine.catalogue import directory_files as files
from engine.errors import NotFound
from engine.types import Role
from tests.engine.helpers import deploy_library
from tests.engine.test_directory_entries import ADMIN, CSV
from tests.webui.test_api import api_as  # noqa: F401  (the fixture)

DOG = {"name": "Dog fouling (parks)", "action": "hand_off", "team": "Park Rangers", "synonyms": ["dog mess"],
       "lgsl": 371, "guidance": "Ask **where**.", "guidance_review_on": "2027-03-31", "related": ["dog_fouling"]}


@pytest.fixture
def directory(ctx):
    deploy_library(ctx)
    files.import_directory(ctx, files.read(CSV, "csv"), ADMIN)
    return ctx


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.TEAM_LEAD, Role.ANALYST])
def test_staff_read_entries_with_their_guidance_and_partners(api_as, directory, role):
    staff = api_as(role)
    listed = staff.get("/directory")
    assert listed.status_code == 200 and len(listed.json) == 5
    dog = staff.get("/directory/dog_fouling")
    assert dog.status_code == 200 and dog.json == de.get_entry(directory, "dog_fouling").to_dict()
    assert dog.json["guidance"] == "Ask where and when." and dog.json["guidance_review_on"] == "2027-03-31"
    assert staff.get("/partners").json == [{"name": "Anytown Leisure Trust", "email": "hello@leisure.example.org",
                                            "phone": "01632 960900", "website": "https://leisure.example.org"}]
    assert staff.get("/partners/Anytown Leisure Trust").json["phone"] == "01632 960900"
    missing = staff.get("/directory/no_such")
    assert missing.status_code == 404 and "There is no service 'no_such'" in missing.json["message"]
    assert staff.get("/partners/Nobody").status_code == 404


def test_the_list_is_ranked_by_the_service_search_and_filtered_by_action(api_as, directory):
    staff = api_as(Role.FRONT_OFFICE)
    found = staff.get("/directory?q=dog+poo").json
    assert [e["key"] for e in found][:1] == ["dog_fouling"]
    assert [e["key"] for e in staff.get("/directory?action=hand_off").json] == ["safeguarding_adult", "dog_fouling"]
    assert staff.get("/directory?q=dog+poo&action=refer").json == []
    wrong = staff.get("/directory?action=shout")
    assert wrong.status_code == 422 and "action" in wrong.json["errors"]


def test_an_admin_creates_replaces_and_removes_an_entry(api_as, directory):
    admin = api_as(Role.ADMIN)
    created = admin.open("PUT", "/directory/dog_parks", json=DOG)
    assert created.status_code == 201, created.json
    assert created.json["team"] == "Park Rangers" and created.json["updated_by"] == admin.email
    replaced = admin.open("PUT", "/directory/dog_parks", json={**created.json, "name": "Dog fouling in parks"})
    assert replaced.status_code == 200 and de.get_entry(directory, "dog_parks").name == "Dog fouling in parks"
    assert admin.open("DELETE", "/directory/dog_parks").status_code == 204
    with pytest.raises(NotFound):
        de.get_entry(directory, "dog_parks")
    assert admin.open("DELETE", "/directory/dog_parks").status_code == 404


@pytest.mark.parametrize("change, field", [
    ({"action": "start", "process": "no_such_process"}, "process"),
    ({"action": "refer", "team": None}, "partner"),
    ({"related": ["nowhere"]}, "related"),
    ({"lgsl": 0}, "lgsl"),
    ({"name": " "}, "name"),
    ({"guidance_review_on": "31/03/2027"}, "guidance_review_on"),
    ({"key": "other_key"}, "key"),
    ({"colour": "red"}, "colour"),
])
def test_a_wrong_entry_is_refused_field_by_field_and_nothing_is_saved(api_as, directory, change, field):
    refused = api_as(Role.ADMIN).open("PUT", "/directory/dog_parks", json={**DOG, **change})
    assert refused.status_code == 422, refused.json
    assert field in refused.json["errors"] or field in json.dumps(refused.json["errors"]), refused.json
    with pytest.raises(NotFound):
        de.get_entry(directory, "dog_parks")


def test_a_bad_key_is_a_field_error(api_as, directory):
    refused = api_as(Role.ADMIN).open("PUT", "/directory/Dog Parks", json=DOG)
    assert refused.status_code == 422 and "key" in refused.json["errors"]


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.TEAM_LEAD, Role.ANALYST])
def test_only_admins_write_or_export_the_directory(api_as, directory, role):
    staff = api_as(role)
    for method, path, kwargs in (("PUT", "/directory/dog_parks", {"json": DOG}),
                                 ("DELETE", "/directory/dog_fouling", {}),
                                 ("GET", "/directory/export", {}),
                                 ("POST", "/directory/import", {"json": {"services": []}}),
                                 ("PUT", "/partners/Anytown Homes", {"json": {"email": "a@example.org"}})):
        refused = staff.open(method, path, **kwargs)
        assert refused.status_code == 403 and "admin" in refused.json["message"], (method, path)
    assert de.get_entry(directory, "dog_fouling").name == "Dog fouling"
    assert [p.name for p in de.list_partners(directory)] == ["Anytown Leisure Trust"]


def test_without_a_token_nothing_is_read(app, directory):
    assert app.test_client().get("/api/v1/directory").status_code == 401


def test_an_admin_creates_and_changes_a_partner(api_as, directory):
    admin = api_as(Role.ADMIN)
    created = admin.open("PUT", "/partners/Anytown Homes", json={"email": "help@homes.example.org"})
    assert created.status_code == 201 and created.json == {"name": "Anytown Homes", "email": "help@homes.example.org",
                                                           "phone": None, "website": None}
    changed = admin.open("PUT", "/partners/Anytown Homes", json={"phone": "01632 960111"})
    assert changed.status_code == 200 and de.get_partner(directory, "Anytown Homes").phone == "01632 960111"
    too_long = admin.open("PUT", "/partners/Anytown Homes", json={"phone": "1" * 51})
    assert too_long.status_code == 422 and "phone" in too_long.json["errors"]


@pytest.mark.parametrize("file_format, mimetype", [("csv", "text/csv"), ("json", "application/json")])
def test_the_export_is_an_attachment_the_import_reads_back(api_as, directory, file_format, mimetype):
    admin = api_as(Role.ADMIN)
    exported = admin.get(f"/directory/export?format={file_format}")
    assert exported.status_code == 200 and exported.mimetype == mimetype
    assert exported.headers["Content-Disposition"] == f"attachment; filename=directory.{file_format}"
    assert exported.headers["X-Content-Type-Options"] == "nosniff"
    imported = admin.post("/directory/import", data=exported.get_data(), content_type=mimetype)
    assert imported.status_code == 200, imported.json
    assert imported.json == {"created": 0, "updated": 5, "partners": 1, "teams_created": []}
    assert admin.get("/directory/export?format=xml").status_code == 422


def test_an_import_with_problems_lists_every_one_and_saves_nothing(api_as, directory):
    admin = api_as(Role.ADMIN)
    body = json.loads(files.export_json(directory))
    body["services"][0]["name"] = "Changed"
    body["services"].append({"key": "new_one", "name": "New", "action": "start", "process": "fly_tiping"})
    body["services"].append({"key": "another", "name": "", "action": "resolve"})
    refused = admin.post("/directory/import", json=body)
    assert refused.status_code == 400
    assert refused.json["problems"] == ["service 6 (new_one): process: There is no process 'fly_tiping' deployed",
                                        "service 7 (another): name: Enter the service's name"]
    assert de.get_entry(directory, body["services"][0]["key"]).name != "Changed"
    csv_refused = admin.post("/directory/import", data=CSV.replace(",Dog Wardens,", ",,"),
                             content_type="text/csv")
    assert csv_refused.status_code == 400 and csv_refused.json["problems"][0].startswith("line 2 (dog_fouling): team")
    long_email = admin.post("/directory/import", data=CSV.replace("hello@leisure", "x" * 320 + "@leisure"),
                            content_type="text/csv")
    assert long_email.status_code == 400
    assert long_email.json["problems"] == ["partner Anytown Leisure Trust: email: The email must be 320 characters or fewer"]
    wrong_shape = admin.post("/directory/import", json={"services": [{"lgsl": "five"}]})
    assert wrong_shape.status_code == 422
    assert admin.post("/directory/import", data="x", content_type="text/plain").status_code == 415
