"""The residents' pages are the only routes open without signing in besides the sign-in pages,
assets and feeds: every one is listed here, answers without a session, and never redirects to sign-in."""
from __future__ import annotations

from webui import access
from tests.webui.test_residents import published  # noqa: F401  (the fixture)

RESIDENT_ROUTES = {"/report", "/report/<key>", "/report/<key>/form", "/report/<key>/change", "/report/<key>/send",
                   "/report/<key>/sent/<receipt>", "/track"}


def test_every_residents_route_is_listed_and_needs_no_sign_in(app, published):
    rules = access.access_rules(app)
    assert sorted(name for name, rule in rules.items() if rule == access.RESIDENTS) == ["residents", "track"]
    routes = {r.rule for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in ("residents", "track")}
    assert routes == RESIDENT_ROUTES
    client = app.test_client()
    for rule in routes:
        url = rule.replace("<key>", "missed_bin_collection").replace("<receipt>", "nonsense")
        for method in sorted(r.methods - {"HEAD", "OPTIONS"} for r in app.url_map.iter_rules() if r.rule == rule)[0]:
            answer = client.open(url, method=method)
            assert answer.status_code != 302 and "/sign-in" not in answer.headers.get("Location", ""), (method, url)
            assert answer.status_code in (200, 400, 404), (method, url, answer.status_code)
