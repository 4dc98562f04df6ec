"""Admins edit the service search's words on a page: synonyms added, turned off and restored, a
service's keywords changed, and a caller's phrase tried against them. Only admins get in."""
from __future__ import annotations

import pytest

from engine.catalogue import directory
from engine.types import Role
from tests.engine.helpers import deploy_library

from .conftest import csrf_token

PAGE = "/admin/search-words"


@pytest.fixture
def admin(signed_in, ctx):
    deploy_library(ctx)
    return signed_in(Role.ADMIN)


def post(client, url, **data):
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_the_page_lists_shipped_synonyms_and_service_keywords(admin):
    page = admin.get(PAGE).get_data(as_text=True)
    assert "Service search words" in page and "Pothole" in page
    assert "mattress" in page and "Turn off" in page and "Shipped" in page


def test_adding_a_synonym_changes_what_the_search_finds(admin, ctx):
    response = post(admin, f"{PAGE}/synonyms", said="Settee", meant="fly tipping")
    assert response.status_code == 302
    page = admin.get(PAGE + "?show=council").get_data(as_text=True)
    assert "Callers saying &#39;settee&#39; now find services about &#39;fly tipping&#39;" in page
    assert "settee" in page and "mattress" not in page
    tried = admin.get(PAGE + "?try=settee+in+the+lane").get_data(as_text=True)
    assert "finds, best first" in tried and "<li>Fly-tipping report</li>" in tried.split("finds, best first")[1][:300]


def test_a_shipped_synonym_is_turned_off_then_restored(admin, ctx):
    assert post(admin, f"{PAGE}/synonyms/remove", said="mattress").status_code == 302
    assert directory.search(ctx, "mattress") == []
    assert "was turned off" in admin.get(PAGE).get_data(as_text=True)
    assert post(admin, f"{PAGE}/synonyms/restore", said="mattress").status_code == 302
    assert [s.key for s in directory.search(ctx, "mattress")] == ["fly_tipping_report"]


def test_a_synonym_without_words_shows_an_error_summary(admin):
    response = post(admin, f"{PAGE}/synonyms", said="settee", meant="")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body and 'href="#meant"' in body and "Enter the words the service uses" in body
    assert 'value="settee"' in body


def test_keywords_are_edited_on_the_services_page(admin, ctx):
    page = admin.get(f"{PAGE}/services/pothole_report").get_data(as_text=True)
    assert "Keywords for" in page
    response = admin.post(f"{PAGE}/services/pothole_report",
                          data={"csrf_token": csrf_token(page), "keywords": "snicket, ginnel"})
    assert response.status_code == 302
    assert directory.get_service(ctx, "pothole_report").keywords == "snicket, ginnel"
    assert [s.key for s in directory.search(ctx, "ginnel")] == ["pothole_report"]
    assert admin.get(f"{PAGE}/services/no_such_service").status_code == 404


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.ANALYST, Role.TEAM_LEAD])
def test_only_admins_get_in(signed_in, role):
    assert signed_in(role).get(PAGE).status_code == 403
