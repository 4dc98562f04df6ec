"""Turns an upload (BPMN, DMN and form files) into validated, versionable process candidates.

Pure: no database. The registry supplies what is already deployed and stores the result.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from ..errors import Problem
from ..types import Dialect
from . import camunda7, dialects, form_keys, formschema, forms, lint, widgets, zeebe
from .savedstate import spec_to_dict
from .xmlsafe import active_markup, parse_xml

logger = logging.getLogger(__name__)
BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".xml")
MAX_KEY, MAX_NAME = 200, 300  # the process table's column sizes


@dataclass
class Candidate:
    """One executable process from the upload, ready to become a version."""

    key: str
    name: str
    dialect: Dialect
    spec: dict[str, Any]
    files: dict[str, str]
    user_tasks: dict[str, dict[str, Any]]
    content_hash: str
    service_tasks: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Bundle:
    problems: list[Problem] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    forms: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # file -> (text, ids)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class Deployed:
    """Lookups into what is already deployed (supplied by the registry)."""

    forms: Callable[[str], str | None]
    decision_files: Callable[[], dict[str, tuple[str, list[str]]]]
    process_file: Callable[[str], tuple[str, str] | None]
    process_keys: set[str]


def _is_bpmn_name(name: str) -> bool:
    return name.lower().endswith(BPMN_SUFFIXES)


def _element_line(root: etree._Element, element_id: str | None) -> int | None:
    if not element_id:
        return None
    found = root.xpath("//*[@id=$i]", i=element_id)
    return found[0].sourceline if found else None


_ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-f]+>")
_DATA_STORE = re.compile(r"Data Store with name (.+?) has no implementation")


def _located(err: Exception, roots: dict[str, etree._Element], file: str) -> tuple[str | None, int | None]:
    """The element id and line an error is about, when SpiffWorkflow did not say."""
    element = getattr(err, "id", None) or None
    line = getattr(err, "line_number", None) or None
    root = roots.get(file)
    if element is None and root is not None and (store := _DATA_STORE.search(str(err))):
        found = root.xpath("//*[local-name()='dataStore' or local-name()='dataStoreReference'][@name=$n]",
                           n=store.group(1))
        element = found[0].get("id") if found else None
    if line is None and root is not None:
        line = _element_line(root, element)
    return element, line


def _spiff_problem(err: Exception, roots: dict[str, etree._Element], default_file: str) -> Problem:
    file = getattr(err, "file_name", None) or default_file
    element, line = _located(err, roots, file if file in roots else default_file)
    message = str(err).split(" [tag=")[0].rstrip(". ")
    message = _ELEMENT_REPR.sub(lambda m: f"its {m.group(1)}", message)
    if _DATA_STORE.search(message):
        message += " (councilflow has JSONDataStore, KKVDataStore and TypeaheadDataStore)"
    return Problem(file, line, element, message[:1].lower() + message[1:] if message else "invalid")


def _problems(name: str, findings: list[tuple[etree._Element, str, str]]) -> list[Problem]:
    """(element, message, severity) findings of a dialect's module as problems located in file ``name``."""
    problems = []
    for element, message, severity in findings:
        owner = next((e for e in (element, *element.iterancestors()) if e.get("id")), element)
        problems.append(Problem(name, element.sourceline, owner.get("id"), message, severity))
    return problems


class _Loader:
    def __init__(self, files: dict[str, bytes], deployed: Deployed) -> None:
        self.files, self.deployed, self.bundle = files, deployed, Bundle()
        self.bpmn: dict[str, etree._Element] = {}
        self.dmn: dict[str, etree._Element] = {}
        self.camunda_forms = form_keys.CamundaForms(deployed.forms)

    def load(self) -> None:
        for name, content in sorted(self.files.items()):
            lower = name.lower()
            if lower.endswith(".json"):
                self._load_form(name, content)
            elif lower.endswith(".form"):  # a Camunda Form (form-js)
                self.bundle.problems += self.camunda_forms.load(name, content)
            elif lower.endswith(".dmn") or _is_bpmn_name(name):
                root, problems = parse_xml(name, content)
                self.bundle.problems += problems
                if root is None:
                    continue
                self.bundle.problems += active_markup(name, content, root)
                if dialects.is_dmn(root):
                    self.dmn[name] = root
                elif dialects.is_bpmn(root):
                    self.bpmn[name] = root
                    if dialects.detect_dialect(root) is Dialect.ZEEBE:  # its FEEL, rewritten before any check
                        self.bundle.problems += _problems(name, zeebe.normalise(root))
                    else:  # simple JUEL conditions (never Python: "${" cannot start one), likewise
                        self.bundle.problems += _problems(name, camunda7.normalise(root) + camunda7.findings(root))
                else:
                    self.bundle.problems.append(Problem(
                        name, root.sourceline, root.get("id"),
                        f"the file is neither BPMN 2.0 nor DMN: it starts with <{etree.QName(root).localname}> "
                        f"where a BPMN file starts with <bpmn:definitions>"))
            else:
                self.bundle.problems.append(Problem(name, None, None,
                                                    "unsupported file type: upload .bpmn, .dmn, form .json or Camunda "
                                                    "Form .form files"))
        for name, root in self.bpmn.items():
            if dialects.executable_processes(root):  # a diagram nobody meant to run is only told so
                self.bundle.problems += _problems(name, self.camunda_forms.check(root))
        for name, root in self.dmn.items():
            ids = [d.get("id") for d in root.iter() if etree.QName(d).localname == "decision"]
            self.bundle.decisions[name] = (etree.tostring(root, encoding="unicode"), ids)

    def _load_form(self, name: str, content: bytes) -> None:
        try:
            text = content.decode("utf-8")
            formschema.check_meta(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            self.bundle.problems.append(Problem(name, getattr(err, "lineno", None), None,
                                                f"the form is not valid JSON: {err}"))
            return
        except Exception as err:  # jsonschema's SchemaError
            at = formschema.pointer_to(*getattr(err, "path", ())) or None
            self.bundle.problems.append(Problem(name, None, at,
                                                f"the form is not a valid JSON Schema: {getattr(err, 'message', err)}"))
            return
        self.bundle.forms[name] = text

    def check_forms(self) -> None:
        """References and patterns of every form uploaded or used by an uploaded map, with the whole
        library in view (a form may refer to one later in the upload, or already deployed)."""
        used = {n for n in self._form_names() if n not in self.bundle.forms and self.form_text(n) is not None}
        for name in [*self.bundle.forms, *sorted(used)]:
            text = self.form_text(name)
            try:
                schema = json.loads(text or "")
            except ValueError:
                continue  # a deployed form that is not JSON is reported when its task is worked on
            found = [Problem(f.file, None, f.pointer or None, f.message) for f in formschema.check(name, schema, self.form_text).findings]
            self.bundle.problems += [p for p in found if p not in self.bundle.problems]
        self.bundle.problems += widgets.ui_problems(self.bpmn.values(), self.form_text)  # SpiffArena's own widgets

    def references(self, operations: set[str] | None) -> lint.References:
        refs = lint.References(operations=operations)
        refs.forms = set(self.bundle.forms) | {n for n in self._form_names() if self.form_text(n) is not None}
        refs.decisions = {i for _, ids in self.bundle.decisions.values() for i in ids}
        refs.decisions |= {i for _, ids in self.deployed.decision_files().values() for i in ids}
        refs.processes = set(self.deployed.process_keys)
        for root in self.bpmn.values():
            refs.processes |= {p.get("id") for p in root.iterfind("bpmn:process", dialects.NS)}
            refs.calls.update(lint.calls_by_process(root))
        self._deployed_calls(refs.calls)
        return refs

    def _deployed_calls(self, calls: dict[str, set[str]]) -> None:
        """Adds the calls of every deployed process the upload reaches, so call cycles are seen."""
        pending = [key for called in calls.values() for key in called]
        while pending:
            key = pending.pop()
            if key in calls:
                continue
            calls[key] = set()
            found = self.deployed.process_file(key)
            if found is not None:
                root, _ = parse_xml(found[0], found[1].encode())
                calls[key] = lint.calls_by_process(root).get(key, set()) if root is not None else set()
                pending.extend(calls[key])

    def _form_names(self) -> set[str]:
        return {p.get("value") for root in self.bpmn.values()
                for p in root.iterfind(".//spiffworkflow:property", dialects.NS) if p.get("value")}

    def form_text(self, name: str) -> str | None:
        return self.bundle.forms.get(name) or self.deployed.forms(name)


def _hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def _route(meta: dict[str, Any]) -> str | None:
    return meta["lane"] or (meta["candidate_groups"][0] if meta["candidate_groups"] else None)


class _Builder:
    """Parses the validated files with SpiffWorkflow and assembles one candidate per process."""

    def __init__(self, loader: _Loader) -> None:
        self.loader, self.bundle = loader, loader.bundle

    def build(self) -> None:
        for name, root in self.loader.bpmn.items():
            dialect = dialects.detect_dialect(root)
            with self._located(name):
                parser = self._parser(dialect, name)
                if parser is None:
                    continue
                for process in dialects.executable_processes(root):
                    self._candidate(parser, dialect, name, root, process)

    @contextmanager
    def _located(self, name: str) -> Iterator[None]:
        """Whatever SpiffWorkflow raises on a file we let through (it has failed on KeyErrors and
        TypeErrors before) is that file's error, never a server error."""
        try:
            yield
        except Exception as err:  # noqa: BLE001 - any failure is reported against the file
            logger.warning("SpiffWorkflow could not read %s", name, exc_info=True)
            self.bundle.problems.append(Problem(name, None, None, f"the file could not be read as a process "
                                                                  f"({type(err).__name__}: {err})"))

    def _parser(self, dialect: Dialect, main: str) -> BpmnDmnParser | None:
        """A parser holding the upload's files of ``dialect``'s kind (each dialect's parser reads its
        own extensions, and fails on another's: a SpiffArena decision task is no Camunda one)."""
        parser = dialects.new_parser(dialect)
        try:
            for text, _ in self.bundle.decisions.values():
                parser.add_dmn_xml(etree.fromstring(text.encode()), filename="decision.dmn")
            for text, _ in self.loader.deployed.decision_files().values():
                parser.add_dmn_xml(etree.fromstring(text.encode()), filename="decision.dmn")
            for name, root in self.loader.bpmn.items():
                if dialects.same_parser(dialects.detect_dialect(root), dialect):
                    parser.add_bpmn_xml(root, filename=name)
            self._add_called(parser, self.loader.bpmn[main], dialect)
        except (ValidationException, SpiffWorkflowException) as err:
            self.bundle.problems.append(_spiff_problem(err, self.loader.bpmn, main))
            return None
        return parser

    def _add_called(self, parser: BpmnDmnParser, root: etree._Element, dialect: Dialect,
                    seen: set[str] | None = None) -> None:
        seen = seen if seen is not None else set(parser.get_process_ids())
        for call in root.iterfind(".//bpmn:callActivity", dialects.NS):
            key = call.get("calledElement")
            if not key or key in seen:
                continue
            found = self.loader.deployed.process_file(key)
            called = etree.fromstring(found[1].encode()) if found is not None else self._uploaded(key)
            if called is None:
                continue
            if not dialects.same_parser(dialects.detect_dialect(called), dialect):
                raise ValidationException(
                    f"It calls the process '{key}', which is a {dialects.detect_dialect(called).label} map; a "
                    f"{dialect.label} map can only call maps of its own kind", node=call)
            if found is not None:
                parser.add_bpmn_xml(called, filename=found[0])
                seen |= set(parser.get_process_ids())
                self._add_called(parser, called, dialect, seen)

    def _uploaded(self, key: str) -> etree._Element | None:
        return next((root for root in self.loader.bpmn.values()
                     if root.find(f"bpmn:process[@id='{key}']", dialects.NS) is not None), None)

    def _candidate(self, parser: BpmnDmnParser, dialect: Dialect, name: str, root: etree._Element,
                   process: etree._Element) -> None:
        key = process.get("id")
        title = process.get("name") or key
        if len(key) > MAX_KEY or len(title) > MAX_NAME:
            self.bundle.problems.append(Problem(
                name, process.sourceline, key[:60],
                f"the process id must be at most {MAX_KEY} characters and its name at most {MAX_NAME}"))
            return
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except (ValidationException, SpiffWorkflowException) as err:
            self.bundle.problems.append(_spiff_problem(err, self.loader.bpmn, name))
            return
        files = {name: etree.tostring(root, encoding="unicode")}
        user_tasks = dialects.human_tasks(root, key)
        service_tasks = dialects.service_tasks(root, key)
        for sub_key in subprocess_specs:
            sub_file = next((n for n, r in self.loader.bpmn.items()
                             if r.find(f"bpmn:process[@id='{sub_key}']", dialects.NS) is not None), None)
            if sub_file is not None:
                files.setdefault(sub_file, etree.tostring(self.loader.bpmn[sub_file], encoding="unicode"))
                user_tasks = {**dialects.human_tasks(self.loader.bpmn[sub_file], sub_key), **user_tasks}
                service_tasks = {**dialects.service_tasks(self.loader.bpmn[sub_file], sub_key), **service_tasks}
            elif (deployed := self.loader.deployed.process_file(sub_key)) is not None:
                files.setdefault(deployed[0], deployed[1])
                user_tasks = {**dialects.human_tasks(etree.fromstring(deployed[1].encode()), sub_key),
                              **user_tasks}
        facts = zeebe.files_facts(files, [key, *subprocess_specs])  # before decisions join the files
        for file, (text, _) in {**self.loader.deployed.decision_files(), **self.bundle.decisions}.items():
            files[file] = text
        for task_id, meta in user_tasks.items():
            meta["team_source"] = _route(meta)
            meta["form"] = self._form(files, task_id, meta)
        if (start_ref := dialects.start_camunda_form(root, key)) is not None:
            self.loader.camunda_forms.keep(files, "start", {"camunda_form": start_ref, "name": title}, [root])
        start_schema, start_ui = dialects.start_form(root, key)
        if start_schema:  # kept with the version, as a task's form is (engine.casework.taskforms.start_form)
            self._form(files, "start", {"form_schema": start_schema, "form_ui_schema": start_ui, "camunda_fields": []})
        self.bundle.candidates.append(Candidate(
            key=key, name=process.get("name") or spec.description or key, dialect=dialect,
            spec=spec_to_dict(dialect, spec, subprocess_specs, facts), files=files, user_tasks=user_tasks,
            content_hash=_hash(files), service_tasks=service_tasks))

    def _form(self, files: dict[str, str], task_id: str, meta: dict[str, Any]) -> str | None:
        for ref in (meta["form_schema"], meta["form_ui_schema"]):
            if ref and (text := self.loader.form_text(ref)) is not None:
                files[ref] = text
        if meta["form_schema"] in files:  # the forms it refers to stay with the version too
            schema = json.loads(files[meta["form_schema"]])
            for other in formschema.check(meta["form_schema"], schema, self.loader.form_text).forms:
                if (text := self.loader.form_text(other)) is not None:
                    files[other] = text
        if meta["form_schema"]:
            named: str = meta["form_schema"]
            return named
        if meta.get("camunda_form"):
            return self.loader.camunda_forms.keep(files, task_id, meta, list(self.loader.bpmn.values()))
        if meta["camunda_fields"]:
            generated = f"{task_id}{forms.CAMUNDA_SUFFIX}"
            files[generated] = json.dumps(forms.camunda_schema(meta["name"], meta["camunda_fields"]), indent=1)
            return generated
        return None


def load_bundle(files: dict[str, bytes], deployed: Deployed, default_team: str,
                operations: set[str] | None = None) -> Bundle:
    """Validate and lint an upload; on success the bundle holds one candidate per executable process."""
    loader = _Loader(files, deployed)
    loader.load()
    bundle = loader.bundle
    if not loader.bpmn and not bundle.errors and not bundle.forms and not bundle.decisions:
        bundle.problems.append(Problem("(upload)", None, None, "the upload holds no BPMN, DMN or form file"))
    loader.check_forms()
    refs = loader.references(operations)
    for name, root in loader.bpmn.items():
        # A diagram nobody meant to run: say so, rather than list its schema quirks.
        nothing_to_run = lint.check_executable(name, root)
        bundle.problems += nothing_to_run
        schema = [] if nothing_to_run else lint.check_schema(name, root)
        bundle.problems += schema
        if nothing_to_run or any(p.severity == "error" for p in schema):
            continue
        try:
            bundle.problems += lint.lint_bpmn(name, root, refs, default_team)
        except Exception as err:  # noqa: BLE001 - a file the linter cannot follow is that file's error
            logger.warning("the linter could not read %s", name, exc_info=True)
            bundle.problems.append(Problem(name, None, None, f"the file could not be checked ({type(err).__name__}: "
                                                             f"{err})"))
    if not bundle.errors:
        _Builder(loader).build()
    return bundle
