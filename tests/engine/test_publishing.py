"""Publishing a service: an admin offers deployed processes on the web, to councillors and over Open311,
in public words; every door refuses the same mistakes with the same words."""
from __future__ import annotations

import pytest

from engine.residents import publishing
from engine.errors import FormInvalid, ProcessNotFound
from engine.types import PublishChannel
from tests.engine.helpers import deploy_library

ADMIN = "admin@example.gov.uk"


@pytest.fixture
def library(ctx):
    deploy_library(ctx)
    return ctx


def test_publishing_takes_the_process_name_then_adds_channels_and_keeps_words(library):
    ctx = library
    first = publishing.publish(ctx, "missed_bin_collection", channels=["web"], lgsl=524, actor=ADMIN)
    assert first.title == "Missed bin collection" and first.channels == (PublishChannel.WEB,) and first.lgsl == 524
    second = publishing.publish(ctx, "missed_bin_collection", channels=["open311"], open311_code="missed-bin",
                                title="Report a missed bin", keywords=["bin", "rubbish", "bin"], actor=ADMIN)
    assert second.channels == (PublishChannel.OPEN311, PublishChannel.WEB)
    assert (second.title, second.lgsl, second.open311_code) == ("Report a missed bin", 524, "missed-bin")
    assert second.keywords == ("bin", "rubbish")
    assert publishing.find_published(ctx, channel="open311", open311_code="missed-bin") == second
    assert publishing.find_published(ctx, channel=PublishChannel.WEB, process_key="missed_bin_collection") == second
    assert publishing.find_published(ctx, channel="councillor", process_key="missed_bin_collection") is None


def test_unpublishing_one_channel_keeps_the_others_and_the_words(library):
    ctx = library
    publishing.publish(ctx, "pothole_report", channels=["web", "councillor"], title="Report a pothole", actor=ADMIN)
    publishing.publish(ctx, "missed_bin_collection", channels=["web"], actor=ADMIN)
    left = publishing.unpublish(ctx, "pothole_report", "web", ADMIN)
    assert left.channels == (PublishChannel.COUNCILLOR,)
    assert [s.process for s in publishing.published(ctx, "web")] == ["missed_bin_collection"]
    publishing.unpublish(ctx, "pothole_report", "councillor", ADMIN)
    assert [s.process for s in publishing.published(ctx)] == ["missed_bin_collection"]
    again = publishing.publish(ctx, "pothole_report", channels=["web"], actor=ADMIN)
    assert again.title == "Report a pothole"
    with pytest.raises(publishing.ServiceNotPublished):
        publishing.unpublish(ctx, "pothole_report", "open311", ADMIN)


def test_bad_publishing_is_refused_by_field(library):
    ctx = library
    with pytest.raises(ProcessNotFound):
        publishing.publish(ctx, "nope", channels=["web"], actor=ADMIN)
    with pytest.raises(FormInvalid) as refused:
        publishing.publish(ctx, "pothole_report", channels=["open311", "fax"], actor=ADMIN)
    assert set(refused.value.errors) == {"channels"}
    with pytest.raises(FormInvalid) as refused:
        publishing.publish(ctx, "pothole_report", channels=["open311"], lgsl=0, title=" ", description="x" * 1001,
                           keywords=["bad\x00word"], actor=ADMIN)
    assert set(refused.value.errors) == {"open311_code", "lgsl", "title", "description", "keywords"}
    publishing.publish(ctx, "pothole_report", channels=["open311"], open311_code="pothole", actor=ADMIN)
    with pytest.raises(FormInvalid) as taken:
        publishing.publish(ctx, "missed_bin_collection", channels=["open311"], open311_code="pothole", actor=ADMIN)
    assert taken.value.errors == {"open311_code": "The Open311 code 'pothole' is already used by 'pothole_report'"}
    with pytest.raises(FormInvalid):
        publishing.publish(ctx, "missed_bin_collection", channels=["open311"], open311_code="bad code", actor=ADMIN)
