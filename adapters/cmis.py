"""Electronic document and records management (Alfresco, Nuxeo and other CMIS 1.1 repositories)
through the CMIS browser binding (JSON over HTTP forms).

Each case gets a folder named after its reference under ``parent_path``; documents are filed into
it. Look-up before resend: a folder is found by its path; a document carries our idempotency key
in ``reference_property`` (``cmis:description`` unless configured) and is found with a CMIS query.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from .base import Adapter, AdapterError, Result, mapped
from .content import read_document
from .http import HttpClient


def _explain(response: requests.Response) -> tuple[str, str | None]:
    """Browser binding errors are ``{"exception": "nameConstraintViolation", "message": "..."}``."""
    try:
        body = response.json()
        return str(body.get("message") or body.get("exception")), str(body.get("exception") or "cmis_rejected")
    except (ValueError, AttributeError):
        return response.text[:500] or str(response.status_code), "cmis_rejected"


def _form(action: str, properties: dict[str, Any]) -> dict[str, str]:
    """The browser binding's form encoding: ``propertyId[n]`` / ``propertyValue[n]`` pairs."""
    form = {"cmisaction": action, "succinct": "true"}
    for index, (prop, value) in enumerate(properties.items()):
        form[f"propertyId[{index}]"] = prop
        form[f"propertyValue[{index}]"] = str(value)
    return form


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class CmisAdapter(Adapter):
    type = "cmis"
    operations = {
        "create_case_folder": "Create (or find) the case's folder in the EDRMS",
        "upload_document": "File a document in the case's folder",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user, password = self.secret("username"), self.secret("password")
        self.http = HttpClient(self.setting("browser_url"), timeout_s=float(self.settings.get("timeout_s", 30)),
                               auth=(user, password) if user and password else None, explain=_explain,
                               where=f"CMIS repository '{self.name}'")
        self.parent_path = "/" + str(self.settings.get("parent_path", "")).strip("/")
        self.reference_property = str(self.settings.get("reference_property", "cmis:description"))
        self._urls: dict[str, str] | None = None

    def _repository(self) -> dict[str, str]:
        if self._urls is None:
            infos = self.http.json("GET", "")
            wanted = self.settings.get("repository_id") or next(iter(infos), None)
            if wanted not in infos:
                raise AdapterError.broken(f"{self.http.where} has no repository '{wanted}'")
            self._urls = {"root": infos[wanted]["rootFolderUrl"], "repository": infos[wanted]["repositoryUrl"]}
        return self._urls

    def _path_url(self, *segments: str) -> str:
        path = "/".join(quote(s, safe="") for s in "/".join((self.parent_path, *segments)).split("/") if s)
        return f"{self._repository()['root'].rstrip('/')}/{path}"

    @staticmethod
    def _folder_name(params: dict[str, Any]) -> str:
        case_ref = str(params.get("case_ref") or "").strip()
        if not case_ref:
            raise AdapterError.rejected("a case folder needs the case reference (case_ref)", "cmis_no_case_ref")
        return case_ref.replace("/", "-")

    def _object_id(self, body: dict[str, Any]) -> str:
        props = body.get("succinctProperties") or {k: v.get("value") for k, v in body.get("properties", {}).items()}
        return str(props["cmis:objectId"])

    def _find_folder(self, name: str) -> str | None:
        response = self.http.request("GET", self._path_url(name), params={"cmisselector": "object",
                                                                          "succinct": "true"}, expect=(404,))
        return None if response.status_code == 404 else self._object_id(response.json())

    def _ensure_folder(self, params: dict[str, Any]) -> tuple[str, bool]:
        name = self._folder_name(params)
        existing = self._find_folder(name)
        if existing is not None:
            return existing, True
        props = {"cmis:objectTypeId": self.settings.get("folder_type", "cmis:folder"), "cmis:name": name,
                 **mapped(self.settings.get("folder_properties", {}), params)}
        response = self.http.request("POST", self._path_url(), data=_form("createFolder", props), expect=(409,))
        if response.status_code == 409:  # someone created it between our look-up and our create
            existing = self._find_folder(name)
            if existing is None:
                raise AdapterError.rejected(_explain(response)[0], _explain(response)[1])
            return existing, True
        return self._object_id(response.json()), False

    def op_create_case_folder(self, params: dict[str, Any], key: str) -> Result:
        folder_id, existed = self._ensure_folder(params)
        return {"folder_id": folder_id, "already_done": existed}

    def _find_document(self, key: str) -> Result | None:
        statement = (f"SELECT cmis:objectId, cmis:name FROM {self.settings.get('document_type', 'cmis:document')}"
                     f" WHERE {self.reference_property} = {_quoted(key)}")
        found = self.http.json("GET", self._repository()["repository"],
                               params={"cmisselector": "query", "q": statement, "succinct": "true"})
        results = found.get("results") or []
        if not results:
            return None
        props = results[0].get("succinctProperties", {})
        return {"object_id": str(props["cmis:objectId"]), "name": props.get("cmis:name")}

    def op_upload_document(self, params: dict[str, Any], key: str) -> Result:
        return self.once(key, lambda: self._find_document(key), lambda: self._upload(params, key))

    def _upload(self, params: dict[str, Any], key: str) -> Result:
        document = read_document(params.get("document") or params, self.settings.get("source_dir"))
        folder_id, _ = self._ensure_folder(params)
        props = {"cmis:objectTypeId": self.settings.get("document_type", "cmis:document"),
                 "cmis:name": document.filename, self.reference_property: key,
                 **mapped(self.settings.get("document_properties", {}), params)}
        body = self.http.json("POST", self._path_url(self._folder_name(params)),
                              data=_form("createDocument", props),
                              files={"content": (document.filename, document.content, document.mime_type)})
        return {"object_id": self._object_id(body), "folder_id": folder_id, "name": document.filename}
