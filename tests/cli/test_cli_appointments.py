"""An admin sets up appointments from the command line (types, locations, desks, or the demo calendar
file), looks up free slots, books from a case and reads the figures as JSON."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.bpmn import registry
from engine.casework import cases
from engine.context import Context, Settings
from engine.persistence.db import Database
from tests.conftest import FORMS, PROCESSES, ROOT


def test_an_admin_sets_up_the_calendar_and_books_a_case_from_the_command_line(cli, database_url):
    assert cli("appointments", "types", "set", "housing-options", "--name", "Housing options", "--minutes", "20",
               "--bring", "Proof of income").exit_code == 0
    assert cli("appointments", "locations", "set", "hub", "--name", "Town Hall Hub").exit_code == 0
    desk = cli("appointments", "locations", "desk", "hub", "Desk 1", "--pattern", "mon-sun 09:00-10:00", "--json")
    assert desk.exit_code == 0 and desk.json()["pattern"]["6"] == [["09:00", "10:00"]]
    assert "is not a day" in cli("appointments", "locations", "desk", "hub", "Desk 2", "--pattern", "funday 9-5").stderr
    assert [t["key"] for t in cli("appointments", "types", "list", "--json").json()] == ["housing-options"]
    loaded = cli("appointments", "load", str(ROOT / "examples" / "demo_appointments.json"), "--json")
    assert loaded.json() == {"types": 2, "locations": 2, "desks": 3}
    assert [p["name"] for p in cli("appointments", "locations", "list", "--json").json()] == [
        "Riverside Library", "Town Hall Customer Hub", "Town Hall Hub"]

    slots = cli("appointments", "availability", "housing-options", "--location", "hub", "--limit", "2", "--json").json()
    assert len(slots) == 2 and {s["desk"] for s in slots} == {"Desk 1"}
    ctx = Context(Database(database_url), settings=Settings(forms_dir=FORMS))
    registry.deploy(ctx, registry.read_paths([PROCESSES / "blue_badge_document_check.bpmn",
                                              *FORMS.glob("blue-badge-document-check-*")]))
    case = cases.start_case(ctx, "blue_badge_document_check", {"customer_name": "Pat Smith"})
    ctx.db.dispose()
    booked = cli("appointments", "book", case.reference, "housing-options", slots[0]["slot"], "--json")
    assert booked.exit_code == 0 and booked.json()["case"] == case.reference and booked.json()["status"] == "booked"
    taken = cli("appointments", "book", case.reference, "housing-options", slots[0]["slot"], "--json")
    assert taken.exit_code == 2 and "the next free slot is" in taken.stderr + taken.stdout
    moved = cli("appointments", "rebook", booked.json()["reference"], slots[1]["slot"], "--json").json()
    assert moved["starts_at"] == slots[1]["starts_at"]

    day = datetime.fromisoformat(slots[0]["starts_at"]).astimezone(timezone.utc).date()
    figures = cli("appointments", "stats", "--from", (day - timedelta(days=1)).isoformat(), "--to", day.isoformat(),
                  "--json").json()
    assert figures["booked"] == 1 and figures["no_show_rate"] is None
    assert {"waiting_minutes", "length_minutes", "by_type", "by_location", "available"} <= set(figures)
    assert [t["type"] for t in figures["by_type"]] == ["blue-badge-check", "housing-options"]
    assert cli("appointments", "stats", "--from", "2027-03-02", "--to", "2027-03-01").exit_code == 2
