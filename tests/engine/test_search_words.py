"""Admins teach the service search their callers' words: a synonym of their own, a shipped one
changed or turned off (and restored), and keywords per service that survive a redeploy."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.catalogue import directory, search_words
from engine.errors import NotFound, UserError
from tests.engine.helpers import deploy_library

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
ADMIN = "admin@example.gov.uk"


def first(ctx, phrase):
    return [s.key for s in directory.search(ctx, phrase)][:1]


def write(ctx, fn, *args):
    with ctx.db.transaction() as session:
        return fn(session, *args)


def test_a_councils_synonym_makes_its_callers_phrase_find_the_service(ctx):
    deploy_library(ctx)
    assert first(ctx, "ginnel blocked by a settee") != ["fly_tipping_report"]
    write(ctx, search_words.set_synonym, ADMIN, NOW, "Settee", "fly tipping")
    assert first(ctx, "ginnel blocked by a settee") == ["fly_tipping_report"]
    [mine] = [s for s in write(ctx, search_words.synonyms) if s.said == "settee"]
    assert (mine.meant, mine.origin, mine.updated_by) == ("fly tipping", "council", ADMIN)


def test_a_shipped_synonym_can_be_turned_off_and_restored(ctx):
    deploy_library(ctx)
    assert first(ctx, "mattress") == ["fly_tipping_report"]
    assert write(ctx, search_words.remove_synonym, ADMIN, NOW, "mattress") == "turned off"
    assert first(ctx, "mattress") == []
    [off] = [s for s in write(ctx, search_words.synonyms) if s.said == "mattress"]
    assert (off.meant, off.origin) == ("", "turned off")
    write(ctx, search_words.restore_synonym, "Mattress")
    assert first(ctx, "mattress") == ["fly_tipping_report"]


def test_changing_a_shipped_synonym_points_the_phrase_elsewhere(ctx):
    deploy_library(ctx)
    assert first(ctx, "wheelchair ramp") == ["blue_badge_application"]
    write(ctx, search_words.set_synonym, ADMIN, NOW, "wheelchair ramp", "housing repair adaptation")
    assert first(ctx, "wheelchair ramp") == ["housing_repair_request"]
    assert [s.origin for s in write(ctx, search_words.synonyms) if s.said == "wheelchair ramp"] == ["council"]
    write(ctx, search_words.set_synonym, ADMIN, NOW, "wheelchair", "housing repair adaptation")
    assert first(ctx, "wheelchair") == ["housing_repair_request"]
    assert [s.origin for s in write(ctx, search_words.synonyms) if s.said == "wheelchair"] == ["changed"]


def test_keywords_find_a_service_and_survive_a_redeploy(ctx):
    deploy_library(ctx)
    assert first(ctx, "snicket") == []
    stored = write(ctx, search_words.set_keywords, ADMIN, NOW, "pothole_report", "Snicket; alleyway,  snicket ")
    assert stored == "snicket, alleyway"
    deploy_library(ctx)
    assert first(ctx, "state of the snicket") == ["pothole_report"]
    assert directory.get_service(ctx, "pothole_report").keywords == "snicket, alleyway"
    assert write(ctx, search_words.set_keywords, ADMIN, NOW, "pothole_report", " , ") == ""
    assert first(ctx, "snicket") == []


@pytest.mark.parametrize("said, meant, message", [
    ("", "fly tipping", "Enter what callers say"),
    ("settee", "  ", "Enter the words the service uses"),
    ("x" * 201, "fly tipping", "200 characters or fewer"),
    ("fly tipping", "Fly-tipping", "must differ"),
])
def test_a_synonym_that_cannot_work_is_refused(ctx, said, meant, message):
    with pytest.raises(UserError, match=message):
        write(ctx, search_words.set_synonym, ADMIN, NOW, said, meant)


def test_unknown_services_and_phrases_are_not_found(ctx):
    with pytest.raises(NotFound, match="no service 'nope'"):
        write(ctx, search_words.set_keywords, ADMIN, NOW, "nope", "words")
    with pytest.raises(NotFound, match="no synonym"):
        write(ctx, search_words.remove_synonym, ADMIN, NOW, "never added")
    with pytest.raises(NotFound, match="not a shipped synonym"):
        write(ctx, search_words.restore_synonym, "never added")
