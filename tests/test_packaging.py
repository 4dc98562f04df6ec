"""The built wheel runs on its own: built offline from this checkout, installed without the checkout on the
path into a fresh virtualenv outside it (the dependencies come from the test run's own environment, so no
network is needed), it sets up a database, serves the sign-in page with its styles, signs a person in and
takes a case from start to completion through the REST API, with the process library the wheel ships.

Slow-ish (a few seconds): deselect with ``-m 'not packaging'``."""
from __future__ import annotations

import json
import os
import re
import site
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .cli.test_serve import _free_port, _get

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtualenv holding only the wheel; it reads its dependencies from this environment's site-packages."""
    built = ROOT / "webui" / "static" / "build"
    assert (built / "govuk-frontend.css").exists() and (built / "vendor").is_dir(), \
        "run `make setup` first: it compiles the GOV.UK CSS and copies the npm files the wheel carries"
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(work / "dist"), str(ROOT)], check=True, cwd=work, env=_clean_env())
    wheel = next((work / "dist").glob("councilflow-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, env=_clean_env())
    # A path line, not the environment's own .pth files: the editable install of the checkout stays out.
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COUNCILFLOW_", "PYTHONPATH"))}
    return {**env, **extra}


def _run(venv: Path, *args: str, env: dict[str, str], cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run([str(venv / "bin" / "councilflow"), *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _call(opener, url: str, data: dict | None = None, token: str | None = None, form: bool = False):
    body = (urlencode(data) if form else json.dumps(data)).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
        **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_wheel_installed_outside_the_checkout_serves_a_case_from_start_to_finish(installed, tmp_path):
    share = installed / "share" / "councilflow"
    env = _clean_env(COUNCILFLOW_DATABASE_URL=f"sqlite:///{tmp_path / 'cf.sqlite3'}",
                     COUNCILFLOW_SECRET_KEY="wheel-smoke-test", COUNCILFLOW_INSECURE_COOKIES="1")
    found = subprocess.run([str(installed / "bin" / "python"), "-c", "import webui; print(webui.__file__)"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(installed) in found and str(ROOT) not in found
    _run(installed, "init", env=env, cwd=tmp_path)
    # The rest of the library calls back-office systems (adapters), which this test does not configure.
    deployed = json.loads(_run(installed, "deploy", str(share / "processes" / "directory_hand_off.bpmn"),
                               str(share / "forms"), "--json",
                               env=env, cwd=tmp_path))
    assert "directory_hand_off" in {d["process"] for d in deployed["deployed"]}
    _run(installed, "users", "add", "hub@example.gov.uk", "--role", "front_office", "--role", "back_office",
         "--team", "Street Scene", "--password-stdin", env=env, cwd=tmp_path, stdin="wheel-passphrase\n")
    token = json.loads(_run(installed, "tokens", "create", "hub@example.gov.uk", "--json", env=env,
                            cwd=tmp_path))["token"]

    port = _free_port()
    started = time.monotonic()
    server = subprocess.Popen([str(installed / "bin" / "councilflow"), "serve", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        status, _, page = _get(f"{base}/sign-in", time.monotonic() + 60)
        print(f"start-up to first page: {time.monotonic() - started:.2f}s")
        assert status == 200 and "Email address" in page
        assert _get(f"{base}/readyz", time.monotonic() + 5)[0] == 200  # the migrations came with the wheel
        for asset in ("/static/build/govuk-frontend.css", "/assets/images/govuk-crest.svg",
                      "/bpmn-js/bpmn-viewer.production.min.js", "/govuk/govuk-frontend.min.js"):
            assert _get(base + asset, time.monotonic() + 5)[0] == 200, asset

        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        _, form = _call(browser, f"{base}/sign-in")
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        status, home = _call(browser, f"{base}/sign-in", {"email": "hub@example.gov.uk",
                                                          "password": "wheel-passphrase", "csrf_token": csrf},
                             form=True)
        assert status == 200 and "Sign out" in home

        api = urllib.request.build_opener()
        status, body = _call(api, f"{base}/api/v1/cases", {"process": "directory_hand_off", "channel": "phone",
                             "data": {"service_key": "dog_fouling", "service_name": "Dog fouling",
                                      "hand_off_team": "Street Scene", "what": "Dog mess on the path",
                                      "who": "Children", "where": "Mill Lane", "urgency": "soon"}}, token)
        assert status == 201, body
        case = json.loads(body)
        task = case["tasks"][0]["id"]
        status, body = _call(api, f"{base}/api/v1/tasks/{task}/complete",
                             {"data": {"action_taken": "Path cleared"}}, token)
        assert status == 200, body
        assert json.loads(body)["status"] == "completed"
        scraped = time.monotonic()
        status, _, metrics = _get(f"{base}/metrics", time.monotonic() + 5)
        print(f"/metrics scrape: {(time.monotonic() - scraped) * 1000:.0f}ms")
        completed = 'councilflow_cases_completed_total{channel="phone",process="directory_hand_off"} 1.0'
        assert status == 200 and completed in metrics
    finally:
        server.terminate()
        server.communicate(timeout=30)
