"""Finding 6 of issue 10, its form part: a ReDoS ``pattern``. ``^(a+)+$`` on 28 characters took 17.8 s
of Python's backtracking regex engine, holding the GIL (every thread of the server froze) and, on
SQLite, the write lock.

Form patterns (``pattern`` and ``patternProperties``) now run on RE2, in time linear in the answer,
everywhere a form is checked; a pattern RE2 cannot run (backreferences, lookaround) is refused at
deploy with the file and the JSON pointer, so a pattern cannot behave differently in different places.
"""
from __future__ import annotations

import threading
import time

import pytest

from engine.casework import cases
from engine.types import Role

from .conftest import csrf_token
from .test_form_refs import KEY, RESIDENT, analyst, deploy, form_map, officer, refused_at  # noqa: F401

CATASTROPHIC = "^(a+)+$"
FORM = {"type": "object", "title": "Reference check",
        "properties": {"reference": {"type": "string", "title": "Reference", "pattern": CATASTROPHIC},
                       "details": {"type": "object", "title": "Details", "additionalProperties": False,
                                   "patternProperties": {CATASTROPHIC: {"type": "string"}}}}}


@pytest.fixture
def task_id(live, analyst):
    answer = deploy(live, analyst, {f"{KEY}.bpmn": form_map(), "report-schema.json": FORM})
    assert answer.status_code == 201, answer.text
    return cases.start_case(live.ctx, KEY, dict(RESIDENT)).tasks[0].id


def timed(call):
    began = time.monotonic()
    answer = call()
    return answer, time.monotonic() - began


@pytest.mark.parametrize("length", [28, 50])
def test_a_catastrophic_pattern_answers_at_once_with_a_clear_error_and_delays_nobody(live, officer, task_id,
                                                                                      length):
    url = f"{live.url}/api/v1/tasks/{task_id}/complete"
    hostile = "a" * length + "!"
    others: list[float] = []

    def meanwhile() -> None:  # another user's request while the hostile answer is checked
        others.append(timed(lambda: officer.get(f"{live.url}/api/v1/tasks/{task_id}", timeout=30))[1])

    neighbour = threading.Thread(target=meanwhile)
    neighbour.start()
    answer, took = timed(lambda: officer.post(url, json={"data": {"reference": hostile}}, timeout=30))
    neighbour.join()

    assert took < 3, f"the answer took {took:.1f} s"
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == {"reference": "Enter reference in the correct format"}
    assert others and others[0] < 1, others
    done = officer.post(url, json={"data": {"reference": "a" * length}}, timeout=30)
    assert done.status_code == 200, done.text


def test_a_catastrophic_pattern_property_answers_at_once(live, officer, task_id):
    answer, took = timed(lambda: officer.post(f"{live.url}/api/v1/tasks/{task_id}/complete",
                                              json={"data": {"details": {"a" * 28 + "!": "x"}}}, timeout=30))

    assert took < 3, f"the answer took {took:.1f} s"
    assert answer.status_code == 422, answer.text
    assert list(answer.json()["errors"]) == ["details"]


def test_a_catastrophic_pattern_on_the_task_page_answers_at_once(live, task_id):
    officer = live.as_role(Role.BACK_OFFICE)
    url = f"{live.url}/tasks/{task_id}"
    page = officer.get(url, timeout=30)

    answer, took = timed(lambda: officer.post(url, data={"csrf_token": csrf_token(page.text),
                                                         "reference": "a" * 28 + "!"}, timeout=30))

    assert took < 3, f"the answer took {took:.1f} s"
    assert answer.status_code == 400, answer.text
    assert "Enter reference in the correct format" in answer.text


UNRUNNABLE = {
    "backreference": ("/properties/reference/pattern", {"reference": {"type": "string", "pattern": r"^(a)\1$"}}),
    "lookahead": ("/properties/reference/pattern", {"reference": {"type": "string", "pattern": r"^(?=.*\d)\w+$"}}),
    "lookbehind": ("/properties/reference/pattern", {"reference": {"type": "string", "pattern": r"(?<!x)y"}}),
    "pattern property": ("/properties/details/patternProperties/^(?!a)~1x",
                         {"details": {"type": "object", "patternProperties": {"^(?!a)/x": {}}}}),
}


@pytest.mark.parametrize("pointer,properties", UNRUNNABLE.values(), ids=UNRUNNABLE.keys())
def test_a_pattern_that_needs_backtracking_is_refused_at_deploy(live, analyst, pointer, properties):
    form = {"type": "object", "properties": properties}
    answer = deploy(live, analyst, {f"{KEY}.bpmn": form_map(), "report-schema.json": form})

    [error] = refused_at(answer, "report-schema.json")
    assert error["element"] == pointer
    assert "pattern" in error["message"] and "backreferences" in error["message"]
