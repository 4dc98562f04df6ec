"""A fake EDRMS speaking the CMIS 1.1 browser binding: repository info, objects by path,
createFolder, createDocument (multipart) and simple ``WHERE prop = 'value'`` queries."""
from __future__ import annotations

import base64
import itertools
import re
from typing import Any
from urllib.parse import unquote

from .server import FakeServer, Reply, Request

REPO = "fake-repo"
_EXCEPTIONS = {400: "invalidArgument", 401: "unauthorized", 403: "permissionDenied", 404: "objectNotFound",
               409: "constraint"}
_QUERY = re.compile(r"SELECT .+ FROM (\S+) WHERE (\S+) = '((?:[^'\\]|\\.)*)'\s*$", re.IGNORECASE)


class FakeCmis(FakeServer):
    def __init__(self, username: str = "edrms-user", password: str = "edrms-password") -> None:
        super().__init__()
        self.credentials = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self._ids = itertools.count(1)
        self.objects: dict[str, dict[str, Any]] = {
            "root": {"props": {"cmis:objectId": "root", "cmis:name": "", "cmis:baseTypeId": "cmis:folder"},
                     "parent": None}}

    @property
    def base(self) -> str:
        return f"{self.url}/cmis/browser"

    def error_body(self, status: int, message: str) -> Any:
        return {"exception": _EXCEPTIONS.get(status, "runtime"), "message": message}

    def _fail(self, status: int, message: str, exception: str | None = None) -> Reply:
        return status, {"exception": exception or _EXCEPTIONS.get(status, "runtime"), "message": message}

    # -- the store -------------------------------------------------------------------------------
    def children(self, parent: str) -> list[dict[str, Any]]:
        return [o for o in self.objects.values() if o["parent"] == parent]

    def documents(self) -> list[dict[str, Any]]:
        return [o for o in self.objects.values() if o["props"]["cmis:baseTypeId"] == "cmis:document"]

    def folders(self) -> list[dict[str, Any]]:
        return [o for o in self.objects.values() if o["props"]["cmis:baseTypeId"] == "cmis:folder"
                and o["parent"] is not None]

    def by_path(self, segments: list[str]) -> dict[str, Any] | None:
        current: dict[str, Any] | None = self.objects["root"]
        for name in segments:
            assert current is not None
            current = next((c for c in self.children(current["props"]["cmis:objectId"])
                            if c["props"]["cmis:name"] == name), None)
            if current is None:
                return None
        return current

    def make_folder(self, path: str) -> str:
        """Set up a parent folder, as the council's records team would have."""
        parent = self.objects["root"]
        for name in [s for s in path.split("/") if s]:
            found = self.by_path(self._segments_of(parent) + [name])
            parent = found or self._add(parent, {"cmis:name": name, "cmis:objectTypeId": "cmis:folder"},
                                        "cmis:folder")
        return str(parent["props"]["cmis:objectId"])

    def _segments_of(self, obj: dict[str, Any]) -> list[str]:
        names = []
        while obj["parent"] is not None:
            names.append(obj["props"]["cmis:name"])
            obj = self.objects[obj["parent"]]
        return names[::-1]

    def _add(self, parent: dict[str, Any], props: dict[str, Any], base: str,
             content: bytes | None = None) -> dict[str, Any]:
        object_id = f"obj-{next(self._ids)}"
        obj = {"props": {**props, "cmis:objectId": object_id, "cmis:baseTypeId": base},
               "parent": parent["props"]["cmis:objectId"], "content": content}
        self.objects[object_id] = obj
        return obj

    # -- the protocol ----------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Reply:
        if request.headers.get("authorization") != self.credentials:
            return self._fail(401, "Authentication required")
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        if parts[:2] != ["cmis", "browser"]:
            return self._fail(404, f"no route for {request.path}")
        rest = parts[2:]
        if not rest:
            root = f"{self.base}/{REPO}"
            return 200, {REPO: {"repositoryId": REPO, "repositoryName": "Fake EDRMS", "cmisVersionSupported": "1.1",
                                "rootFolderId": "root", "repositoryUrl": root, "rootFolderUrl": f"{root}/root"}}
        if rest[0] != REPO:
            return self._fail(404, f"repository {rest[0]} not found")
        if len(rest) == 1 and request.query.get("cmisselector") == "query":
            return self._query(request.query.get("q", ""))
        if len(rest) >= 2 and rest[1] == "root":
            target = self.by_path(rest[2:])
            if request.method == "GET":
                if target is None:
                    return self._fail(404, f"Object not found: /{'/'.join(rest[2:])}")
                return 200, {"succinctProperties": target["props"]}
            if target is None:
                return self._fail(404, f"Folder not found: /{'/'.join(rest[2:])}")
            return self._create(target, request)
        return self._fail(400, "unsupported request")

    def _properties(self, form: dict[str, str]) -> dict[str, str]:
        props, index = {}, 0
        while f"propertyId[{index}]" in form:
            props[form[f"propertyId[{index}]"]] = form.get(f"propertyValue[{index}]", "")
            index += 1
        return props

    def _create(self, folder: dict[str, Any], request: Request) -> Reply:
        action, props = request.form.get("cmisaction"), self._properties(request.form)
        if action not in ("createFolder", "createDocument"):
            return self._fail(400, f"unknown cmisaction {action}")
        if not props.get("cmis:name") or not props.get("cmis:objectTypeId"):
            return self._fail(400, "cmis:name and cmis:objectTypeId are required")
        if any(c["props"]["cmis:name"] == props["cmis:name"] for c in self.children(folder["props"]["cmis:objectId"])):
            return self._fail(409, f"An object named {props['cmis:name']} already exists", "nameConstraintViolation")
        if action == "createFolder":
            return 201, {"succinctProperties": self._add(folder, props, "cmis:folder")["props"]}
        upload = request.files.get("content")
        if upload is None:
            return self._fail(400, "createDocument needs a content part")
        props["cmis:contentStreamMimeType"] = upload.content_type
        props["cmis:contentStreamLength"] = str(len(upload.content))
        return 201, {"succinctProperties": self._add(folder, props, "cmis:document", upload.content)["props"]}

    def _query(self, statement: str) -> Reply:
        match = _QUERY.match(statement)
        if match is None:
            return self._fail(400, f"the fake only answers SELECT ... WHERE prop = 'value', not {statement}")
        type_id, prop, raw = match.groups()
        value = re.sub(r"\\(.)", r"\1", raw)
        base = "cmis:folder" if type_id == "cmis:folder" else "cmis:document"
        hits = [o for o in self.objects.values() if o["props"]["cmis:baseTypeId"] == base
                and o["props"].get(prop) == value]
        return 200, {"results": [{"succinctProperties": o["props"]} for o in hits],
                     "hasMoreItems": False, "numItems": len(hits)}
