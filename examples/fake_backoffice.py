"""A fake back office on 127.0.0.1 for a local demo: Open311 asset management, a CMIS EDRMS,
a revenues REST API, GOV.UK Notify, and folders for the file drop and revenues batch.

    .venv/bin/python examples/fake_backoffice.py --write instance/adapters.json

prints (and with --write saves) an adapter configuration, and the environment variables to export
before starting councilflow with COUNCILFLOW_ADAPTERS pointing at it (--env-file also saves those).
The configuration has the adapters the shipped process library uses (``assets``, ``edrms``,
``revenues``, ``notify``, with its Notify templates; see docs/process-library.md) and a few more to
try by hand. Ctrl-C stops it. Nothing listens beyond 127.0.0.1, and nothing is sent anywhere.

To play the asset system's part, close a job and let the worker's status polling tell the case:

    curl -X POST http://127.0.0.1:<open311 port>/demo/requests/<service_request_id>/close

and see everything that reached the back office at http://127.0.0.1:<open311 port>/demo/state.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.server import Reply, Request  # noqa: E402 - after the path is set
from tests.processes.backoffice import BackOffice  # noqa: E402


def _close_job(backoffice: BackOffice, request: Request) -> Reply:
    request_id = request.params["id"]
    if request_id not in backoffice.open311.records:
        return 404, {"message": f"No service request {request_id}"}
    notes = request.form.get("notes") or request.query.get("notes") or "Job completed (demo)"
    backoffice.open311.set_status(request_id, request.query.get("status", "closed"), notes)
    return 200, backoffice.open311.records[request_id]


def _state(backoffice: BackOffice) -> dict[str, Any]:
    """What reached each system, for a person watching the demo."""
    return {
        "asset_requests": list(backoffice.open311.records.values()),
        "documents": [{"name": d["props"]["cmis:name"], "folder": backoffice.cmis.objects[d["parent"]]["props"]
                       ["cmis:name"], "our_reference": d["props"].get("cmis:description"),
                       "text": (d.get("content") or b"").decode("utf-8", "replace")}
                      for d in backoffice.cmis.documents()],
        "revenues_changes": list(backoffice.revenues.changes.values()),
        "notifications": [{"template": name, "to": to, "personalisation": p}
                          for name, to, p in backoffice.notifications()],
    }


def _watch_parent(parent: int) -> None:
    """Stop when whoever started us has gone (``make run`` killed without a chance to tidy up)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-port", type=int, default=0, help="first of four ports (default: any free ones)")
    parser.add_argument("--write", type=Path, help="also save the adapter configuration to this file")
    parser.add_argument("--env-file", type=Path, help="also save the export lines to this file (for a shell to source)")
    parser.add_argument("--folders", type=Path, help="where the drop and batch folders go (default: a new temp dir)")
    parser.add_argument("--exit-with-parent", action="store_true", help="stop when the parent process ends")
    args = parser.parse_args()
    if args.exit_with_parent:
        threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    backoffice = BackOffice().start(args.base_port)
    open311, notify = backoffice.open311, backoffice.notify
    open311.route("POST", "demo/requests/{id}/close", lambda request: _close_job(backoffice, request))
    open311.route("GET", "demo/state", lambda request: (200, _state(backoffice)))
    folders = args.folders or Path(tempfile.mkdtemp(prefix="councilflow-backoffice-"))
    for name in ("edrms-import", "revenues-out", "revenues-back", "attachments"):
        (folders / name).mkdir(parents=True, exist_ok=True)

    config = backoffice.config()
    config["notify"]["templates"].update({
        "acknowledgement": {"id": notify.email_template,
                            "personalisation": {"name": "first_name", "case_ref": "case_ref"}},
        "received_sms": {"id": notify.sms_template, "personalisation": {"case_ref": "case_ref"}}})
    config["edrms"]["source_dir"] = str(folders / "attachments")
    config.update({
        # Also there to try by hand: a second name for the asset system, the file drop and the batch.
        "highways": {**config["assets"]},
        "records": {"type": "filedrop", "drop_dir": str(folders / "edrms-import"),
                    "source_dir": str(folders / "attachments")},
        "revenues_batch": {"type": "revenues_batch", "batch_dir": str(folders / "revenues-out"),
                           "rejections_dir": str(folders / "revenues-back")},
    })
    text = json.dumps(config, indent=2)
    print(text)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text + "\n", encoding="utf-8")
    saved = args.write.resolve() if args.write else "<the file you saved the JSON above in>"
    exports = [f"export COUNCILFLOW_ADAPTERS={saved}",
               *(f"export {name}={value}" for name, value in backoffice.env().items())]
    if args.env_file:
        args.env_file.parent.mkdir(parents=True, exist_ok=True)
        partial = args.env_file.with_name(args.env_file.name + ".partial")
        partial.write_text("\n".join(exports) + "\n", encoding="utf-8")
        partial.replace(args.env_file)  # whoever waits for the file never reads half of it
    print("", *exports, f"\nFolders: {folders}",
          f"Back office state: {open311.url}/demo/state",
          f"Close an asset job: curl -X POST {open311.url}/demo/requests/<service_request_id>/close",
          "Running; Ctrl-C stops the fake back office.", sep="\n", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        backoffice.stop()


if __name__ == "__main__":
    main()
