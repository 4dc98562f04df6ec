"""A fake back office on 127.0.0.1 for a local demo: Open311 asset management, a CMIS EDRMS,
a revenues REST API, GOV.UK Notify, and folders for the file drop and revenues batch.

    .venv/bin/python examples/fake_backoffice.py --write instance/adapters.json

prints (and with --write saves) an adapter configuration, and the environment variables to export
before starting councilflow with COUNCILFLOW_ADAPTERS pointing at it. Ctrl-C stops it. Nothing
listens beyond 127.0.0.1, and nothing is sent anywhere.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.cmis import FakeCmis  # noqa: E402 - after the path is set
from tests.fakes.notify import FakeNotify  # noqa: E402
from tests.fakes.open311 import FakeOpen311  # noqa: E402
from tests.fakes.revenues import FakeRevenues  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-port", type=int, default=0, help="first of four ports (default: any free ones)")
    parser.add_argument("--write", type=Path, help="also save the adapter configuration to this file")
    parser.add_argument("--folders", type=Path, help="where the drop and batch folders go (default: a new temp dir)")
    args = parser.parse_args()
    port = (lambda n: args.base_port + n if args.base_port else 0)
    open311, cmis, revenues, notify = FakeOpen311(), FakeCmis(), FakeRevenues(), FakeNotify()
    for number, fake in enumerate((open311, cmis, revenues, notify)):
        fake.start(port(number))
    cmis.make_folder("/Sites/cases")
    folders = args.folders or Path(tempfile.mkdtemp(prefix="councilflow-backoffice-"))
    for name in ("edrms-import", "revenues-out", "revenues-back", "attachments"):
        (folders / name).mkdir(parents=True, exist_ok=True)

    config = {
        "highways": {"type": "open311", "base_url": open311.url, "api_key_env": "OPEN311_API_KEY",
                     "service_codes": {"pothole": "POT", "fly_tipping": "FLY"},
                     "attributes": {"POT": {"depth": "pothole_depth_mm"}}, "updates": "servicerequestupdates"},
        "edrms": {"type": "cmis", "browser_url": cmis.base, "parent_path": "/Sites/cases",
                  "username_env": "EDRMS_USER", "password_env": "EDRMS_PASSWORD",
                  "source_dir": str(folders / "attachments")},
        "records": {"type": "filedrop", "drop_dir": str(folders / "edrms-import"),
                    "source_dir": str(folders / "attachments")},
        "revenues": {"type": "revenues", "base_url": revenues.url, "api_key_env": "REVENUES_API_KEY"},
        "revenues_batch": {"type": "revenues_batch", "batch_dir": str(folders / "revenues-out"),
                           "rejections_dir": str(folders / "revenues-back")},
        "notify": {"type": "notify", "base_url": notify.url, "api_key_env": "NOTIFY_API_KEY",
                   "callback_token_env": "NOTIFY_CALLBACK_TOKEN",
                   "templates": {"acknowledgement": {"id": notify.email_template,
                                                     "personalisation": {"name": "first_name", "case_ref": "case_ref"}},
                                 "received_sms": {"id": notify.sms_template,
                                                  "personalisation": {"case_ref": "case_ref"}},
                                 "staff": notify.staff_template},
                   "staff_template": "staff"},
    }
    text = json.dumps(config, indent=2)
    print(text)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text + "\n", encoding="utf-8")
    # Test credentials the fakes accept; they open nothing real.
    print(f"\nexport COUNCILFLOW_ADAPTERS={args.write or '<the file you saved the JSON above in>'}",
          "export OPEN311_API_KEY=open311-test-key",
          "export EDRMS_USER=edrms-user EDRMS_PASSWORD=edrms-password",
          "export REVENUES_API_KEY=revenues-test-key",
          f"export NOTIFY_API_KEY={notify.api_key}",
          "export NOTIFY_CALLBACK_TOKEN=demo-callback-token",
          f"\nFolders: {folders}\nRunning; Ctrl-C stops the fake back office.", sep="\n", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        for fake in (open311, cmis, revenues, notify):
            fake.stop()


if __name__ == "__main__":
    main()
