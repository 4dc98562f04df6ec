"""Hostile and malformed uploads: each is refused with the file, line, element and a plain-English
reason, and nothing is deployed; what only fails when it runs fails the case, never the server,
and leaves it failed and retryable."""
from __future__ import annotations

import re
import time
from html import escape

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.context import Context, Settings
from engine.errors import DeploymentRejected, Problem
from engine.persistence.db import Database
from engine.types import CaseStatus
from tests.conftest import FORMS

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="x">\n')
FLOWS = ('<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n'
         '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="step" />\n'
         '<bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="end" />\n'
         '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>\n')
PASSWD_MARK = "root:x:0:0"


def bpmn(step: str, extra: str = "", executable: str = "true") -> str:
    """A one-step process (start -> step -> end); ``step`` is the element with id "step"."""
    return (f'{HEAD}<bpmn:process id="hostile" name="Hostile" isExecutable="{executable}">\n{FLOWS}'
            f'{step}\n{extra}</bpmn:process>\n</bpmn:definitions>\n')


def script_task(script: str) -> str:
    return (f'<bpmn:scriptTask id="step" name="Run"><bpmn:incoming>f1</bpmn:incoming>'
            f'<bpmn:outgoing>f2</bpmn:outgoing>\n<bpmn:script>{escape(script, quote=False)}</bpmn:script>\n'
            f'</bpmn:scriptTask>')


def user_task(extensions: str = "", name: str = "Check the details") -> str:
    ext = f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>" if extensions else ""
    return (f'<bpmn:userTask id="step" name="{name}">{ext}<bpmn:incoming>f1</bpmn:incoming>'
            f'<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>')


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


XXE = ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       + bpmn(user_task(), extra="<bpmn:documentation>&xxe;</bpmn:documentation>").split("\n", 1)[1])
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1 if i > 1 else "") + ";") * 10}">\n'
                    for i in range(1, 10))
          + ']>\n<lolz>&lol9;</lolz>\n')
DOCTYPE_ONLY = '<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE definitions>\n' + bpmn(user_task()).split("\n", 1)[1]
NOT_WELL_FORMED = bpmn(user_task()).replace("</bpmn:userTask>", "</bpmn:userTsk>")
CALLS_ITSELF = bpmn('<bpmn:callActivity id="step" calledElement="hostile"><bpmn:incoming>f1</bpmn:incoming>'
                    '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>')
CALLS_MISSING = CALLS_ITSELF.replace('calledElement="hostile"', 'calledElement="planning_appeal"')
NOT_IN_SCHEMA = bpmn(user_task(), extra='<bpmn:intermediateThrowEvent id="odd"><bpmn:frobnicate /></bpmn:intermediateThrowEvent>\n')
TWO_ELEMENTS_ONE_ID = bpmn(user_task(), extra='<bpmn:task id="start" name="Not the start event" />\n')


def timer(expression: str) -> str:
    return bpmn(f'<bpmn:intermediateCatchEvent id="step" name="Wait"><bpmn:incoming>f1</bpmn:incoming>'
                f'<bpmn:outgoing>f2</bpmn:outgoing>\n<bpmn:timerEventDefinition id="step_timer">'
                f'<bpmn:timeDuration>{escape(expression, quote=False)}</bpmn:timeDuration>'
                f'</bpmn:timerEventDefinition>\n</bpmn:intermediateCatchEvent>')


def form(name: str) -> str:
    return user_task('<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" '
                     f'value="{name}" /></spiffworkflow:properties>')


# (file name, content, line, element, words the reason must contain)
REFUSED = {
    "external entity reading /etc/passwd": ("xxe.bpmn", XXE, 2, None, "DOCTYPE"),
    "billion laughs": ("laughs.bpmn", LAUGHS, 2, None, "DOCTYPE"),
    "DOCTYPE without entities": ("doctype.bpmn", DOCTYPE_ONLY, 3, None, "DOCTYPE"),
    "DOCTYPE in UTF-16": ("utf16.bpmn", XXE.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
                          .encode("utf-16"), None, None, "DOCTYPE"),
    "not well-formed": ("broken.bpmn", NOT_WELL_FORMED, line_of(NOT_WELL_FORMED, "userTsk"), None,
                        "not well-formed XML"),
    "not BPMN": ("note.bpmn", '<?xml version="1.0"?>\n<note><to>Planning</to></note>\n', 2, None,
                 "neither BPMN 2.0 nor DMN"),
    "empty file": ("empty.bpmn", b"", 1, None, "not well-formed XML"),
    "huge file": ("huge.bpmn", bpmn(user_task(), extra="<!--" + "x" * (10 * 1024 * 1024) + "-->\n"), None, None,
                  "larger than 10 MB"),
    "fails the BPMN schema": ("schema.bpmn", NOT_IN_SCHEMA, line_of(NOT_IN_SCHEMA, "frobnicate"), "odd",
                              "not valid BPMN 2.0"),
    "two elements share an id": ("ids.bpmn", TWO_ELEMENTS_ONE_ID, line_of(TWO_ELEMENTS_ONE_ID, "Not the start"),
                                 "start", "used by 2 different elements"),
    "no executable process": ("drawing.bpmn", bpmn(user_task(), executable="false"), 2, "defs",
                              "no executable process"),
    "import": ("import.bpmn", bpmn(script_task("import os\nos.system('id')")), None, "step", "imports"),
    "__import__": ("dunder_import.bpmn", bpmn(script_task("os = __import__('os')")), None, "step", "underscore"),
    "open()": ("open.bpmn", bpmn(script_task("secret = open('/etc/passwd').read()")), None, "step",
               "'open' is not available in scripts"),
    "dunder attributes": ("mro.bpmn", bpmn(script_task("kinds = ().__class__.__mro__[1].__subclasses__()")), None,
                          "step", "underscore"),
    "getattr to __globals__": ("globals.bpmn", bpmn(script_task("g = getattr(len, '__globals__')")), None, "step",
                               "'getattr' is not available"),
    "exec": ("exec.bpmn", bpmn(script_task("exec('x = 1')")), None, "step", "Exec calls are not allowed"),
    "eval": ("eval.bpmn", bpmn(script_task("x = eval('1 + 1')")), None, "step", "Eval calls are not allowed"),
    "compile on the second line": ("compile.bpmn", bpmn(script_task("x = 1\ncode = compile('1', 'f', 'eval')")),
                                   None, "step", "'compile' is not available"),
    "timer that is not a duration": ("timer.bpmn", timer('"next tuesday"'), None, "step_timer",
                                     "not an ISO 8601 duration"),
    "timer that is not Python": ("timer2.bpmn", timer("in two days"), None, "step_timer", "timer expression"),
    "call to a missing process": ("call.bpmn", CALLS_MISSING, None, "step",
                                  "'planning_appeal', which is neither in this upload nor deployed"),
    "process that calls itself": ("self.bpmn", CALLS_ITSELF, None, "step", "may not call itself"),
    "missing form file": ("form.bpmn", bpmn(form("appeal-form.json")), None, "step",
                          "'appeal-form.json' is neither in this upload nor deployed"),
    "form path outside the forms folder": ("traversal.bpmn", bpmn(form("../../../etc/passwd")), None, "step",
                                           "neither in this upload nor deployed"),
}




def _lines_for(content: str | bytes, element: str | None) -> int | None:
    """Where the element (or, for scripts, the offending script line) sits in the file."""
    if isinstance(content, bytes) or element is None:
        return None
    lines = content.splitlines()
    if element == "step" and "<bpmn:script>" in content:
        script_line = line_of(content, "<bpmn:script>")
        offending = ("import", "compile(")
        return next((n for n, text in enumerate(lines, 1) if n >= script_line and any(o in text for o in offending)),
                    script_line)
    if element == "step":
        return line_of(content, 'id="step"')
    return None


def _nothing_deployed(ctx: Context) -> bool:
    with ctx.db.transaction(readonly=True) as session:
        return registry.list_processes(session) == []


@pytest.mark.parametrize("name,content,line,element,reason", [
    pytest.param(*case, id=label)
    for label, case in REFUSED.items()])
def test_hostile_upload_is_refused_with_file_line_element_and_reason(ctx, name, content, line, element, reason):
    files = {name: content if isinstance(content, bytes) else content.encode()}
    started = time.monotonic()
    bundle = registry.check(ctx, files)
    assert time.monotonic() - started < 5
    expected_line = line if line is not None else _lines_for(content, element)
    matching = [e for e in bundle.errors if reason in e.message]
    assert matching, f"no error says {reason!r}: {[str(e) for e in bundle.errors]}"
    problem: Problem = matching[0]
    assert (problem.file, problem.element) == (name, element), str(problem)
    if expected_line is not None:
        assert problem.line == expected_line, str(problem)
    assert problem.message[0].islower() and "Traceback" not in problem.message and " at 0x" not in problem.message
    assert not re.search(r"\('Line \d+:", problem.message), problem.message
    assert not any(PASSWD_MARK in str(e) for e in bundle.problems)
    with pytest.raises(DeploymentRejected) as refused:
        registry.deploy(ctx, files)
    assert refused.value.problems == bundle.errors
    assert _nothing_deployed(ctx)


def test_user_task_without_a_lane_is_a_warning_and_goes_to_the_default_team(ctx):
    text = bpmn(user_task(name="Log the enquiry"))
    bundle = registry.check(ctx, {"lane.bpmn": text.encode()})
    assert bundle.errors == []
    [warning] = bundle.warnings
    assert (warning.file, warning.line, warning.element) == ("lane.bpmn", line_of(text, 'id="step"'), "step")
    assert "no lane or candidate group" in warning.message and "Customer Hub" in warning.message
    registry.deploy(ctx, {"lane.bpmn": text.encode()})
    view = cases.start_case(ctx, "hostile")
    assert [t.team for t in view.tasks] == ["Customer Hub"]


def test_unreachable_element_is_a_warning_naming_it(ctx):
    text = bpmn(script_task("x = 1"), extra='<bpmn:task id="orphan" name="Never done" />\n')
    bundle = registry.check(ctx, {"orphan.bpmn": text.encode()})
    assert bundle.errors == []
    [warning] = [w for w in bundle.warnings if w.element == "orphan"]
    assert warning.line == line_of(text, 'id="orphan"') and "can never be reached" in warning.message
    assert registry.deploy(ctx, {"orphan.bpmn": text.encode()}).deployed[0].process == "hostile"


def test_modeller_quirks_spiffworkflow_ignores_are_warnings_not_refusals(ctx):
    # bpmn-js and SpiffArena write these; SpiffWorkflow runs such files, so we warn and deploy.
    text = bpmn(script_task("x = 1"), extra='<bpmn:dataObject id="note" />\n<bpmn:dataObject id="note" />\n'
                '<bpmn:sequenceFlow id="dangling" targetRef="end" />\n').replace(
        '<bpmn:scriptTask id="step"', '<bpmn:scriptTask id="step" colour="red"')
    bundle = registry.check(ctx, {"quirks.bpmn": text.encode()})
    assert bundle.errors == []
    said = {w.element: w.message for w in bundle.warnings}
    assert "'colour' is not a BPMN 2.0 attribute" in said["step"]
    assert "declared 2 times" in said["note"]
    assert "starts from no element" in said["dangling"]


@pytest.fixture
def quick(database_url):
    """A context whose scripts are stopped after a quarter of a second."""
    context = Context(Database(database_url), settings=Settings(forms_dir=FORMS, script_time_limit_s=0.25))
    yield context
    context.db.dispose()


def _fails_and_stays_failed(ctx: Context, reference: str, reason: str, element: str) -> None:
    shown = cases.show_case(ctx, reference)
    assert shown.case.status == CaseStatus.FAILED and reason in shown.case.error and element in shown.case.error
    assert shown.history[-1].kind == "step_failed"
    again = cases.retry_case(ctx, reference)
    assert again.status == CaseStatus.FAILED and reason in again.error
    assert cases.show_case(ctx, reference).case.status == CaseStatus.FAILED


def test_endless_loop_deploys_but_the_case_fails_with_a_time_limit_and_stays_retryable(quick):
    registry.deploy(quick, {"loop.bpmn": bpmn(script_task("while True: pass")).encode()})
    started = time.monotonic()
    view = cases.start_case(quick, "hostile")
    assert time.monotonic() - started < 5
    assert view.status == CaseStatus.FAILED and "was stopped" in view.error
    _fails_and_stays_failed(quick, view.reference, "was stopped", "step")


def test_condition_on_an_undefined_variable_fails_the_case_with_a_clear_error(ctx):
    gateway = ('<bpmn:exclusiveGateway id="step" default="f2"><bpmn:incoming>f1</bpmn:incoming>'
               '<bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>')
    extra = ('<bpmn:sequenceFlow id="f3" sourceRef="step" targetRef="end2"><bpmn:conditionExpression>'
             'appeal_lodged == True</bpmn:conditionExpression></bpmn:sequenceFlow>\n'
             '<bpmn:endEvent id="end2"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>\n')
    registry.deploy(ctx, {"gateway.bpmn": bpmn(gateway, extra).encode()})
    view = cases.start_case(ctx, "hostile")
    assert view.status == CaseStatus.FAILED and "appeal_lodged" in view.error
    _fails_and_stays_failed(ctx, view.reference, "appeal_lodged", "step")


def test_timer_that_evaluates_to_an_invalid_duration_fails_the_case(ctx):
    registry.deploy(ctx, {"timer.bpmn": timer("wait_for").encode()})
    view = cases.start_case(ctx, "hostile", {"wait_for": "next tuesday"})
    _fails_and_stays_failed(ctx, view.reference, "duration", "step")
