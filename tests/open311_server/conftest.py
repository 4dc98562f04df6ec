"""The Open311 server's fixtures: the app serving on 127.0.0.1 (a real HTTP server, so a third-party
Open311 client library can talk to it), the pothole map deployed and published on open311 as POT, and
a partner key for "FixMyStreet" issued by the CLI."""
from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from engine.context import Context
from tests.conftest import FORMS, PROCESSES
from tests.webui.conftest import app, make_user  # noqa: F401  (fixtures)

CODE = "POT"
PARTNER = "FixMyStreet"


@dataclass
class Open311Server:
    root: str  # the endpoint, …/open311/v2
    api_key: str
    ctx: Context


@pytest.fixture
def served(app):  # noqa: F811
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


@pytest.fixture
def open311(cli, ctx, served) -> Open311Server:
    assert cli("deploy", str(PROCESSES / "pothole_report.bpmn"), str(FORMS), "--json").exit_code == 0
    published = cli("services", "publish", "pothole_report", "--channel", "open311", "--open311-code", CODE,
                    "--title", "Pothole", "--description", "A pothole in a road or pavement",
                    "--keyword", "road", "--keyword", "pavement", "--json")
    assert published.exit_code == 0, published.stdout
    issued = cli("partners", "add", PARTNER, "--json")
    assert issued.exit_code == 0, issued.stdout
    assert issued.json()["partner"] == PARTNER
    return Open311Server(f"{served}/open311/v2", issued.json()["api_key"], ctx)
