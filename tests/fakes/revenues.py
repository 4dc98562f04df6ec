"""A fake revenues and benefits system: a JSON REST API (accounts, changes of circumstances with
``Idempotency-Key``) and the overnight batch import that writes a rejections file back."""
from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

from .server import FakeServer, Reply, Request


class FakeRevenues(FakeServer):
    def __init__(self, api_key: str = "revenues-test-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.accounts: dict[str, dict[str, Any]] = {
            "CT-1001": {"account_ref": "CT-1001", "holder": "A Resident", "band": "C", "balance_pence": 12050},
        }
        self.changes: dict[str, dict[str, Any]] = {}
        self.by_idempotency_key: dict[str, str] = {}
        self._ids = itertools.count(1)
        self.route("GET", "accounts/{ref}", self.show_account)
        self.route("GET", "changes", self.find_changes)
        self.route("POST", "changes", self.create_change)

    def error_body(self, status: int, message: str) -> Any:
        return {"code": "rejected" if status < 500 else "unavailable", "message": message}

    def dispatch(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"code": "unauthorised", "message": "Missing or wrong API key"}
        return super().dispatch(request)

    def show_account(self, request: Request) -> Reply:
        account = self.accounts.get(request.params["ref"])
        if account is None:
            return 404, {"code": "account_not_found", "message": f"No account {request.params['ref']}"}
        return 200, account

    def find_changes(self, request: Request) -> Reply:
        reference = request.query.get("reference")
        return 200, {"items": [c for c in self.changes.values() if c["reference"] == reference]}

    def create_change(self, request: Request) -> Reply:
        key = request.headers.get("idempotency-key")
        if key and key in self.by_idempotency_key:  # what a well-behaved API does with a repeated key
            return 200, self.changes[self.by_idempotency_key[key]]
        body = request.json() or {}
        if body.get("account_ref") not in self.accounts:
            return 422, {"code": "account_not_found", "message": f"No account {body.get('account_ref')}"}
        if not body.get("effective_date"):
            return 422, {"errors": [{"code": "invalid_change", "message": "effective_date is required"}]}
        change = {**body, "id": f"CHG-{next(self._ids)}", "status": "received"}
        self.changes[change["id"]] = change
        if key:
            self.by_idempotency_key[key] = change["id"]
        return 201, change


def run_batch_import(batch_file: Path, rejections_file: Path, reject: dict[str, str]) -> None:
    """What the revenues system does overnight: read our batch, write back the rows it refused
    (``reject`` maps an account reference to the reason)."""
    with open(batch_file, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with open(rejections_file, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reference", "account_ref", "reason"])
        for row in rows:
            if row.get("account_ref") in reject:
                writer.writerow([row["reference"], row["account_ref"], reject[row["account_ref"]]])
