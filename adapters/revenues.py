"""Revenues and benefits systems with a JSON REST API (a generic driver: paths and field names
come from configuration).

Changes of circumstances are sent with an ``Idempotency-Key`` header and carry our key as
``reference``; before sending, the adapter asks the system for a change with that reference.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from .base import Adapter, AdapterError, Result, mapped
from .http import HttpClient


def _explain(response: requests.Response) -> tuple[str, str | None]:
    """``{"code": ..., "message": ...}`` or ``{"errors": [{"code": ..., "message": ...}]}``."""
    try:
        body = response.json()
        first = (body.get("errors") or [body])[0] if isinstance(body, dict) else {}
        return str(first.get("message") or response.reason), first.get("code") or "revenues_rejected"
    except (ValueError, AttributeError, IndexError):
        return response.text[:500] or str(response.status_code), "revenues_rejected"


class RevenuesAdapter(Adapter):
    type = "revenues"
    operations = {
        "lookup_account": "Read a council tax or benefits account",
        "post_change_of_circumstances": "Send a change of circumstances to the revenues system",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = HttpClient(self.setting("base_url"), timeout_s=float(self.settings.get("timeout_s", 10)),
                               explain=_explain, where=f"revenues system '{self.name}'")
        self.paths = {"account": "accounts/{account_ref}", "changes": "changes",
                      **self.settings.get("paths", {})}

    def _headers(self) -> dict[str, str]:
        header = self.settings.get("auth_header", "Authorization")
        scheme = self.settings.get("auth_scheme", "Bearer" if header == "Authorization" else "")
        secret = self.require_secret("api_key")
        return {header: f"{scheme} {secret}".strip()}

    @staticmethod
    def _account_ref(params: dict[str, Any]) -> str:
        if not params.get("account_ref"):
            raise AdapterError.rejected("the case has no account reference (account_ref)", "no_account_ref")
        return str(params["account_ref"])

    def op_lookup_account(self, params: dict[str, Any], key: str) -> Result:
        path = self.paths["account"].format(account_ref=quote(self._account_ref(params), safe=""))
        response = self.http.request("GET", path, headers=self._headers(), expect=(404,))
        if response.status_code == 404:
            raise AdapterError.rejected(f"there is no account {params['account_ref']}", "account_not_found")
        return {"account": response.json()}

    def op_post_change_of_circumstances(self, params: dict[str, Any], key: str) -> Result:
        return self.once(key, lambda: self._find_change(key), lambda: self._send_change(params, key))

    def _find_change(self, key: str) -> Result | None:
        found = self.http.json("GET", self.paths["changes"], params={"reference": key}, headers=self._headers())
        items = found.get("items", []) if isinstance(found, dict) else found
        return self._result(items[0]) if items else None

    def _send_change(self, params: dict[str, Any], key: str) -> Result:
        fields = self.settings.get("change_fields")
        body = {"account_ref": self._account_ref(params),
                **(mapped(fields, params) if fields else {k: v for k, v in params.items() if k != "account_ref"}),
                "reference": key}
        answer = self.http.json("POST", self.paths["changes"], json=body,
                                headers={**self._headers(), "Idempotency-Key": key})
        return self._result(answer)

    @staticmethod
    def _result(change: dict[str, Any]) -> Result:
        return {"change_id": str(change.get("id")), "change_status": change.get("status")}
