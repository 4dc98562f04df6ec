"""An API call signed in by a token writes nothing it does not need to: reading through the API
takes no write transaction, and the token's "last used" is written at most every few minutes, in a
short write of its own."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import event

from engine.people import tokens
from engine.clock import FixedClock
from engine.types import Role

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
READS = ["/api/v1/tasks?page_size=20", "/api/v1/teams", "/api/v1/processes", "/api/v1/questions",
         "/api/v1/sla/policies"]


@contextmanager
def statements(ctx) -> Iterator[list[str]]:
    """Every statement sent to the database meanwhile, including SQLite's BEGIN IMMEDIATE."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(" ".join(statement.split()))

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)


def writes(sent: list[str]) -> list[str]:
    return [s for s in sent if s.split()[0].upper() in {"INSERT", "UPDATE", "DELETE"} or s == "BEGIN IMMEDIATE"]


def _client_with_token(app, ctx, make_user):
    ctx.clock = FixedClock(NINE)
    make_user("officer@example.gov.uk", Role.ADMIN, Role.BACK_OFFICE)
    token = tokens.issue_token(ctx, "officer@example.gov.uk", "scripts")
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def _last_used(ctx) -> datetime | None:
    return tokens.list_tokens(ctx, "officer@example.gov.uk")[0].last_used_at


def test_reading_through_the_api_within_minutes_of_the_last_use_opens_no_write_transaction(app, ctx, make_user):
    client, auth = _client_with_token(app, ctx, make_user)
    assert client.get(READS[0], headers=auth).status_code == 200  # the first use is recorded
    ctx.clock.advance(minutes=4)
    with statements(ctx) as sent:
        for url in READS:
            answer = client.get(url, headers=auth)
            assert answer.status_code == 200, (url, answer.json)
    assert sent and writes(sent) == []
    assert _last_used(ctx) == NINE


def test_last_used_is_written_once_the_minutes_have_passed_in_its_own_short_write(app, ctx, make_user):
    client, auth = _client_with_token(app, ctx, make_user)
    assert _last_used(ctx) is None
    assert client.get("/api/v1/teams", headers=auth).status_code == 200
    assert _last_used(ctx) == NINE
    ctx.clock.advance(minutes=5)
    with statements(ctx) as sent:
        assert client.get("/api/v1/teams", headers=auth).status_code == 200
        assert client.get("/api/v1/teams", headers=auth).status_code == 200
    assert [s.split()[:2] for s in writes(sent) if s != "BEGIN IMMEDIATE"] == [["UPDATE", "api_token"]]
    assert _last_used(ctx) == datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc)


def test_a_revoked_token_is_refused_on_its_next_call(app, ctx, make_user):
    client, auth = _client_with_token(app, ctx, make_user)
    assert client.get("/api/v1/teams", headers=auth).status_code == 200
    tokens.revoke_token(ctx, tokens.list_tokens(ctx)[0].id)
    refused = client.get("/api/v1/teams", headers=auth)
    assert refused.status_code == 401 and refused.is_json
