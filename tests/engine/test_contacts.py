"""Repeat contacts: the advisor logs that the customer got in touch again about their case; it is in
the case's history with who took it, when and how, and counted as a row for management information."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.casework import cases, contacts
from engine.errors import CaseNotFound, FormInvalid
from engine.persistence.tables import CaseContact
from engine.types import Channel, ContactKind, EventKind
from tests.engine.test_case_search import ADVISOR, OFFICER, OUTSIDER, seed


@pytest.fixture
def world(ctx):
    return seed(ctx)


def test_a_repeat_contact_joins_the_case_history_with_who_when_and_how(ctx, world):
    logged = contacts.log_contact(ctx, world.bin, "email", "chasing", "  Asked when the crew will come back  ",
                                  ADVISOR)
    assert (logged.case, logged.channel, logged.kind, logged.text, logged.logged_by) == (
        world.bin, Channel.EMAIL, ContactKind.CHASING, "Asked when the crew will come back", ADVISOR)
    event = cases.show_case(ctx, world.bin).history[-1]
    assert (event.kind, event.actor, event.at) == (EventKind.CONTACT_LOGGED, ADVISOR, logged.at)
    assert event.detail == {"contact_id": logged.id, "channel": "email", "contact_kind": "chasing",
                            "text": "Asked when the crew will come back"}
    assert contacts.list_contacts(ctx, world.bin, OFFICER) == [logged]


def test_contacts_are_counted_by_channel_and_kind(ctx, world):
    contacts.log_contact(ctx, world.bin, "phone", "chasing", "Still no collection", ADVISOR)
    contacts.log_contact(ctx, world.bin, "phone", "complaint_about_handling", "Unhappy with the wait", OFFICER)
    contacts.log_contact(ctx, world.cancelled, "face-to-face", "not_understood", "Why was it cancelled?", ADVISOR)
    with ctx.db.transaction(readonly=True) as session:
        counts = dict(session.execute(select(CaseContact.channel, func.count()).group_by(CaseContact.channel)).all())
    assert counts == {"phone": 2, "face-to-face": 1}


def test_a_contact_without_text_or_with_an_unknown_kind_or_channel_is_refused_clearly(ctx, world):
    with pytest.raises(FormInvalid) as refused:
        contacts.log_contact(ctx, world.bin, "pigeon", "moaning", "   ", ADVISOR)
    assert refused.value.errors == {"channel": "Select how the customer got in touch",
                                    "kind": "Select why the customer got in touch",
                                    "text": "Enter what the customer said"}
    with pytest.raises(FormInvalid, match="2000 characters or fewer"):
        contacts.log_contact(ctx, world.bin, "phone", "other", "x" * 2001, ADVISOR)
    assert contacts.list_contacts(ctx, world.bin, ADVISOR) == []


def test_someone_outside_the_cases_teams_can_neither_log_nor_read_its_contacts(ctx, world):
    with pytest.raises(CaseNotFound):
        contacts.log_contact(ctx, world.bin, "phone", "chasing", "Any news?", OUTSIDER)
    with pytest.raises(CaseNotFound):
        contacts.list_contacts(ctx, world.bin, OUTSIDER)
    with pytest.raises(CaseNotFound):
        contacts.log_contact(ctx, "CF-999999", "phone", "chasing", "Any news?", ADVISOR)
    assert contacts.list_contacts(ctx, world.bin, ADVISOR) == []
