"""A fake GOV.UK Notify API (v2): checks the JWT the official client signs, sends nothing, and
keeps what it was asked to send.

A Notify API key is ``{key name}-{service id}-{secret}``; the client signs an HS256 JWT with the
secret, ``iss`` = service id and ``iat`` = now. The fake refuses a token with the wrong issuer,
signature or an ``iat`` more than 30 seconds away, as Notify does.
"""
from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import jwt

from .server import FakeServer, Reply, Request

_PHONE = re.compile(r"^\+?[\d ]{10,15}$")


def _error(status: int, kind: str, message: str) -> Reply:
    return status, {"errors": [{"error": kind, "message": message}], "status_code": status}


class FakeNotify(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.service_id, self.secret = str(uuid.uuid4()), str(uuid.uuid4())
        self.email_template, self.sms_template = str(uuid.uuid4()), str(uuid.uuid4())
        self.staff_template, self.reply_template = str(uuid.uuid4()), str(uuid.uuid4())
        self.templates: dict[str, dict[str, Any]] = {
            self.email_template: {"type": "email", "subject": "Your report ((case_ref))",
                                  "body": "Dear ((name)), we have your report ((case_ref)).",
                                  "placeholders": ["name", "case_ref"]},
            self.staff_template: {"type": "email", "subject": "((text))",
                                  "body": "((name)): ((text)) ((case_reference))",
                                  "placeholders": ["name", "text", "case_reference"]},
            self.reply_template: {"type": "email", "subject": "((subject))", "body": "((body))",
                                  "placeholders": ["subject", "body"]},
            self.sms_template: {"type": "sms", "body": "Report ((case_ref)) received.", "placeholders": ["case_ref"]},
        }
        self.sent: dict[str, dict[str, Any]] = {}
        self.route("POST", "v2/notifications/email", lambda r: self.send(r, "email"))
        self.route("POST", "v2/notifications/sms", lambda r: self.send(r, "sms"))
        self.route("GET", "v2/notifications", self.search)
        self.route("GET", "v2/notifications/{id}", self.show)

    @property
    def api_key(self) -> str:
        return f"councilflow_test-{self.service_id}-{self.secret}"

    def error_body(self, status: int, message: str) -> Any:
        return _error(status, "BadRequestError" if status < 500 else "ServiceUnavailableError", message)[1]

    def dispatch(self, request: Request) -> Reply:
        problem = self._check_token(request.headers.get("authorization", ""))
        if problem:
            return _error(403, "AuthError", problem)
        return super().dispatch(request)

    def _check_token(self, header: str) -> str | None:
        if not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = header[len("Bearer "):]
        try:
            if jwt.decode(token, options={"verify_signature": False}).get("iss") != self.service_id:
                return "Invalid token: service not found"
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.InvalidTokenError as err:
            return f"Invalid token: {err}"
        if abs(time.time() - int(claims["iat"])) > 30:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    def send(self, request: Request, kind: str) -> Reply:
        body = request.json() or {}
        template = self.templates.get(body.get("template_id", ""))
        if template is None or template["type"] != kind:
            return _error(400, "BadRequestError", "Template not found")
        missing = [p for p in template["placeholders"] if p not in (body.get("personalisation") or {})]
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        to = body.get("email_address") if kind == "email" else body.get("phone_number")
        if kind == "email" and "@" not in str(to or ""):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        if kind == "sms" and not _PHONE.match(str(to or "")):
            return _error(400, "ValidationError", "phone_number Not enough digits")
        notification_id, template_id = str(uuid.uuid4()), body["template_id"]
        self.sent[notification_id] = {
            "id": notification_id, "reference": body.get("reference"), "type": kind, "status": "created",
            "email_address": body.get("email_address"), "phone_number": body.get("phone_number"),
            "template": {"id": template_id, "version": 1, "uri": f"{self.url}/v2/template/{template_id}"},
            "personalisation": body.get("personalisation"),
            "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        return 201, {"id": notification_id, "reference": body.get("reference"),
                     "content": {"body": template["body"], "subject": template.get("subject")},
                     "uri": f"{self.url}/v2/notifications/{notification_id}",
                     "template": self.sent[notification_id]["template"], "scheduled_for": None}

    def search(self, request: Request) -> Reply:
        wanted = request.query.get("reference")
        found = [n for n in self.sent.values() if wanted is None or n["reference"] == wanted]
        return 200, {"notifications": found, "links": {"current": f"{self.url}/v2/notifications"}}

    def show(self, request: Request) -> Reply:
        found = self.sent.get(request.params["id"])
        return (200, found) if found else _error(404, "NoResultFound", "No result found")

    def delivery_receipt(self, notification_id: str, status: str = "delivered") -> dict[str, Any]:
        """The body Notify POSTs to the service's callback URL when delivery is settled."""
        sent = self.sent[notification_id]
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {"id": notification_id, "reference": sent["reference"],
                "to": sent["email_address"] or sent["phone_number"], "status": status,
                "created_at": sent["created_at"], "completed_at": now, "sent_at": now,
                "notification_type": sent["type"], "template_id": sent["template"]["id"], "template_version": 1}
