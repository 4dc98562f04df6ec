"""The analyst's publishing pages: the processes with their channels, and a form that sets them."""
from __future__ import annotations

from engine.residents import publishing
from engine.types import Role
from tests.webui.conftest import csrf_token
from tests.webui.test_api import library  # noqa: F401  (the fixture)


def test_an_analyst_publishes_a_service_on_the_web_and_withdraws_it(ctx, signed_in, library):
    analyst = signed_in(Role.ANALYST)
    listing = analyst.get("/published-services").get_data(as_text=True)
    assert "Missed bin collection" in listing and "Not published" in listing
    form = analyst.get("/published-services/missed_bin_collection").get_data(as_text=True)
    refused = analyst.post("/published-services/missed_bin_collection", data={
        "csrf_token": csrf_token(form), "channels": ["web", "open311"], "title": "Report a missed bin"})
    assert refused.status_code == 400 and "Enter an Open311 code" in refused.get_data(as_text=True)
    saved = analyst.post("/published-services/missed_bin_collection", data={
        "csrf_token": csrf_token(form), "channels": ["web"], "title": "Report a missed bin", "lgsl": "524",
        "keywords": "bin, rubbish"})
    assert saved.status_code == 302
    (service,) = publishing.published(ctx, "web")
    assert (service.title, service.lgsl, service.keywords) == ("Report a missed bin", 524, ("bin", "rubbish"))
    withdrawn = analyst.post("/published-services/missed_bin_collection", data={"csrf_token": csrf_token(form)})
    assert withdrawn.status_code == 302 and publishing.published(ctx) == []


def test_only_analysts_and_admins_publish(signed_in, library):
    assert signed_in(Role.FRONT_OFFICE).get("/published-services").status_code == 403
    assert signed_in(Role.ADMIN).get("/published-services/missed_bin_collection").status_code == 200
