"""GOV.UK Notify: emails and text messages to residents, through Notify's own Python client.

Templates are configured by name (``templates``: name -> id, or name -> {"id", "personalisation":
{placeholder: case field}}). A call with ``language`` (``cy``: the resident used the Welsh pages) sends
the template named ``NAME_cy`` when one is configured, else NAME. Our idempotency key is sent as Notify's ``reference``; before sending,
the adapter asks Notify for notifications with that reference (``GET /v2/notifications?reference=``).
Delivery receipts arrive at the council's callback URL; ``parse_delivery_receipt`` reads them.
The adapter is also the engine's ``NotificationSender`` for emails to staff (``send``).
"""
from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from .base import Adapter, AdapterError, Result, mapped
from .http import classify_exception, classify_status

NOTIFY_URL = "https://api.notifications.service.gov.uk"
FINAL_STATUSES = frozenset({"delivered", "permanent-failure", "temporary-failure", "technical-failure"})


@dataclass(frozen=True)
class DeliveryReceipt:
    """One delivery-status callback from Notify; ``reference`` is the idempotency key we sent."""

    id: str
    reference: str | None
    to: str
    status: str
    created_at: str
    completed_at: str | None
    sent_at: str | None
    notification_type: str

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def failed(self) -> bool:
        return self.status.endswith("failure")


def parse_delivery_receipt(payload: bytes | str | dict[str, Any]) -> DeliveryReceipt:
    """Read Notify's callback body; ``ValueError`` if it is not one."""
    body = json.loads(payload) if isinstance(payload, (bytes, str)) else payload
    if not isinstance(body, dict):
        raise ValueError("a delivery receipt is a JSON object")
    missing = [f for f in ("id", "to", "status", "created_at", "notification_type") if not body.get(f)]
    if missing:
        raise ValueError(f"the delivery receipt lacks {', '.join(missing)}")
    return DeliveryReceipt(str(body["id"]), body.get("reference"), str(body["to"]), str(body["status"]),
                           str(body["created_at"]), body.get("completed_at"), body.get("sent_at"),
                           str(body["notification_type"]))


class StaffMessage(Protocol):
    """What the engine hands its notification sender (``engine.people.notifications.OutgoingNotification``)."""

    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def case_reference(self) -> str | None: ...


def _classify(err: APIError) -> AdapterError:
    if err.response is None:  # no answer: the client's requests exception says why
        cause = err.__cause__
        if cause is not None and hasattr(cause, "request"):
            return classify_exception(cause, "GOV.UK Notify")  # type: ignore[arg-type]
        return AdapterError.transient(f"GOV.UK Notify could not be reached: {err}")
    message = err.message
    if isinstance(message, list):
        message = "; ".join(str(e.get("message", e)) for e in message if isinstance(e, dict)) or str(message)
    return classify_status(err.status_code, str(message), "notify_rejected", "GOV.UK Notify",
                           err.response.headers.get("Retry-After"))


class NotifyAdapter(Adapter):
    type = "notify"
    operations = {
        "send_email": "Send an email from a Notify template",
        "send_sms": "Send a text message from a Notify template",
    }

    def _client(self) -> NotificationsAPIClient:
        return NotificationsAPIClient(self.require_secret("api_key"),
                                      base_url=self.settings.get("base_url", NOTIFY_URL),
                                      timeout=float(self.settings.get("timeout_s", 10)))

    def _template(self, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name, templates = params.get("template"), self.settings.get("templates", {})
        language = params.get("language")
        if isinstance(language, str) and language != "en" and f"{name}_{language}" in templates:
            name = f"{name}_{language}"
        entry = templates.get(name)
        if entry is None:
            raise AdapterError.rejected(f"no Notify template named '{name}' is configured", "notify_unknown_template")
        if isinstance(entry, str):
            return entry, dict(params.get("personalisation") or {})
        return entry["id"], {**dict(params.get("personalisation") or {}),
                             **mapped(entry.get("personalisation", {}), params)}

    def _send(self, key: str, send: Callable[[NotificationsAPIClient], dict[str, Any]],
              look_up: bool = True) -> Result:
        client = self._client()
        try:
            if not look_up:
                return self._result(send(client))
            return self.once(key, lambda: self._find(client, key), lambda: self._result(send(client)))
        except APIError as err:
            raise _classify(err) from err

    @staticmethod
    def _find(client: NotificationsAPIClient, key: str) -> Result | None:
        found = client.get_all_notifications(reference=key).get("notifications", [])
        return {"notification_id": found[0]["id"], "notification_status": found[0].get("status")} if found else None

    @staticmethod
    def _result(answer: dict[str, Any]) -> Result:
        return {"notification_id": answer["id"], "notification_status": "created"}

    def op_send_email(self, params: dict[str, Any], key: str) -> Result:
        template_id, personalisation = self._template(params)
        if not params.get("email_address"):
            raise AdapterError.rejected("the case has no email address to write to", "notify_no_recipient")
        return self._send(key, lambda client: client.send_email_notification(
            params["email_address"], template_id, personalisation=personalisation, reference=key,
            email_reply_to_id=self.settings.get("email_reply_to_id")))

    def op_send_sms(self, params: dict[str, Any], key: str) -> Result:
        template_id, personalisation = self._template(params)
        if not params.get("phone_number"):
            raise AdapterError.rejected("the case has no phone number to text", "notify_no_recipient")
        return self._send(key, lambda client: client.send_sms_notification(
            params["phone_number"], template_id, personalisation=personalisation, reference=key,
            sms_sender_id=self.settings.get("sms_sender_id")))

    def send(self, message: StaffMessage) -> None:
        """Email a member of staff (an SLA warning, say): the engine's ``NotificationSender``.

        Uses the template named by ``staff_template``, with placeholders ((name)), ((text)) and
        ((case_reference)). The engine sends each row at least once, so no look-up is made.
        """
        template_id, _ = self._template({"template": self.settings.get("staff_template")})
        personalisation = {"name": message.name, "text": message.text,
                           "case_reference": message.case_reference or ""}
        key = f"staff-{uuid.uuid4()}"
        self.timed("staff_email", key, lambda: self._send(key, lambda client: client.send_email_notification(
            message.email, template_id, personalisation=personalisation, reference=key,
            email_reply_to_id=self.settings.get("email_reply_to_id")), look_up=False))

    def verify_callback(self, authorization: str | None) -> bool:
        """Whether a callback carries the bearer token the council gave Notify for its callbacks."""
        token = self.secret("callback_token")
        return bool(token and authorization) and hmac.compare_digest(str(authorization), f"Bearer {token}")
