"""A fake Microsoft Graph for one Exchange Online mailbox, on 127.0.0.1: the sign-in service's token
endpoint (client-credentials grant), the folder's delta query with next and delta links, a message's MIME
(``$value``) and ``sendMail`` with a MIME body, answering in Graph's JSON and error formats.

Every Graph request must carry a bearer token the token endpoint issued. ``throttle(times, retry_after)``
answers the next Graph requests with 429 and a ``Retry-After``; ``touch(id)`` changes a message (as
reading it does), so the delta lists it again; ``page_size`` caps the pages below what the client asks.
"""
from __future__ import annotations

import base64
import re
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote

from .server import FakeServer, Reply, Request

_PAGE = re.compile(r"odata\.maxpagesize=(\d+)")


def _graph_error(status: int, code: str, message: str) -> Reply:
    return status, {"error": {"code": code, "message": message}}


class FakeGraph(FakeServer):
    def __init__(self, user: str = "hub@council.test", folder: str = "inbox") -> None:
        super().__init__()
        self.tenant, self.client_id, self.secret = str(uuid.uuid4()), str(uuid.uuid4()), uuid.uuid4().hex
        self.user, self.folder = user, folder
        self.tokens: set[str] = set()
        self.messages: dict[str, tuple[int, bytes]] = {}  # id -> (change sequence, MIME)
        self.seq = 0
        self.page_size = 10
        self.throttled: list[str] = []  # the Retry-After of each throttled answer to come
        self.sent: list[EmailMessage] = []
        self.route("POST", "{tenant}/oauth2/v2.0/token", self.token)
        self.route("GET", "v1.0/users/{user}/mailFolders/{folder}/messages/delta", self.delta)
        self.route("GET", "v1.0/users/{user}/messages/{id}/$value", self.value)
        self.route("POST", "v1.0/users/{user}/sendMail", self.send_mail)

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"code": "ErrorInternalServerError", "message": message}}

    @property
    def graph_url(self) -> str:
        return f"{self.url}/v1.0"

    # -- what the test does ----------------------------------------------------------------------
    def deliver(self, raw: bytes) -> str:
        message_id = f"AAMkAD{uuid.uuid4().hex}=="  # real ids end in '=' and must be escaped in paths
        with self.lock:
            self.seq += 1
            self.messages[message_id] = (self.seq, raw)
        return message_id

    def touch(self, message_id: str) -> None:
        with self.lock:
            self.seq += 1
            self.messages[message_id] = (self.seq, self.messages[message_id][1])

    def throttle(self, times: int, retry_after: int) -> None:
        self.throttled.extend([str(retry_after)] * times)

    def token_requests(self) -> int:
        return len([r for r in self.requests if r.path.endswith("/oauth2/v2.0/token")])

    # -- the endpoints ---------------------------------------------------------------------------
    def token(self, request: Request) -> Reply:
        form = request.form
        if request.params["tenant"] != self.tenant:
            return 400, {"error": "invalid_request", "error_description": f"AADSTS90002: Tenant '{request.params['tenant']}' not found."}
        if form.get("grant_type") != "client_credentials" or form.get("scope") != "https://graph.microsoft.com/.default":
            return 400, {"error": "invalid_request", "error_description": "AADSTS900144: grant_type or scope is wrong."}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.secret:
            return 401, {"error": "invalid_client",
                         "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x"}
        token = uuid.uuid4().hex
        self.tokens.add(token)
        return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token}

    def _refused(self, request: Request) -> Reply | None:
        if self.throttled:
            return 429, {"error": {"code": "ApplicationThrottled", "message": "Too many requests"}}, \
                {"Retry-After": self.throttled.pop(0)}
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return _graph_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if unquote(request.params["user"]).lower() != self.user:
            return _graph_error(404, "ErrorInvalidUser", "The requested user is invalid.")
        return None

    def delta(self, request: Request) -> Reply:
        if (refused := self._refused(request)) is not None:
            return refused
        if unquote(request.params["folder"]).lower() != self.folder:
            return _graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        asked = _PAGE.search(request.headers.get("prefer", ""))
        size = min(self.page_size, int(asked.group(1)) if asked else 10)
        if "$skiptoken" in request.query:  # since.upto.offset: the next page of one round
            since, upto, offset = map(int, request.query["$skiptoken"].split("."))
        else:
            since, upto, offset = int(request.query.get("$deltatoken", "0")), self.seq, 0
        changed = sorted((seq, mid) for mid, (seq, _) in self.messages.items() if since < seq <= upto)
        page = changed[offset:offset + size]
        base = f"{self.graph_url}/users/{request.params['user']}/mailFolders/{request.params['folder']}/messages/delta"
        body: dict[str, Any] = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(message)",
                                "value": [{"@odata.type": "#microsoft.graph.message", "id": mid} for _, mid in page]}
        if offset + size < len(changed):
            body["@odata.nextLink"] = f"{base}?$skiptoken={since}.{upto}.{offset + size}"
        else:
            body["@odata.deltaLink"] = f"{base}?$deltatoken={upto}"
        return 200, body

    def value(self, request: Request) -> Reply:
        if (refused := self._refused(request)) is not None:
            return refused
        found = self.messages.get(unquote(request.params["id"]))
        if found is None:
            return _graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return 200, found[1]

    def send_mail(self, request: Request) -> Reply:
        if (refused := self._refused(request)) is not None:
            return refused
        if not request.headers.get("content-type", "").startswith("text/plain"):
            return _graph_error(400, "ErrorMimeContentInvalid", "MIME content must be base64 text/plain")
        try:
            raw = base64.b64decode(request.body, validate=True)
        except ValueError:
            return _graph_error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.sent.append(message)
        return 202, b""
