"""The Open Referral UK feed's fixtures: the web app and signed-in clients of tests/webui, a small
directory with something of every kind in it, and a validator for the feed's own JSON Schemas."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from engine.catalogue import directory_files as files
from tests.webui.conftest import app, make_user, signed_in  # noqa: F401  (fixtures)

SCHEMAS = Path(__file__).parent / "schemas"
BASE = "https://councilflow.test/openreferral/"  # the schemas' own $id prefix (no network)
ADMIN = "admin@example.gov.uk"
# Words that must never leave the council: each appears once, in a field the feed must not publish.
SECRETS = {"guidance": "ZEBRA-GUIDANCE-7731", "guidance_owner": "Owner-Ocelot", "team": "Quokka Crew",
           "restricted_name": "Walrus safeguarding triage", "restricted_info": "WALRUS-PUBLIC-INFO"}
DIRECTORY = {
    "partners": [{"name": "Anytown Homes", "email": "repairs@anytownhomes.org.uk", "phone": "01632 960000",
                  "website": "www.anytownhomes.org.uk"}],
    "services": [
        {"key": "dog_fouling", "name": "Dog fouling", "action": "hand_off", "team": SECRETS["team"], "lgsl": 524,
         "synonyms": ["dog poo", "dog mess"], "description": "Report dog mess on a street or in a park.",
         "public_info": "We clear it within **2 working days**. See [our map](https://anytown.example/map).",
         "guidance": f"Ask where exactly. {SECRETS['guidance']}", "guidance_owner": SECRETS["guidance_owner"]},
        {"key": "housing_repairs", "name": "Council housing repairs", "action": "refer", "partner": "Anytown Homes",
         "lgsl": 1, "description": "Repairs to council homes, done by Anytown Homes.", "public_info": "Call them."},
        {"key": "bulky_waste", "name": "Bulky waste collection", "action": "resolve", "lgsl": 524,
         "public_info": "Book online; 100% of the fee is refunded if we miss it."},
        {"key": "parking_permits", "name": "Parking permits", "action": "resolve"},
        {"key": "adult_safeguarding", "name": SECRETS["restricted_name"], "action": "hand_off",
         "team": SECRETS["team"], "lgsl": 30, "sensitivity": "restricted", "public_info": SECRETS["restricted_info"]},
    ]}
PUBLISHED = ["Bulky waste collection", "Council housing repairs", "Dog fouling", "Parking permits"]


@pytest.fixture
def directory(ctx):
    """The directory above, imported as a council would (all or nothing, through the file import)."""
    files.import_directory(ctx, files.read(json.dumps(DIRECTORY), "json"), ADMIN)
    return ctx


def _registry() -> Registry:
    resources = [Resource.from_contents(json.loads(p.read_text())) for p in SCHEMAS.glob("*.json")]
    return Registry().with_resources((r.contents["$id"], r) for r in resources)


@pytest.fixture(scope="session")
def conforms():
    """``conforms(document, "page.json", contents="service_summary.json")``: raises the first way
    ``document`` breaks the schema (and, for a page, the way any of its contents breaks theirs)."""
    registry = _registry()

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": BASE + name}, registry=registry, format_checker=FormatChecker())

    def check(document, name: str, contents: str | None = None) -> None:
        validator(name).validate(document)
        for entry in document["contents"] if contents else []:
            validator(contents).validate(entry)
    return check
