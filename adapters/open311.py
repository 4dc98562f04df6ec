"""Asset management systems through Open311 GeoReport v2 (Confirm, Alloy, Symology and others
that FixMyStreet talks to).

A case becomes a service request: its category picks the ``service_code`` and configuration maps
case data to the service's attributes (``attribute[code]=value``). The returned
``service_request_id`` goes back on the case; status changes are polled (``poll_updates``) and
the worker turns them into case messages.

GeoReport v2 has no look-up by the client's own reference, so our reference travels as a line
``Our reference: <key>`` at the end of the description (which ``GET requests`` returns) and, if
the server defines one, in the attribute named by ``reference_attribute``. Before creating, the
adapter lists the service's recent requests and reuses one that carries the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import requests

from .base import Adapter, AdapterError, Result, mapped
from .http import HttpClient

_LOCATION = ("lat", "long", "address_string", "address_id")
_PERSON = ("email", "first_name", "last_name", "phone", "device_id", "account_id", "media_url")


@dataclass(frozen=True)
class StatusChange:
    service_request_id: str
    status: str
    updated_datetime: datetime
    notes: str | None = None


def _explain(response: requests.Response) -> tuple[str, str | None]:
    """GeoReport errors are ``[{"code": 400, "description": "..."}]``."""
    try:
        errors = response.json()
        first = errors[0] if isinstance(errors, list) else errors
        return str(first.get("description") or response.reason), "open311_rejected"
    except (ValueError, AttributeError, IndexError, KeyError):
        return response.text[:500] or str(response.status_code), "open311_rejected"


def _w3c(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def reference_line(key: str) -> str:
    return f"Our reference: {key}"


class Open311Adapter(Adapter):
    type = "open311"
    operations = {
        "create_request": "Raise a service request (a job) in the asset management system",
        "request_status": "Read a service request's current status",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = HttpClient(self.setting("base_url"), timeout_s=float(self.settings.get("timeout_s", 10)),
                               explain=_explain, where=f"Open311 server '{self.name}'")
        self.service_codes: dict[str, str] = dict(self.settings.get("service_codes", {}))
        self.attributes: dict[str, dict[str, str]] = dict(self.settings.get("attributes", {}))
        self.window = timedelta(hours=float(self.settings.get("lookup_window_hours", 720)))

    def _common(self) -> dict[str, str]:
        jurisdiction = self.settings.get("jurisdiction_id")
        return {"jurisdiction_id": jurisdiction} if jurisdiction else {}

    def _service_code(self, params: dict[str, Any]) -> str:
        if params.get("service_code"):
            return str(params["service_code"])
        category = params.get("category")
        if category in self.service_codes:
            return self.service_codes[category]
        raise AdapterError.rejected(f"no Open311 service code is configured for the category '{category}'",
                                    "open311_unknown_category")

    def op_create_request(self, params: dict[str, Any], key: str) -> Result:
        code = self._service_code(params)
        return self.once(key, lambda: self._find(code, key), lambda: self._create(code, params, key))

    def _find(self, code: str, key: str) -> Result | None:
        since = self.clock.now() - self.window
        found = self.http.json("GET", "requests.json", params={
            "service_code": code, "start_date": _w3c(since), **self._common()})
        for request in found if isinstance(found, list) else []:
            if reference_line(key) in str(request.get("description") or "").splitlines():
                return {"service_request_id": str(request["service_request_id"]), "service_code": code,
                        "status": request.get("status")}
        return None

    def _create(self, code: str, params: dict[str, Any], key: str) -> Result:
        if not any(params.get(field) for field in _LOCATION):
            raise AdapterError.rejected("an Open311 request needs lat/long, address_string or address_id",
                                        "open311_no_location")
        description = "\n\n".join(filter(None, [str(params.get("description") or "").strip(),
                                                reference_line(key)]))
        form = {"api_key": self.require_secret("api_key"), "service_code": code, "description": description,
                **self._common(),
                **{field: params[field] for field in (*_LOCATION, *_PERSON) if params.get(field) is not None}}
        attributes = mapped(self.attributes.get(code, {}), params)
        if self.settings.get("reference_attribute"):
            attributes[self.settings["reference_attribute"]] = key
        form.update({f"attribute[{name}]": value for name, value in attributes.items()})
        answer = self.http.json("POST", "requests.json", data=form)
        first = answer[0] if isinstance(answer, list) and answer else {}
        if first.get("service_request_id"):
            return {"service_request_id": str(first["service_request_id"]), "service_code": code,
                    "service_notice": first.get("service_notice")}
        if first.get("token"):  # the server queues requests; the id comes later from tokens/<token>
            return {"token": str(first["token"]), "service_code": code}
        raise AdapterError.broken(f"{self.http.where} accepted the request but returned no id or token")

    def op_request_status(self, params: dict[str, Any], key: str) -> Result:
        request_id = params.get("service_request_id")
        if not request_id and params.get("token"):
            tokens = self.http.json("GET", f"tokens/{params['token']}.json", params=self._common())
            request_id = (tokens[0] if tokens else {}).get("service_request_id")
            if not request_id:
                return {"token": params["token"], "status": "pending"}
        if not request_id:
            raise AdapterError.rejected("request_status needs a service_request_id", "open311_no_id")
        found = self.http.json("GET", f"requests/{request_id}.json", params=self._common(), expect=(404,))
        if not isinstance(found, list) or not found:
            raise AdapterError.rejected(f"the Open311 server has no request {request_id}", "open311_not_found")
        request = found[0]
        return {"service_request_id": str(request_id), "status": str(request.get("status", "")).lower(),
                "status_notes": request.get("status_notes"), "updated_datetime": request.get("updated_datetime")}

    def poll_updates(self, since: datetime, service_request_ids: list[str] | tuple[str, ...] = ()
                     ) -> list[StatusChange]:
        """Status changes after ``since``, oldest first.

        With ``updates: "servicerequestupdates"`` (the FixMyStreet extension most UK asset systems
        implement) one call returns every change; otherwise the given requests are read with
        ``GET requests.json?service_request_id=a,b,c`` and compared on ``updated_datetime``.
        """
        if self.settings.get("updates") == "servicerequestupdates":
            items = self.http.json("GET", "servicerequestupdates.json", params={
                "start_date": _w3c(since), **self._common()})
            notes_field = "description"
        else:
            items, notes_field = [], "status_notes"
            ids = list(service_request_ids)
            for start in range(0, len(ids), 50):
                items += self.http.json("GET", "requests.json", params={
                    "service_request_id": ",".join(ids[start:start + 50]), **self._common()})
        changes = []
        for item in items if isinstance(items, list) else []:
            when = _parse_time(item.get("updated_datetime"))
            if when is not None and when > since:
                changes.append(StatusChange(str(item["service_request_id"]), str(item.get("status", "")).lower(),
                                            when, item.get(notes_field)))
        return sorted(changes, key=lambda change: change.updated_datetime)
