"""The directory of services as files: import and export as CSV (one row per service, for a
spreadsheet) or JSON (``{"partners": [...], "services": [...]}``, the API's shapes).

An import is all or nothing: every row is checked against the others (a service may relate to one
further down; a partner may be defined by the same file) and, if any row has a problem, nothing is
saved and every problem is reported with its row. Lists in CSV cells (synonyms, related services)
are separated by semicolons.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import UserError
from ..persistence.tables import DirectoryEntry, Team
from . import directory_entries as de

COLUMNS = ("key", "name", "synonyms", "lgsl", "description", "public_info", "guidance", "guidance_owner",
           "guidance_review_on", "action", "process", "team", "partner", "partner_email", "partner_phone",
           "partner_website", "sensitivity", "related")
PARTNER_COLUMNS = {"partner_email": "email", "partner_phone": "phone", "partner_website": "website"}
MAX_ROWS = 5000


class DirectoryImportRefused(UserError):
    """Nothing was imported; ``problems`` says what, where."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__("The directory was not imported: " + "; ".join(problems[:5]) + more)

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "problems": self.problems}


@dataclass
class Imported:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"created": len(self.created), "updated": len(self.updated), "partners": len(self.partners),
                "teams_created": self.teams_created}


@dataclass
class _Parsed:
    entries: list[tuple[str, de.Entry]]  # (where, entry)
    partners: dict[str, de.PartnerInfo]
    problems: list[str]


def _items(text: Any) -> tuple[str, ...]:
    if isinstance(text, (list, tuple)):
        return tuple(str(t).strip() for t in text if str(t).strip())
    return tuple(t.strip() for t in str(text or "").split(";") if t.strip())


def _entry(raw: dict[str, Any], where: str, problems: list[str]) -> de.Entry | None:
    """An Entry from a row or JSON object; None (with the problem noted) when a value cannot be read."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected an object with the service's fields")
        return None
    try:
        lgsl = int(raw["lgsl"]) if str(raw.get("lgsl") or "").strip() else None
        review = str(raw.get("guidance_review_on") or "").strip()
        return de.Entry(key=str(raw.get("key") or "").strip(), name=str(raw.get("name") or "").strip(),
                        action=str(raw.get("action") or "").strip(), synonyms=_items(raw.get("synonyms")), lgsl=lgsl,
                        description=str(raw.get("description") or ""), public_info=str(raw.get("public_info") or ""),
                        guidance=str(raw.get("guidance") or ""), guidance_owner=raw.get("guidance_owner") or None,
                        guidance_review_on=date.fromisoformat(review) if review else None,
                        process=raw.get("process") or None, team=raw.get("team") or None,
                        partner=raw.get("partner") or None, sensitivity=str(raw.get("sensitivity") or "normal"),
                        related=_items(raw.get("related")))
    except (ValueError, TypeError) as err:
        problems.append(f"{where}: {'lgsl' if 'int' in str(err) else 'guidance_review_on'}: "
                        f"{'a whole number' if 'int' in str(err) else 'a date as YYYY-MM-DD'} is needed")
        return None


def parse_json(text: str) -> _Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise UserError(f"The file is not valid JSON: {err.msg} (line {err.lineno})") from None
    services = data.get("services") if isinstance(data, dict) else data
    if not isinstance(services, list):
        raise UserError('Expected a list of services, or {"partners": [...], "services": [...]}')
    problems: list[str] = []
    partners = {}
    for i, raw in enumerate(data.get("partners", []) if isinstance(data, dict) else []):
        if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
            problems.append(f"partner {i + 1}: name: enter the partner's name")
            continue
        info = de.PartnerInfo(str(raw["name"]).strip(), raw.get("email"), raw.get("phone"), raw.get("website"))
        partners[info.name] = info
    entries = [(f"service {i + 1}", e) for i, raw in enumerate(services)
               if (e := _entry(raw, f"service {i + 1}", problems)) is not None]
    return _Parsed(entries, partners, problems)


def parse_csv(text: str) -> _Parsed:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"key", "name", "action"} - set(reader.fieldnames or ())
    if missing:
        raise UserError(f"The CSV has no {', '.join(sorted(missing))} column; its first row must name the columns "
                        f"({', '.join(COLUMNS)})")
    problems: list[str] = []
    entries, partners = [], {}
    for line, row in enumerate(reader, start=2):
        where = f"line {line}"
        entry = _entry(dict(row), where, problems)
        if entry is None:
            continue
        entries.append((where, entry))
        if entry.partner and (entry.partner not in partners or any(row.get(c) for c in PARTNER_COLUMNS)):
            details = {name: (row.get(column) or None) for column, name in PARTNER_COLUMNS.items()}
            partners[entry.partner] = de.PartnerInfo(entry.partner, **details)
    return _Parsed(entries, partners, problems)


def read(text: str, file_format: str) -> _Parsed:
    if file_format not in ("csv", "json"):
        raise UserError("The directory file must be .csv or .json")
    parsed = parse_csv(text) if file_format == "csv" else parse_json(text)
    if len(parsed.entries) > MAX_ROWS:
        raise UserError(f"At most {MAX_ROWS:,} services can be imported at once")
    return parsed


def import_directory(ctx: Context, parsed: _Parsed, actor: str) -> Imported:
    """Save every service and partner of ``parsed``, or none of them (DirectoryImportRefused)."""
    with ctx.db.transaction() as session:
        return _import(session, parsed, actor, ctx)


def _import(session: Session, parsed: _Parsed, actor: str, ctx: Context) -> Imported:
    problems = list(parsed.problems)
    keys = [e.key for _, e in parsed.entries]
    for where, entry in parsed.entries:
        if keys.count(entry.key) > 1:
            problems.append(f"{where} ({entry.key}): key: the file has this key more than once")
    for info in parsed.partners.values():
        problems += [f"partner {info.name}: {name}: {message}" for name, message in de.partner_problems(info).items()]
    existing = set(session.scalars(select(DirectoryEntry.key)))
    known = set(keys) | existing
    for where, entry in parsed.entries:
        for name, message in de.problems(session, entry, known, frozenset(parsed.partners)).items():
            problems.append(f"{where} ({entry.key or 'no key'}): {name}: {message}")
    if problems:
        raise DirectoryImportRefused(problems)
    now, result = ctx.clock.now(), Imported()
    teams = set(session.scalars(select(Team.name)))
    for info in parsed.partners.values():
        result.partners.append(de.save_partner(session, info, actor, now).name)
    for _, entry in parsed.entries:
        de.write_checked(session, entry, actor, now)
        (result.updated if entry.key in existing else result.created).append(entry.key)
        if entry.team and entry.team not in teams:
            teams.add(entry.team)
            result.teams_created.append(entry.team)
    return result


def export_json(ctx: Context) -> str:
    with ctx.db.transaction(readonly=True) as session:
        payload = {"partners": [p.to_dict() for p in de.partners(session)],
                   "services": [_exported(e) for e in de.entries(session)]}
    return json.dumps(payload, indent=2, ensure_ascii=False)


def _exported(entry: de.Entry) -> dict[str, Any]:
    out = entry.to_dict()
    for internal in ("updated_by", "updated_at"):
        out.pop(internal)
    return out


def export_csv(ctx: Context) -> str:
    with ctx.db.transaction(readonly=True) as session:
        found, partners = de.entries(session), {p.name: p for p in de.partners(session)}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in found:
        row = _exported(entry)
        row.update(synonyms="; ".join(entry.synonyms), related="; ".join(entry.related))
        partner = partners.get(entry.partner or "")
        for column, name in PARTNER_COLUMNS.items():
            row[column] = getattr(partner, name) if partner else None
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in COLUMNS})
    return out.getvalue()
