"""A fake asset management system speaking Open311 GeoReport v2 (JSON), with the FixMyStreet
``servicerequestupdates`` extension."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

from .server import FakeServer, Reply, Request


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _w3c(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeOpen311(FakeServer):
    def __init__(self, api_key: str = "open311-test-key",
                 services: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        # service_code -> {"service_name": ..., "required": [attribute codes]}
        self.services = services or {"POT": {"service_name": "Pothole", "required": ["depth"]},
                                     "FLY": {"service_name": "Fly-tipping", "required": []}}
        self.records: dict[str, dict[str, Any]] = {}
        self.updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1001)
        self.route("GET", "services.json", self.list_services)
        self.route("POST", "requests.json", self.create)
        self.route("GET", "requests.json", self.search)
        self.route("GET", "requests/{id}.json", self.show)
        self.route("GET", "servicerequestupdates.json", self.list_updates)

    def error_body(self, status: int, message: str) -> Any:
        return [{"code": status, "description": message}]

    def list_services(self, request: Request) -> Reply:
        return 200, [{"service_code": code, "service_name": s["service_name"], "metadata": bool(s["required"]),
                      "type": "realtime", "keywords": "", "group": "highways"}
                     for code, s in self.services.items()]

    def create(self, request: Request) -> Reply:
        form = request.form
        if form.get("api_key") != self.api_key:
            return 403, self.error_body(403, "Invalid api_key")
        service = self.services.get(form.get("service_code", ""))
        if service is None:
            return 400, self.error_body(400, f"Service code {form.get('service_code')} is not valid")
        if not (form.get("lat") and form.get("long")) and not form.get("address_string") \
                and not form.get("address_id"):
            return 400, self.error_body(400, "A location (lat/long, address_string or address_id) is required")
        attributes = {key[len("attribute["):-1]: value for key, value in form.items()
                      if key.startswith("attribute[") and key.endswith("]")}
        missing = [code for code in service["required"] if not attributes.get(code)]
        if missing:
            return 400, self.error_body(400, f"Required attribute {missing[0]} is missing")
        request_id, now = str(next(self._ids)), _w3c(_now())
        self.records[request_id] = {
            "service_request_id": request_id, "status": "open", "status_notes": None,
            "service_name": service["service_name"], "service_code": form["service_code"],
            "description": form.get("description", ""), "requested_datetime": now, "updated_datetime": now,
            "address": form.get("address_string"), "lat": form.get("lat"), "long": form.get("long"),
            "address_id": form.get("address_id"),
            "attributes": attributes}
        return 201, [{"service_request_id": request_id, "service_notice": "We aim to inspect within 5 days"}]

    def _public(self, record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k != "attributes"}  # GeoReport does not return them

    def search(self, request: Request) -> Reply:
        q = request.query
        found = list(self.records.values())
        if q.get("service_request_id"):
            wanted = set(q["service_request_id"].split(","))
            found = [r for r in found if r["service_request_id"] in wanted]
        else:
            if q.get("service_code"):
                found = [r for r in found if r["service_code"] in q["service_code"].split(",")]
            if q.get("status"):
                found = [r for r in found if r["status"] == q["status"]]
            if q.get("start_date"):
                start = datetime.fromisoformat(q["start_date"])
                found = [r for r in found if datetime.fromisoformat(r["requested_datetime"]) >= start]
            if q.get("end_date"):
                end = datetime.fromisoformat(q["end_date"])
                found = [r for r in found if datetime.fromisoformat(r["requested_datetime"]) <= end]
        return 200, [self._public(r) for r in found]

    def show(self, request: Request) -> Reply:
        record = self.records.get(request.params["id"])
        if record is None:
            return 404, self.error_body(404, f"No service request {request.params['id']}")
        return 200, [self._public(record)]

    def list_updates(self, request: Request) -> Reply:
        start = datetime.fromisoformat(request.query["start_date"]) if "start_date" in request.query else None
        end = datetime.fromisoformat(request.query["end_date"]) if "end_date" in request.query else None
        return 200, [u for u in self.updates
                     if (start is None or datetime.fromisoformat(u["updated_datetime"]) >= start)
                     and (end is None or datetime.fromisoformat(u["updated_datetime"]) <= end)]

    # -- what the back office does on its own ----------------------------------------------------
    def set_status(self, request_id: str, status: str, notes: str | None = None) -> None:
        """An officer (or the contractor's system) moves the job on."""
        with self.lock:
            record, now = self.records[request_id], _w3c(_now())
            record.update(status=status, status_notes=notes, updated_datetime=now)
            self.updates.append({"update_id": str(len(self.updates) + 1), "service_request_id": request_id,
                                 "status": status.upper(), "updated_datetime": now, "description": notes,
                                 "media_url": ""})
