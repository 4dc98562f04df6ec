"""`make demo` gives every role something on its first page, twice running adds nothing, and what the
README names exists in it.

The demo is loaded by the Makefile's own `demo` recipe, read from the Makefile (so a command added
there is run here too), with the fake back office started by examples/with_backoffice.py; what it
left is then looked at through the pages each role opens first and the `councilflow` command."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.casework import handback, queries
from engine.open311 import partner_keys
from engine.residents import publishing
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.casework.queries import TaskFilter
from engine.types import PublishChannel, TaskStatus
from tests.conftest import FORMS, ROOT
from tests.webui.conftest import sign_in
from webui.app import create_app

sys.path.insert(0, str(ROOT / "examples"))
from demo.staff import ADMIN, ADVISOR, COUNCILLOR, DEMO_PASSWORD, PEOPLE, WASTE_LEAD, WASTE_OFFICER  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")


def demo_recipe(instance: Path) -> str:
    """The shell command of the Makefile's ``demo`` target, its make variables filled in as ``make``
    would, except that the fake back office writes into ``instance``."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("demo:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip().removesuffix("\\"))
    command = " ".join(recipe)
    bin_dir = str(Path(sys.executable).parent)
    command = command.replace("$(WITH_BACKOFFICE)",
                              f"$(BIN)/python examples/with_backoffice.py --instance {instance} --")
    command = command.replace("$(BIN)", bin_dir).replace("$(CURDIR)", str(ROOT))
    assert "$(" not in command, f"a make variable this test does not know: {command}"
    return command


def make_demo(database_url: str, instance: Path) -> str:
    env = {**os.environ, "COUNCILFLOW_DATABASE_URL": database_url, "COUNCILFLOW_FORMS_DIR": str(FORMS),
           "PYTHONPATH": str(ROOT)}  # this checkout's code, whichever the virtualenv was installed from
    env.pop("COUNCILFLOW_ADAPTERS", None)
    done = subprocess.run(demo_recipe(instance), shell=True, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def demo(database_url, tmp_path):
    """The demo loaded into this test's database; its context, and what the loader printed."""
    first = make_demo(database_url, tmp_path / "instance")
    ctx = Context(Database(database_url), settings=Settings(forms_dir=FORMS))
    yield ctx, first
    ctx.db.dispose()


def page(ctx: Context, email: str, path: str) -> str:
    client = create_app({"CONTEXT": ctx, "SECRET_KEY": "test", "TESTING": True,
                         "SESSION_COOKIE_SECURE": False}).test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    answer = client.get(path)
    assert answer.status_code == 200, path
    return answer.get_data(as_text=True)


def late_counts(html: str) -> tuple[int, int]:
    """The admin SLA page's "Open at risk" and "Open breached" columns, summed over the policies."""
    at_risk = breached = 0
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) == 7:
            at_risk, breached = at_risk + int(cells[4]), breached + int(cells[5])
    return at_risk, breached


def test_every_role_finds_work_on_its_first_page_and_a_second_run_adds_nothing(demo, database_url, tmp_path, cli):
    """One demo load for all the checks (the demo takes a minute or two to load): what each role finds,
    a second run, the services published, then what the README and docs name (which changes things)."""
    ctx, first = demo
    assert re.search(r"Demo cases loaded: \d+ cases \(CF-000001 to CF-0000\d\d\)", first), first

    # Advisor: questions handed back by the back office, call-backs in the Customer Hub inbox.
    asked = handback.open_questions(ctx, ADVISOR)
    assert {q.team for q in asked} == {"Customer Hub"} and len(asked) >= 2
    questions_page = page(ctx, ADVISOR, "/inbox/questions")
    assert all(q.case in questions_page for q in asked) and "Where does the resident keep them?" in questions_page
    hub = queries.task_page(ctx, TaskFilter(team="Customer Hub"), ADVISOR)
    assert hub.total >= 2 and "Get more information from resident" in page(ctx, ADVISOR, "/inbox")

    # Officer: their own claimed tasks, and the team's queue unclaimed.
    mine = queries.task_page(ctx, TaskFilter(assignee=WASTE_OFFICER), WASTE_OFFICER)
    queue = queries.task_page(ctx, TaskFilter(team="Waste Services", unassigned=True), WASTE_OFFICER)
    assert mine.total >= 1 and queue.total >= 2
    assert "Arrange re-collection and record result" in page(ctx, WASTE_OFFICER, "/inbox")

    # Team lead: a task handed back, and tasks at risk and past their SLA.
    waste = next(c for c in queries.team_counts(ctx, WASTE_LEAD) if c.team == "Waste Services")
    assert waste.handed_back >= 1
    active = queries.task_page(ctx, TaskFilter(team="Waste Services", status=queries.ACTIVE), WASTE_LEAD)
    assert {"at_risk", "breached"} <= {t.sla_state for t in active.items}
    assert TaskStatus.HANDED_BACK in {t.status for t in active.items}
    assert queries.task_page(ctx, TaskFilter(assignee=WASTE_LEAD), WASTE_LEAD).total >= 1
    lead_inbox = page(ctx, WASTE_LEAD, "/inbox")
    assert "Prepare draft response" in lead_inbox and "working days left" in lead_inbox
    assert re.search(r"Waste Services</a>:\s+\d+ open, \d+ unassigned, 1 mine, 1 handed back", lead_inbox)
    team_inbox = page(ctx, WASTE_LEAD, "/inbox/teams/Waste%20Services")
    assert "At risk" in team_inbox and "Breached" in team_inbox and "Handed back" in team_inbox

    # Admin: the SLA page counts open work at risk and breached.
    at_risk, breached = late_counts(page(ctx, ADMIN, "/admin/sla"))
    assert at_risk >= 1 and breached >= 1

    # Councillor: the enquiries they raised and the one Member Services raised for them after a call.
    assert re.search(r"Demo councillor ready: cllr.jones@example.gov.uk \(Riverside ward\) at /councillor/, "
                     r"with enquiries CF-\d+, CF-\d+", first), first
    enquiries = page(ctx, COUNCILLOR, "/councillor/")
    assert enquiries.count('class="cf-enquiry"') == 2 and "Riverside ward" in enquiries and "due by" in enquiries
    # Partner: an Open311 key printed once, for the services published on open311.
    key = re.search(r"api_key (o311_\S+) \(shown once\)", first)
    assert key, first
    assert partner_keys.holder(ctx, key.group(1)).name == "FixMyStreet (demo)"
    assert publishing.published(ctx, PublishChannel.OPEN311)

    again = make_demo(database_url, tmp_path / "instance")
    assert "Demo cases not loaded: the database already has" in again
    assert "Demo councillor ready" in again and page(ctx, COUNCILLOR, "/councillor/").count('class="cf-enquiry"') == 2
    assert "has a key already" in again and "o311_" not in again
    assert queries.task_page(ctx, TaskFilter(team="Waste Services", status=queries.ACTIVE),
                             WASTE_LEAD).total == active.total
    _the_demo_publishes_four_services_for_residents_and_partners(cli)
    _what_the_readme_and_docs_name_is_in_the_demo(cli)


def _what_the_readme_and_docs_name_is_in_the_demo(cli) -> None:
    demo_users = {p[0] for p in PEOPLE}
    named = set(re.findall(r"[\w.]+@example\.gov\.uk", README))
    added = set(re.findall(r"users add ([\w.]+@example\.gov\.uk)", README))  # a new user, on purpose
    assert named - added <= demo_users and added.isdisjoint(demo_users)

    # case find "pat smith" --json   # also cf000001, 07700 900123, an1 2bc
    line = next(line for line in README.splitlines() if "councilflow case find" in line)
    asked = [re.search(r'find "([^"]+)"', line).group(1), *re.search(r"also (.*?):", line).group(1).split(", ")]
    for text in asked:
        found = cli("case", "find", text, "--json").json()
        assert "CF-000001" in {f["reference"] for f in found} and {f["customer"] for f in found} == {"Pat Smith"}, text

    pothole = cli("case", "show", "CF-000001", "--json").json()
    assert pothole["process"] == "pothole_report" and pothole["status"] == "open"
    missed_bin = cli("case", "show", "CF-000014", "--json").json()  # the docs' example case
    assert (missed_bin["process"], missed_bin["data"]["customer_name"]) == ("missed_bin_collection", "Pat Smith")
    assert [t["team"] for t in missed_bin["tasks"]] == ["Waste Services"]
    assert any(t["bpmn_id"] == "arrange_recollection"
               for t in cli("case", "show", "CF-000026", "--json").json()["tasks"])

    task = int(re.search(r"councilflow task claim (\d+)", README).group(1))
    claimed = cli("task", "claim", str(task), "--user", WASTE_OFFICER, "--json")
    assert claimed.exit_code == 0, claimed.output
    assert claimed.json()["team"] == "Waste Services"

    message = re.search(r"councilflow case message (CF-\d+) (\w+) --data '([^']+)'", README)
    delivered = cli("case", "message", *message.groups()[:2], "--data", message.group(3), "--json")
    assert delivered.exit_code == 0, delivered.output

    policy = re.search(r"councilflow sla set (\w+) --working-days (\d+) --warn-at (\d+)", README)
    listed = cli("sla", "list", policy.group(1), "--json").json()
    whole_case = next(p for p in listed if not p["task"])
    assert (whole_case["unit"], whole_case["amount"], whole_case["warn_at_percent"]) == \
        ("working_days", int(policy.group(2)), int(policy.group(3)))


def _the_demo_publishes_four_services_for_residents_and_partners(cli) -> None:
    listed = cli("services", "list", "--json").json()
    assert {(s["process"], tuple(s["channels"]), s["open311_code"]) for s in listed} == {
        ("missed_bin_collection", ("open311", "web"), "missed-bin"), ("fly_tipping_report", ("open311", "web"), "fly-tipping"),
        ("pothole_report", ("open311", "web"), "pothole"),
        ("blue_badge_document_check", ("web",), None)}  # residents book a slot at the hub
