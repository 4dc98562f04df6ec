"""The back office the shipped maps talk to, faked: the adapter names the library uses (``assets``,
``edrms``, ``revenues``, ``notify``) configured for the fakes in tests/fakes, with the Notify
templates the maps name. ``examples/fake_backoffice.py`` serves the same configuration for the demo.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.cmis import FakeCmis
from tests.fakes.notify import FakeNotify
from tests.fakes.open311 import FakeOpen311
from tests.fakes.revenues import FakeRevenues

CASE_FOLDERS = "/Sites/cases"
# Council tax accounts the library's model tests name (processes/test_council_tax_change_of_address.json).
ACCOUNTS = {ref: {"account_ref": ref, "holder": "A Resident", "band": "C", "balance_pence": 0}
            for ref in ("70012345", "70012346")}
# Test credentials the fakes accept; they open nothing real.
STATIC_ENV = {"OPEN311_API_KEY": "open311-test-key", "EDRMS_USER": "edrms-user", "EDRMS_PASSWORD": "edrms-password",
              "REVENUES_API_KEY": "revenues-test-key", "NOTIFY_CALLBACK_TOKEN": "demo-callback-token"}

# The templates the maps name (service task parameter ``template``), as a council would write them in Notify.
TEMPLATES: dict[str, dict[str, Any]] = {
    "resident_acknowledgement": {
        "type": "email", "subject": "We have your ((service)): ((reference))",
        "body": "Dear ((name)), thank you for your ((service)). Your reference is ((reference)).",
        "placeholders": ["name", "service", "reference"]},
    "resident_acknowledgement_sms": {
        "type": "sms", "body": "We have your ((service)). Your reference is ((reference)).",
        "placeholders": ["service", "reference"]},
    "resident_closure": {
        "type": "email", "subject": "Your ((service)) ((reference)) is closed",
        "body": "Dear ((name)), ((outcome)) Your reference is ((reference)).",
        "placeholders": ["name", "service", "reference", "outcome"]},
    "resident_closure_sms": {
        "type": "sms", "body": "((outcome)) Your reference is ((reference)).",
        "placeholders": ["reference", "outcome"]},
    "resident_update": {
        "type": "email", "subject": "Your ((service)) ((reference)): ((status))",
        "body": "Dear ((name)), your case ((reference)) has moved on: ((status)).",
        "placeholders": ["name", "service", "reference", "status"]},
    "resident_update_sms": {
        "type": "sms", "body": "Your case ((reference)): ((status))", "placeholders": ["reference", "status"]},
    "resident_update_cy": {
        "type": "email", "subject": "Eich achos ((reference)): ((status))",
        "body": "Annwyl ((name)), mae eich achos ((reference)) wedi symud ymlaen: ((status)).",
        "placeholders": ["name", "reference", "status"]},
    "resident_update_sms_cy": {
        "type": "sms", "body": "Eich achos ((reference)): ((status))", "placeholders": ["reference", "status"]},
    # Welsh twins (NAME_cy): sent to residents who used the Welsh pages (adapters/notify.py).
    "resident_acknowledgement_cy": {
        "type": "email", "subject": "Mae eich cais gyda ni: ((reference))",
        "body": "Annwyl ((name)), diolch am gysylltu â ni. Eich cyfeirnod yw ((reference)).",
        "placeholders": ["name", "reference"]},
    "resident_acknowledgement_sms_cy": {
        "type": "sms", "body": "Mae eich cais gyda ni. Eich cyfeirnod yw ((reference)).",
        "placeholders": ["reference"]},
    "resident_closure_cy": {
        "type": "email", "subject": "Mae eich achos ((reference)) wedi cau",
        "body": "Annwyl ((name)), ((outcome)) Eich cyfeirnod yw ((reference)).",
        "placeholders": ["name", "reference", "outcome"]},
    "resident_closure_sms_cy": {
        "type": "sms", "body": "((outcome)) Eich cyfeirnod yw ((reference)).",
        "placeholders": ["reference", "outcome"]},
    "partner_referral": {
        "type": "email", "subject": "A referral from the council: ((service)) ((reference))",
        "body": "To ((partner)): the council's Customer Hub passes you this ((service)) request.\n\n((details))\n\n"
                "Our reference is ((reference)).",
        "placeholders": ["partner", "service", "reference", "details"]},
    # Appointments (engine.appointments.appointment_reminders): on booking and the day before.
    **{f"appointment_{which}{suffix}": {
        "type": kind, "subject": "Your appointment ((appointment)) on ((when))",
        "body": "Dear ((name)), your appointment is on ((when)) at ((place)). Please bring: ((what_to_bring)). "
                "Add it to your calendar: ((calendar_link)). Your reference is ((reference)).",
        "placeholders": ["name", "appointment", "when", "place", "what_to_bring", "calendar_link", "reference"]}
       for which in ("booked", "reminder") for suffix, kind in (("", "email"), ("_sms", "sms"))},
}
# Notify placeholder -> the service task parameter that fills it.
PERSONALISATION = {"name": "name", "service": "service", "reference": "case_reference", "outcome": "outcome",
                   "status": "status", "partner": "partner", "details": "details", "appointment": "appointment",
                   "when": "when", "place": "place", "what_to_bring": "what_to_bring", "calendar_link": "calendar_link"}


def library_config(open311_url: str, cmis_url: str, revenues_url: str, notify_url: str,
                   template_ids: dict[str, str], staff_template: str, timeout_s: float = 5) -> dict[str, Any]:
    """The adapter configuration (``COUNCILFLOW_ADAPTERS``) the shipped maps need."""
    templates: dict[str, Any] = {
        name: {"id": template_ids[name],
               "personalisation": {p: PERSONALISATION[p] for p in spec["placeholders"]}}
        for name, spec in TEMPLATES.items()}
    templates["staff"] = staff_template
    quick = {"max_attempts": 5, "base_s": 1, "max_s": 60}
    return {
        "assets": {"type": "open311", "base_url": open311_url, "api_key_env": "OPEN311_API_KEY",
                   "timeout_s": timeout_s, "service_codes": {"pothole": "POT", "fly_tipping": "FLY"},
                   "attributes": {"POT": {"depth": "pothole_depth_mm"}}, "updates": "servicerequestupdates",
                   "retry": quick},
        "edrms": {"type": "cmis", "browser_url": cmis_url, "parent_path": CASE_FOLDERS,
                  "username_env": "EDRMS_USER", "password_env": "EDRMS_PASSWORD", "timeout_s": timeout_s,
                  "retry": quick},
        "revenues": {"type": "revenues", "base_url": revenues_url, "api_key_env": "REVENUES_API_KEY",
                     "timeout_s": timeout_s, "retry": quick},
        "notify": {"type": "notify", "base_url": notify_url, "api_key_env": "NOTIFY_API_KEY",
                   "callback_token_env": "NOTIFY_CALLBACK_TOKEN", "timeout_s": timeout_s,
                   "templates": templates, "staff_template": "staff", "retry": quick},
    }


def offline_config() -> dict[str, Any]:
    """The same adapters pointing nowhere (the discard port): enough to deploy the library where
    nothing will be called, such as the CLI tests."""
    nowhere = "http://127.0.0.1:9"
    ids = {name: str(uuid.uuid4()) for name in TEMPLATES}
    return library_config(nowhere, f"{nowhere}/cmis/browser", nowhere, nowhere, ids, str(uuid.uuid4()))


def write_offline_config(folder: Path) -> Path:
    path = folder / "adapters.json"
    path.write_text(json.dumps(offline_config(), indent=2), encoding="utf-8")
    return path


@dataclass
class BackOffice:
    """The four fake systems on 127.0.0.1, with the library's templates and case folder set up."""

    open311: FakeOpen311 = field(default_factory=FakeOpen311)
    cmis: FakeCmis = field(default_factory=FakeCmis)
    revenues: FakeRevenues = field(default_factory=FakeRevenues)
    notify: FakeNotify = field(default_factory=FakeNotify)
    template_ids: dict[str, str] = field(default_factory=dict)

    def start(self, base_port: int = 0) -> "BackOffice":
        for number, fake in enumerate((self.open311, self.cmis, self.revenues, self.notify)):
            fake.start(base_port + number if base_port else 0)
        self.cmis.make_folder(CASE_FOLDERS)
        self.revenues.accounts.update(ACCOUNTS)
        for name, spec in TEMPLATES.items():
            template_id = str(uuid.uuid4())
            self.notify.templates[template_id] = dict(spec)
            self.template_ids[name] = template_id
        return self

    def stop(self) -> None:
        for fake in (self.open311, self.cmis, self.revenues, self.notify):
            fake.stop()

    def __enter__(self) -> "BackOffice":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def config(self, timeout_s: float = 5) -> dict[str, Any]:
        return library_config(self.open311.url, self.cmis.base, self.revenues.url, self.notify.url,
                              self.template_ids, self.notify.staff_template, timeout_s)

    def env(self) -> dict[str, str]:
        return {**STATIC_ENV, "NOTIFY_API_KEY": self.notify.api_key}

    # -- what the tests read back ------------------------------------------------------------------
    def template_name(self, template_id: str) -> str | None:
        return next((name for name, known in self.template_ids.items() if known == template_id), None)

    def notifications(self) -> list[tuple[str | None, str, dict[str, Any]]]:
        """(template name, recipient, personalisation) of everything sent, in order."""
        return [(self.template_name(n["template"]["id"]), n["email_address"] or n["phone_number"],
                 n["personalisation"]) for n in self.notify.sent.values()]

    def documents(self, case_reference: str) -> list[dict[str, Any]]:
        folder = self.cmis.by_path([s for s in CASE_FOLDERS.split("/") if s] + [case_reference])
        if folder is None:
            return []
        return [d for d in self.cmis.children(folder["props"]["cmis:objectId"])
                if d["props"]["cmis:baseTypeId"] == "cmis:document"]
