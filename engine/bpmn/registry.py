"""The process registry: check, deploy and version BPMN maps (with their DMN and forms).

Process key = BPMN process id. Deploying changed content creates version n+1; identical content is
a no-op. A version's spec is stored once; cases refer to it and stay on the version they began on.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, make_transient_to_detached, undefer

from ..context import Context
from ..errors import DeploymentRejected, Problem, ProcessNotFound, UserError
from ..governance import audit
from ..people import routing
from ..persistence import configuration
from ..persistence.tables import Artifact, Event, Process, ProcessVersion
from ..types import AuditKind, Dialect, EventKind
from .bundle import BPMN_SUFFIXES, Bundle, Candidate, Deployed, load_bundle
from .dialects import NS
from .savedstate import LoadedSpec, spec_from_dict
from .xmlsafe import parse_xml

UPLOAD_SUFFIXES = (*BPMN_SUFFIXES, ".dmn", ".json")


@dataclass
class DeployedProcess:
    process: str
    version: int
    name: str
    changed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"process": self.process, "version": self.version, "name": self.name, "changed": self.changed}


@dataclass
class Deployment:
    deployed: list[DeployedProcess] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"deployed": [d.to_dict() for d in self.deployed],
                "warnings": [w.to_dict() for w in self.warnings]}


def read_paths(paths: list[str | Path]) -> dict[str, bytes]:
    """Files to upload from files and folders (process-model tests and notes are skipped)."""
    files: dict[str, bytes] = {}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UserError(f"No such file or folder: {path}")
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in candidates:
            if file.is_file() and file.name.lower().endswith(UPLOAD_SUFFIXES) and \
                    not (file.name.startswith("test_") and file.suffix == ".json"):
                files[file.name] = file.read_bytes()
    if not files:
        raise UserError("No .bpmn, .dmn or form .json files found in " + ", ".join(map(str, paths)))
    return files


def _library_form(ctx: Context, name: str) -> str | None:
    """A form of the configured forms folder, by plain file name (never a path out of the folder)."""
    folder = ctx.settings.forms_dir
    if folder is not None and "/" not in name and "\\" not in name and (folder / name).is_file():
        return (folder / name).read_text(encoding="utf-8")
    return None


def nothing_deployed(ctx: Context) -> Deployed:
    """What a check sees without a database: the forms folder, and no deployed forms, decisions or processes."""
    return Deployed(forms=lambda name: _library_form(ctx, name), decision_files=dict,
                    process_file=lambda key: None, process_keys=set())


def _deployed(ctx: Context, session: Session) -> Deployed:
    def form(name: str) -> str | None:
        artifact = session.get(Artifact, name)
        return artifact.content if artifact is not None else _library_form(ctx, name)

    def decision_files() -> dict[str, tuple[str, list[str]]]:
        rows = session.scalars(select(Artifact).where(Artifact.kind == "dmn"))
        return {row.name: (row.content, list(row.provides)) for row in rows}

    def process_file(key: str) -> tuple[str, str] | None:
        version = find_version(session, key)
        if version is None:
            return None
        return next(((n, t) for n, t in version.files.items() if n.lower().endswith(BPMN_SUFFIXES)
                     and f'id="{key}"' in t), None)

    keys = set(session.scalars(select(Process.key)))
    return Deployed(form, decision_files, process_file, keys)


def check(ctx: Context, files: dict[str, bytes], offline: bool = False) -> Bundle:
    """Validate and lint ``files`` against what is deployed; ``offline``: as if nothing were, reading no
    database (``councilflow check`` before ``init``, or on a machine with no database at all)."""
    if offline:
        return load_bundle(files, nothing_deployed(ctx), ctx.settings.default_team, ctx.operations)
    with ctx.db.transaction(readonly=True) as session:
        return load_bundle(files, _deployed(ctx, session), ctx.settings.default_team, ctx.operations)


def deploy(ctx: Context, files: dict[str, bytes], actor: str = "system") -> Deployment:
    """Validate, lint and store; raises DeploymentRejected (nothing stored) if any file has errors."""
    with ctx.db.transaction() as session:
        bundle = load_bundle(files, _deployed(ctx, session), ctx.settings.default_team, ctx.operations)
        if bundle.errors:
            raise DeploymentRejected(bundle.errors)
        now = ctx.clock.now()
        _store_artifacts(session, bundle, actor, now)
        result = Deployment(warnings=bundle.warnings)
        for candidate in bundle.candidates:
            result.deployed.append(_store_version(session, candidate, actor, now))
            for meta in candidate.user_tasks.values():
                if meta["team_source"]:
                    routing.ensure_mapping(session, meta["team_source"], now)
        result.warnings = [*result.warnings, *_unstaffed(ctx, session, bundle.candidates)]
        for done in result.deployed:
            audit.record(session, AuditKind.PROCESS_DEPLOYED, actor, now, done.process, version=done.version,
                         changed=done.changed)
        return result


def _unstaffed(ctx: Context, session: Session, candidates: list[Candidate]) -> list[Problem]:
    """A warning for each team that the candidates' user tasks go to and that has no active member:
    the map deploys, but nobody would see those tasks in an inbox."""
    staffed, found = routing.active_members(session), []
    for candidate in candidates:
        by_team: dict[str, list[str]] = {}
        for task_id, meta in candidate.user_tasks.items():
            team = routing.team_for(session, meta["team_source"], ctx.settings.default_team, ctx.clock.now())
            if team.id not in staffed:
                by_team.setdefault(team.name, []).append(meta.get("name") or task_id)
        for team_name, tasks in sorted(by_team.items()):
            names = ", ".join(f"'{t}'" for t in tasks)
            found.append(Problem(_main_file(candidate), None, candidate.key,
                                 f"{names} go{'es' if len(tasks) == 1 else ''} to the team '{team_name}', which has "
                                 f"no active members: nobody will see these tasks in an inbox until an admin "
                                 f"adds someone to the team or maps the lane to another team", "warning"))
    return found


def _main_file(candidate: Candidate) -> str:
    """The BPMN file that defines the candidate's process."""
    return next((name for name, text in candidate.files.items()
                 if name.lower().endswith(BPMN_SUFFIXES) and f'id="{candidate.key}"' in text), candidate.key)


def _store_artifacts(session: Session, bundle: Bundle, actor: str, now: datetime) -> None:
    items: list[tuple[str, str, str, list[str]]] = [(name, "form", text, []) for name, text in bundle.forms.items()]
    items += [(name, "dmn", text, ids) for name, (text, ids) in bundle.decisions.items()]
    for name, kind, text, provides in items:
        digest = hashlib.sha256(text.encode()).hexdigest()
        row = session.get(Artifact, name)
        if row is None:
            session.add(Artifact(name=name, kind=kind, content=text, content_hash=digest, provides=provides,
                                 deployed_by=actor, deployed_at=now))
        elif row.content_hash != digest:
            row.content, row.content_hash, row.provides = text, digest, provides
            row.deployed_by, row.deployed_at = actor, now


def documentation(candidate: Candidate) -> str | None:
    """The process's ``bpmn:documentation`` (what the service directory searches), if it has one."""
    name = _main_file(candidate)
    if name not in candidate.files:
        return None
    root, _ = parse_xml(name, candidate.files[name].encode())
    processes = [] if root is None else root.iterfind("bpmn:process", NS)
    process = next((p for p in processes if p.get("id") == candidate.key), None)
    found = process.findtext("bpmn:documentation", namespaces=NS) if process is not None else None
    return " ".join(found.split()) if found and found.strip() else None


def _store_version(session: Session, candidate: Candidate, actor: str, now: datetime) -> DeployedProcess:
    process = session.get(Process, candidate.key, with_for_update=True)
    if process is not None:
        latest = get_version(session, candidate.key)
        if latest.content_hash == candidate.content_hash:
            if process.description is None:  # deployed before descriptions were kept
                process.description = documentation(candidate)
            return DeployedProcess(candidate.key, latest.version, latest.name, False)
        process.latest_version += 1
        process.name = candidate.name
        process.description = documentation(candidate)
    else:
        process = Process(key=candidate.key, name=candidate.name, latest_version=1,
                          description=documentation(candidate))
        session.add(process)
        session.flush()
    version = ProcessVersion(
        process_key=candidate.key, version=process.latest_version, name=candidate.name,
        content_hash=candidate.content_hash, dialect=candidate.dialect.value, spec=candidate.spec,
        files=candidate.files, user_tasks=candidate.user_tasks, service_tasks=candidate.service_tasks,
        deployed_by=actor, deployed_at=now)
    session.add(version)
    session.add(Event(case_id=None, actor=actor, at=now, kind=EventKind.PROCESS_DEPLOYED,
                      detail={"process": candidate.key, "version": version.version}))
    return DeployedProcess(candidate.key, version.version, candidate.name, True)


def find_version(session: Session, key: str, version: int | None = None) -> ProcessVersion | None:
    query = select(ProcessVersion).where(ProcessVersion.process_key == key)
    if version is None:
        query = query.order_by(ProcessVersion.version.desc()).limit(1)
    else:
        query = query.where(ProcessVersion.version == version)
    return session.scalar(query)


def get_version(session: Session, key: str, version: int | None = None) -> ProcessVersion:
    found = find_version(session, key, version)
    if found is None:
        what = f"version {version} of " if version else ""
        raise ProcessNotFound(f"There is no {what}process '{key}' deployed")
    return found


_CURRENT_ID = select(ProcessVersion.id).where(ProcessVersion.process_key == bindparam("key")) \
    .order_by(ProcessVersion.version.desc()).limit(1)  # built once: read at every case start


def current_version(ctx: Context, session: Session, key: str) -> ProcessVersion:
    """``get_version``'s current version, its row from the process's cache (``attach_version``); which version
    is current is this process's copy while no deployment has happened since (``configuration``)."""
    def read() -> int:
        version_id = session.scalar(_CURRENT_ID, {"key": key})
        if version_id is None:
            raise ProcessNotFound(f"There is no process '{key}' deployed")
        return version_id
    return attach_version(ctx, session, configuration.kept(session, "versions", key, read))


def attach_version(ctx: Context, session: Session, version_id: int) -> ProcessVersion:
    """The version row in this session without reading it again: a deployed version never changes,
    so it is read once per process (with its files) and then merged in without a statement, which
    also lets ``case.version`` resolve from the session's identity map."""
    cached = ctx.version_cache.get(version_id)
    if cached is None:
        row = session.get_one(ProcessVersion, version_id, options=[undefer(ProcessVersion.files)])
        # A detached copy (the large spec left out): this session's rollback cannot expire it.
        cached = ProcessVersion(**{c.key: getattr(row, c.key) for c in ProcessVersion.__table__.columns
                                   if c.key != "spec"})
        make_transient_to_detached(cached)
        ctx.version_cache[version_id] = cached
        return row
    return session.merge(cached, load=False)


def loaded_spec(ctx: Context, version: ProcessVersion) -> LoadedSpec:
    """The parsed spec of a version, restored once per process and then shared."""
    cached = ctx.spec_cache.get(version.id)
    if cached is None:
        cached = spec_from_dict(Dialect(version.dialect), version.spec)
        ctx.spec_cache[version.id] = cached
    return cached


def list_processes(session: Session) -> list[tuple[Process, int]]:
    """Every process with its number of versions."""
    counts = select(ProcessVersion.process_key, func.count().label("n")).group_by(ProcessVersion.process_key)
    rows = {k: n for k, n in session.execute(counts)}
    return [(p, rows.get(p.key, 0)) for p in session.scalars(select(Process).order_by(Process.key))]
