"""Every API route is role-checked and documented: it declares the roles it admits, refuses a
caller without a token (401) or without the role (403), and appears in a valid OpenAPI document."""
from __future__ import annotations

import re

from flask import url_for
from openapi_spec_validator import validate

from engine.people import tokens
from engine.types import Role
from webui.api.roles import EVERYONE, STAFF

SAMPLE_ARGS = {"key": "missed_bin_collection", "version": 1, "name": "missed_bin_collection.bpmn",
               "reference": "CF-000001", "task_id": 1, "question_id": 1}


def _api_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every route of the token-protected API blueprint."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("api."):
                url = url_for(rule.endpoint, **{a: SAMPLE_ARGS[a] for a in rule.arguments})
                routes += [(rule.endpoint, m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def _token(ctx, make_user, email: str, *roles: Role) -> str:
    make_user(email, *roles)
    with ctx.db.transaction() as session:
        return tokens.create_token(session, email, ctx.clock.now())


def test_every_api_view_declares_the_roles_it_admits(app):
    undeclared = [endpoint for endpoint, _, _ in _api_routes(app)
                  if not getattr(app.view_functions[endpoint], "admits", None)]
    assert undeclared == []


def test_every_api_route_refuses_callers_without_a_token_or_without_the_role(app, ctx, make_user):
    client = app.test_client()
    tokens_by_role = {role: _token(ctx, make_user, f"{role.value}@example.gov.uk", role) for role in Role}
    tokens_by_role[None] = _token(ctx, make_user, "no-role@example.gov.uk")
    checked = 0
    for endpoint, method, url in _api_routes(app):
        anonymous = client.open(url, method=method)
        assert anonymous.status_code == 401 and anonymous.is_json, (method, url)
        admits = app.view_functions[endpoint].admits
        outsider = next((r for r in Role if r not in admits and r != Role.ADMIN), None)
        refused = client.open(url, method=method, headers={"Authorization": f"Bearer {tokens_by_role[outsider]}"})
        assert refused.status_code == 403 and "roles" in refused.json["message"], (method, url, refused.json)
        checked += 1
    assert checked >= 14


def test_roles_match_the_councils_division_of_work(app):
    admits = {endpoint.removeprefix("api."): view.admits for endpoint, view in app.view_functions.items()
              if endpoint.startswith("api.")}
    assert admits["deploy"] == {Role.ANALYST} and admits["download_file"] == {Role.ANALYST}
    assert admits["start_case"] == {Role.FRONT_OFFICE}
    # Staff may call assign; the engine's rule (as in the web inbox) lets only team leads give tasks to others.
    assert admits["assign_task"] == set(STAFF)
    assert Role.ANALYST not in admits["complete_task"] and admits["list_teams"] == set(EVERYONE)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule).removeprefix("/api/v1")


def test_openapi_document_is_public_valid_and_describes_every_route(app):
    answer = app.test_client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json
    validate(document)
    assert document["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = {(_openapi_path(rule.rule), method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith(("api.", "api_docs."))
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - documented == set() and documented - routes == set()


def test_openapi_document_states_each_operations_roles(app):
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    assert paths["/processes"]["post"]["x-roles"] == ["analyst"]
    assert "Roles: team_lead (admins always)" in paths["/sla/policies"]["get"]["description"]
    assert paths["/openapi.json"]["get"]["security"] == []


def test_the_document_needs_no_token_and_ignores_a_bad_one(app):
    answer = app.test_client().get("/api/v1/openapi.json", headers={"Authorization": "Bearer wrong"})
    assert answer.status_code == 200
