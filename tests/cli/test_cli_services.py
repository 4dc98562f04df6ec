"""``councilflow services publish|list|unpublish``: an operator offers services to residents and partners."""
from __future__ import annotations

from tests.engine.helpers import deploy_library


def test_publish_list_and_unpublish(cli, ctx):
    deploy_library(ctx)
    published = cli("services", "publish", "missed_bin_collection", "--channel", "web", "--channel", "open311",
                    "--lgsl", "524", "--open311-code", "missed-bin", "--title", "Report a missed bin")
    assert published.exit_code == 0, published.output
    assert published.stdout.strip() == ("missed_bin_collection: Report a missed bin on open311, web, lgsl 524, "
                                        "open311_code missed-bin")
    assert cli("services", "publish", "pothole_report", "--channel", "web").exit_code == 0
    assert cli("services", "list", "--json").json() == [
        {"process": "pothole_report", "title": "Pothole report", "channels": ["web"], "lgsl": None,
         "open311_code": None},
        {"process": "missed_bin_collection", "title": "Report a missed bin", "channels": ["open311", "web"],
         "lgsl": 524, "open311_code": "missed-bin"}]
    assert cli("services", "unpublish", "missed_bin_collection", "--channel", "open311").exit_code == 0
    assert [r["process"] for r in cli("services", "list", "--channel", "open311", "--json").json()] == []


def test_mistakes_exit_2_with_the_field(cli, ctx):
    deploy_library(ctx)
    missing = cli("services", "publish", "pothole_report", "--channel", "open311")
    assert missing.exit_code == 2 and "open311_code: Enter an Open311 code" in missing.stderr
    assert cli("services", "publish", "nope", "--channel", "web").exit_code == 2
    assert cli("services", "publish", "pothole_report", "--channel", "fax").exit_code == 2
    notthere = cli("services", "unpublish", "pothole_report", "--channel", "web", "--json")
    assert notthere.exit_code == 2 and "not published on web" in notthere.json()["error"]
