"""Password guesses counted per lane (engine/people/lockout.py), with time skipped instead of slept: a lock
that ends, a longer one after it, a right password that starts afresh, an address charged only for
its failures, and a known device that an attacker's lock-out does not reach."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.people import users
from engine.clock import FixedClock
from engine.errors import SignInFailed
from engine.people.lockout import KnownDevice, Limits

PASSWORD = "a long enough passphrase"
LIMITS = Limits(account=3, address=5)


@pytest.fixture
def person(ctx) -> int:
    ctx.clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    return users.create_staff(ctx, "kim@example.gov.uk", "Kim", ["back_office"], [], PASSWORD).id


def attempt(ctx, password: str, email: str = "kim@example.gov.uk", **where) -> str:
    try:
        users.sign_in(ctx, email, password, limits=LIMITS, **where)
    except SignInFailed as err:
        return err.message
    return "signed in"


def test_a_lock_out_ends_and_the_next_one_lasts_twice_as_long(ctx, person):
    assert [attempt(ctx, "wrong") for _ in range(3)] == [users.WRONG_PASSWORD] * 3
    assert attempt(ctx, PASSWORD) == "Signing in is locked after too many failed attempts. Try again in 15 minutes"
    ctx.clock.advance(minutes=15)
    assert [attempt(ctx, "wrong") for _ in range(3)] == [users.WRONG_PASSWORD] * 3
    ctx.clock.advance(minutes=29)
    assert "Try again in 1 minute" in attempt(ctx, PASSWORD)
    assert users.staff_member(ctx, person).locked
    ctx.clock.advance(minutes=1)
    assert attempt(ctx, PASSWORD) == "signed in"
    assert not users.staff_member(ctx, person).locked


def test_a_right_password_starts_the_count_again(ctx, person):
    for _ in range(5):
        assert attempt(ctx, "wrong") == users.WRONG_PASSWORD
        assert attempt(ctx, "wrong") == users.WRONG_PASSWORD
        assert attempt(ctx, PASSWORD) == "signed in"


def test_unknown_accounts_lock_exactly_like_real_ones(ctx, person):
    real = [attempt(ctx, "wrong") for _ in range(5)]
    ghost = [attempt(ctx, "wrong", email="ghost@example.gov.uk") for _ in range(5)]
    assert real == ghost and "locked" in real[-1]


def test_an_address_is_charged_for_failures_only_and_then_locked_for_every_account(ctx, person):
    for _ in range(10):
        assert attempt(ctx, PASSWORD, address="192.0.2.7") == "signed in"
    for n in range(5):
        assert attempt(ctx, "wrong", email=f"person{n}@example.gov.uk", address="192.0.2.7") == users.WRONG_PASSWORD
    assert "locked" in attempt(ctx, PASSWORD, address="192.0.2.7")
    assert attempt(ctx, PASSWORD, address="198.51.100.1") == "signed in"


def test_a_known_device_keeps_signing_in_while_the_account_is_locked_for_everyone_else(ctx, person):
    desk = KnownDevice(person, "device-at-kims-desk")
    for _ in range(3):
        attempt(ctx, "wrong", address="192.0.2.7")
    assert "locked" in attempt(ctx, PASSWORD, address="192.0.2.7")
    assert attempt(ctx, PASSWORD, address="192.0.2.7", device=desk) == "signed in"
    someone_elses = KnownDevice(person + 1, "device-of-someone-else")
    assert "locked" in attempt(ctx, PASSWORD, address="192.0.2.7", device=someone_elses)
    users.set_password(ctx, person, "an admin's new passphrase")  # lifts the lock-out
    assert attempt(ctx, "an admin's new passphrase") == "signed in"


def test_a_lane_quiet_for_a_day_is_forgotten_and_its_backoff_with_it(ctx, person):
    for _ in range(3):
        attempt(ctx, "wrong")
    ctx.clock.advance(days=1, minutes=16)
    for _ in range(3):
        attempt(ctx, "wrong")
    assert "Try again in 15 minutes" in attempt(ctx, PASSWORD)
