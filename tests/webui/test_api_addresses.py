"""``GET /api/v1/addresses?postcode=...``: the gazetteer's addresses for staff, with a 422 for a postcode
that is not one."""
from __future__ import annotations

import pytest

from engine.people import tokens
from engine.places import gazetteer
from engine.types import Role
from tests.engine.test_gazetteer import ROOT
from tests.webui.test_api import Api


@pytest.fixture
def api(app, ctx, make_user):
    gazetteer.import_file(ctx, ROOT / "examples" / "demo_gazetteer.csv")

    def for_role(role: Role) -> Api:
        email = make_user(f"{role.value}@example.gov.uk", role)
        with ctx.db.transaction() as session:
            token = tokens.create_token(session, email, ctx.clock.now())
        return Api(app.test_client(), token, email)
    return for_role


def test_an_advisor_finds_the_addresses_at_a_postcode(api):
    found = api(Role.FRONT_OFFICE).get("/addresses", query_string={"postcode": "an12bc"})
    assert found.status_code == 200
    rows = found.get_json()
    assert len(rows) == 20 and [r["address"] for r in rows[:3]] == [
        "1 Mill Lane, Anytown", "2 Mill Lane, Anytown", "3 Mill Lane, Anytown"]
    assert rows[0] == {"uprn": 990000100001, "address": "1 Mill Lane, Anytown", "postcode": "AN1 2BC",
                       "lat": rows[0]["lat"], "long": rows[0]["long"]}
    assert 52 < rows[0]["lat"] < 53 and -2 < rows[0]["long"] < -1


def test_an_unknown_postcode_is_an_empty_list_and_a_wrong_one_a_422(api):
    officer = api(Role.BACK_OFFICE)
    assert officer.get("/addresses?postcode=ZZ9%209ZZ").get_json() == []
    wrong = officer.get("/addresses?postcode=Mill%20Lane")
    assert wrong.status_code == 422 and wrong.get_json()["errors"] == {"postcode": "Enter a real postcode, like AN1 2BC"}
    assert officer.get("/addresses").status_code == 422


def test_addresses_are_for_staff_with_a_token(api, app):
    assert api(Role.ANALYST).get("/addresses?postcode=AN1%202BC").status_code == 403
    assert app.test_client().get("/api/v1/addresses?postcode=AN1%202BC").status_code == 401
