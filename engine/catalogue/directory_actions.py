"""Taking a contact about a directory service at the front door: whatever the entry's action, the
contact becomes a real case through the engine, recorded against the entry (``service_key``) with
its channel, customer and outcome, so first-contact resolution is counted across every service.

An entry that starts a mapped process is started as that map (``cases.start_case``). The others run
one of three generic maps shipped in ``processes/``:

* ``resolve`` -> ``directory_resolve``: no task; the outcome is ``resolved_first_contact`` or ``signposted``;
* ``hand_off`` -> ``directory_hand_off``: one task in the entry's team's inbox (routed by the case
  variable ``hand_off_team``, ``engine.bpmn.dialects``), with the desk's short form as case data;
* ``refer`` -> ``directory_refer``: the short form and the customer's contact details are emailed to
  the entry's partner by the outbox (Notify, exactly once).

The short form is the one the map's start event names (``taskforms.start_form``), checked with the
same rules as a task's answers, so the pages, the API and a deployed new version agree.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..bpmn import forms
from ..casework import casedata, cases, taskforms, writer
from ..casework.taskforms import FormTexts
from ..casework.views import CaseView
from ..context import Context
from ..errors import Conflict, FormInvalid, ProcessNotFound, UserError
from ..persistence.tables import DirectoryEntry
from ..types import Channel, DirectoryAction, EventKind, Outcome
from . import directory, directory_entries
from .directory_entries import Entry, PartnerInfo

MAPS = directory.ACTION_MAPS
# What the advisor may say a resolved contact was: the case variable ``resolution`` and the outcome it gives.
RESOLUTIONS = {"resolved": Outcome.RESOLVED_FIRST_CONTACT, "signposted": Outcome.SIGNPOSTED}
# The maps read these (the referral email names the customer); a customer record fills them in.
ANONYMOUS = {"customer_name": None, "customer_phone": None, "customer_email": None, "address": None}


class WrongAction(Conflict):
    """The contact asked for is not what the entry's action says (a hand-off of a referred service)."""


@dataclass(frozen=True)
class EntryPage:
    """What an advisor sees of one directory service: the entry, its partner's contact details, the
    related services (key, name) that exist, whether the guidance is past its review date, and the
    short form its action asks for (None for start and resolve)."""

    entry: Entry
    partner: PartnerInfo | None
    guidance_stale: bool
    related: list[tuple[str, str]] = field(default_factory=list)
    form: FormTexts | None = None


@dataclass(frozen=True)
class ContactTaken:
    """A contact recorded: its case (run to its first wait), the service and the outcome so far."""

    case: CaseView
    service: str
    outcome: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"reference": self.case.reference, "status": self.case.status, "outcome": self.outcome,
                "service": self.service, "process": self.case.process, "tasks": [t.brief() for t in self.case.tasks]}


def entry_page(ctx: Context, key: str) -> EntryPage:
    """The entry ``key`` as the front office sees it; NotFound if there is none."""
    with ctx.db.transaction(readonly=True) as session:
        entry = directory_entries.get(session, key)
        partner = next((p for p in directory_entries.partners(session) if p.name == entry.partner), None)
        related = _related(session, entry.related)
    return EntryPage(entry, partner, entry.guidance_stale(ctx.clock.now().date()), related, contact_form(ctx, entry))


def related_services(ctx: Context, key: str | None) -> list[tuple[str, str]]:
    """The related services (key, name) of the entry ``key``, to offer when the advisor asks "Can we
    help with anything else?"; none if ``key`` is no entry (a mapped process's own key)."""
    with ctx.db.transaction(readonly=True) as session:
        row = session.get(DirectoryEntry, key) if key else None
        return _related(session, [k for k in row.related.split(", ") if k]) if row is not None else []


def _related(session: Session, keys: Iterable[str]) -> list[tuple[str, str]]:
    """(key, name) of each of ``keys`` still in the directory, in their order."""
    return [(row.key, row.name) for k in keys if (row := session.get(DirectoryEntry, k)) is not None]


def contact_form(ctx: Context, entry: Entry) -> FormTexts | None:
    """The short form a hand-off or referral of ``entry`` asks for (None for other actions, or when
    its generic map is not deployed: the service's page still shows, and taking the contact says so)."""
    if entry.action not in (DirectoryAction.HAND_OFF, DirectoryAction.REFER):
        return None
    try:
        return taskforms.start_form(ctx, MAPS[DirectoryAction(entry.action)])
    except ProcessNotFound:
        return None


def take_contact(ctx: Context, key: str, action: DirectoryAction | str, channel: Channel | str,
                 customer_id: int | None = None, actor: str | None = None, resolution: str | None = None,
                 details: dict[str, Any] | None = None) -> ContactTaken:
    """Record a contact about the entry ``key`` as a case of its action's map and run it to its first
    wait. ``action`` must be the entry's (WrongAction otherwise: a page or script out of date must not
    hand off what should be referred). ``resolution`` (``resolved`` or ``signposted``) is for resolve;
    ``details`` (the short form's answers) for hand-off and referral, refused field by field
    (FormInvalid) when they do not pass the form."""
    entry_row = entry_page(ctx, key)
    entry, wanted = entry_row.entry, str(action)
    if wanted != entry.action:
        raise WrongAction(f"{entry.name} is a service to {str(entry.action).replace('_', ' ')}, not to "
                          f"{wanted.replace('_', ' ')}")
    if entry.action == DirectoryAction.START:
        raise WrongAction(f"{entry.name} starts its own process ({entry.process}): start a case of it instead")
    data: dict[str, Any] = {"service_key": entry.key, "service_name": entry.name}
    if entry.action == DirectoryAction.RESOLVE:
        if (resolution or "resolved") not in RESOLUTIONS:
            raise FormInvalid({"outcome": "Choose whether the customer was helped (resolved) or signposted"})
        data["resolution"] = resolution or "resolved"
    else:
        data.update(_checked_details(entry_row.form, details or {}))
        if entry.action == DirectoryAction.HAND_OFF:
            data["hand_off_team"] = entry.team
        else:
            partner = entry_row.partner
            data.update(partner_name=entry.partner, partner_email=partner.email if partner is not None else None)
    if customer_id is None:
        data.update(ANONYMOUS)
    with writer.new_case(ctx, MAPS[DirectoryAction(entry.action)], data, cases.as_channel(channel), customer_id,
                         actor, entry.key) as w:
        w.step(ctx.runtime.advance)
        w.save()
        # The outcome in the case's history too, in the same transaction: the case page tells the story.
        outcome = (w.case.data or {}).get("outcome")
        w.record(EventKind.CONTACT_OUTCOME, service=entry.key, service_name=entry.name, outcome=outcome,
                 team=entry.team, partner=entry.partner)
        return ContactTaken(w.view(), entry.key, str(outcome) if outcome else None)


def _checked_details(form: FormTexts | None, details: dict[str, Any]) -> dict[str, Any]:
    """The short form's answers, every field present (None when not given), once they pass the form."""
    if form is None or form.schema is None:
        raise UserError("The short form for this service is not deployed: deploy the maps in processes/")
    if not isinstance(details, dict):
        raise UserError("The details must be a JSON object")
    schema = forms.load_schema(form.schema, form.files.get, form.name)
    casedata.check_task_fields(str(schema.get("title") or form.title), schema, details, form.files.get)
    forms.validate(schema, details, form.files.get)
    return {name: details.get(name) for name in schema.get("properties", {})}
