"""File drop into a folder an EDRMS (or revenues system) imports from: the documents plus an index
CSV with one row per document, the way most council back-office imports run.

Every file is written under a temporary dot-name and renamed into place (atomic on one file
system); the index goes last, so an importer that waits for ``*.csv`` never sees a half-written
batch. File names carry the idempotency key, so a retry rewrites the same names and an existing
index means the batch was already delivered: nothing is written twice.
"""
from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .base import Adapter, AdapterError, Result, mapped
from .content import read_document, safe_name

DEFAULT_COLUMNS = {"reference": "reference", "case_ref": "case_ref", "file_name": "file_name",
                   "document_type": "document_type", "mime_type": "mime_type"}


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` so that ``target`` is either absent or complete, never partial."""
    temporary = target.with_name(f".{target.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def index_csv(columns: list[str], rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


class FileDropAdapter(Adapter):
    type = "filedrop"
    operations = {"file_document": "Drop documents and their index CSV into the import folder"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drop_dir = Path(self.setting("drop_dir"))
        self.columns: dict[str, str] = dict(self.settings.get("index_columns") or DEFAULT_COLUMNS)

    def op_file_document(self, params: dict[str, Any], key: str) -> Result:
        stem = safe_name(key)
        index = self.drop_dir / f"{stem}.csv"
        if index.exists():
            names = [row.get("file_name") for row in csv.DictReader(io.StringIO(index.read_text("utf-8")))]
            return {"index_file": index.name, "files": names, "already_done": True}
        if not self.drop_dir.is_dir():
            raise AdapterError.transient(f"the drop folder {self.drop_dir} is not there (is the share mounted?)")
        specs = params.get("documents") or [params.get("document") or params]
        documents = [read_document(spec, self.settings.get("source_dir")) for spec in specs]
        rows, names = [], []
        try:
            for number, (spec, document) in enumerate(zip(specs, documents), start=1):
                name = f"{stem}-{number}-{safe_name(document.filename)}"
                write_atomically(self.drop_dir / name, document.content)
                values = {**params, **spec, "reference": key, "file_name": name, "mime_type": document.mime_type}
                rows.append(mapped(self.columns, values))
                names.append(name)
            write_atomically(index, index_csv(list(self.columns), rows))
        except OSError as err:
            raise AdapterError.transient(f"could not write to the drop folder {self.drop_dir}: {err}") from err
        return {"index_file": index.name, "files": names}
