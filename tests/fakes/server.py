"""The base every fake back office shares: a real HTTP server on 127.0.0.1 (port 0) in a thread,
a log of every request, and faults programmed by the test.

Faults, matched by method and path prefix, each for a number of requests:

* ``fail(times, status)``: answer with an error (503 by default) without acting on the request.
* ``reject(message, status=400)``: a business rejection in the protocol's own error format.
* ``delay(seconds)``: act on the request (the record IS stored), then wait before answering, so a
  client with a shorter timeout cannot know the outcome.
* ``drop(after=False)``: close the connection without answering, before or after acting.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Upload:
    filename: str
    content: bytes
    content_type: str


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)  # from the route's pattern

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Fault:
    kind: str  # "status", "reject", "delay", "drop"
    times: int
    method: str | None = None
    path: str | None = None
    status: int = 503
    message: str = ""
    seconds: float = 0.0
    after: bool = False

    def matches(self, request: Request) -> bool:
        return ((self.method is None or self.method == request.method)
                and (self.path is None or request.path.startswith(self.path)))


Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]
Handler = Callable[[Request], Reply]


def _parse_body(request: Request) -> None:
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/x-www-form-urlencoded"):
        request.form = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
    elif kind.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + request.body)
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename:
                request.files[name] = Upload(filename, data, part.get_content_type())
            else:
                request.form[name] = data.decode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # the fake keeps its own record

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(self.command, url.path, {k: v[0] for k, v in parse_qs(url.query).items()},
                          {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
        _parse_body(request)
        self.server.fake.handle(request, self)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        if isinstance(body, (bytes, str)):
            data = body.encode() if isinstance(body, str) else body
            kind = "text/plain; charset=utf-8"
        else:
            data, kind = json.dumps(body).encode(), "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a delay fault); that is the point


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: "FakeServer"


class FakeServer:
    """Subclasses add routes in ``__init__`` and say how their protocol writes an error."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, str, Handler]] = []
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self._server: _Server | None = None

    # -- protocol hooks --------------------------------------------------------------------------
    def error_body(self, status: int, message: str) -> Any:
        return {"message": message}

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """``pattern`` is a path with ``{name}`` placeholders matching one path segment."""
        self.routes.append((method, pattern, handler))

    # -- running ---------------------------------------------------------------------------------
    def start(self, port: int = 0) -> "FakeServer":
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.fake = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True, name=type(self).__name__).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- faults ----------------------------------------------------------------------------------
    def _add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def fail(self, times: int = 1, status: int = 503, method: str | None = None, path: str | None = None) -> None:
        self._add_fault(Fault("status", times, method, path, status=status, message="Service Unavailable"))

    def reject(self, message: str, status: int = 400, times: int = 1, method: str | None = None,
               path: str | None = None) -> None:
        self._add_fault(Fault("reject", times, method, path, status=status, message=message))

    def delay(self, seconds: float, times: int = 1, method: str | None = None, path: str | None = None) -> None:
        self._add_fault(Fault("delay", times, method, path, seconds=seconds))

    def drop(self, times: int = 1, after: bool = False, method: str | None = None, path: str | None = None) -> None:
        self._add_fault(Fault("drop", times, method, path, after=after))

    def _take_fault(self, request: Request) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(request):
                    fault.times -= 1
                    return fault
        return None

    # -- serving ---------------------------------------------------------------------------------
    def requests_to(self, method: str, path: str = "") -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path)]

    def handle(self, request: Request, channel: _Handler) -> None:
        with self.lock:
            self.requests.append(request)
        fault = self._take_fault(request)
        if fault is not None and fault.kind in ("status", "reject"):
            return channel.reply(fault.status, self.error_body(fault.status, fault.message))
        if fault is not None and fault.kind == "drop" and not fault.after:
            return None  # close without a word
        with self.lock:
            reply = self.dispatch(request)
        if fault is not None and fault.kind == "drop":
            return None
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        channel.reply(*reply)

    def dispatch(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        for method, pattern, handler in self.routes:
            wanted = pattern.strip("/").split("/")
            if method != request.method or len(wanted) != len(parts):
                continue
            found = {}
            for want, got in zip(wanted, parts):
                if want.startswith("{") and "}" in want:
                    name, suffix = want[1:].split("}", 1)
                    if not got.endswith(suffix) or len(got) == len(suffix):
                        break
                    found[name] = got[:len(got) - len(suffix)] if suffix else got
                elif want != got:
                    break
            else:
                request.params = found
                return handler(request)
        return 404, self.error_body(404, f"no route for {request.method} {request.path}")
