"""Many threads of one process writing at once (as `councilflow serve`'s threads do): every write
succeeds, and on SQLite they take turns in the process instead of all waiting inside SQLite's busy
handler, so no more than one write transaction is ever open or waiting to open in SQLite."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event

from engine.people import tokens, users

THREADS, WRITES_EACH = 8, 15


class OpenWrites:
    """Counts write transactions that have sent BEGIN IMMEDIATE (so hold, or wait for, SQLite's
    write lock) and not yet ended, and the most there were at once."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.guard, self.open, self.most = threading.Lock(), 0, 0
        self.mine = threading.local()
        event.listen(engine, "before_cursor_execute", self.began)
        event.listen(engine, "commit", self.ended)
        event.listen(engine, "rollback", self.ended)

    def began(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement == "BEGIN IMMEDIATE":
            with self.guard:
                self.open += 1
                self.most = max(self.most, self.open)
            self.mine.depth = getattr(self.mine, "depth", 0) + 1

    def ended(self, _conn) -> None:  # type: ignore[no-untyped-def]
        if getattr(self.mine, "depth", 0):
            self.mine.depth -= 1
            with self.guard:
                self.open -= 1


def test_many_threads_writing_at_once_all_succeed_taking_turns_on_sqlite(ctx):
    emails = [f"bot{n}@example.gov.uk" for n in range(THREADS)]
    for email in emails:
        users.create_staff(ctx, email, email, ["back_office"], [], None)
    watch = OpenWrites(ctx.db.engine)

    def write(email: str) -> list[str]:
        issued = [tokens.issue_token(ctx, email, f"job {n}") for n in range(WRITES_EACH)]
        return [tokens.sign_in_with_token(ctx, token).email for token in issued]

    with ThreadPoolExecutor(THREADS) as pool:
        signed_in = list(pool.map(write, emails))  # re-raises any 'database is locked'
    assert signed_in == [[email] * WRITES_EACH for email in emails]
    assert sum(1 for t in tokens.list_tokens(ctx) if t.last_used_at is not None) == THREADS * WRITES_EACH
    if ctx.db.is_sqlite:
        assert watch.most == 1


def test_a_write_opened_inside_another_in_the_same_thread_does_not_wait_for_itself(ctx):
    users.create_staff(ctx, "bot@example.gov.uk", "Bot", ["back_office"], [], None)
    with ctx.db.transaction():
        token = tokens.issue_token(ctx, "bot@example.gov.uk", "nested")
    assert tokens.sign_in_with_token(ctx, token).email == "bot@example.gov.uk"
