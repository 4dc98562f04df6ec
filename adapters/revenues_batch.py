"""Revenues and benefits systems fed by a batch CSV: each change is a row appended to today's
batch file, which the revenues system imports overnight; the rows it refuses come back in a
rejections file, which the worker turns into incidents.

Appends hold an exclusive ``flock`` on the batch file and write each row with one ``write``; a
reference already in any batch file waiting in the folder is not appended again. The importer
should rename a batch file before reading it (our next append then starts a new file).
"""
from __future__ import annotations

import csv
import fcntl
import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .base import Adapter, AdapterError, Result, mapped

DEFAULT_COLUMNS = {"reference": "reference", "account_ref": "account_ref", "change_type": "change_type",
                   "effective_date": "effective_date", "details": "details"}


@dataclass(frozen=True)
class Rejection:
    reference: str  # our idempotency key: it names the case and task that sent the row
    reason: str
    record: dict[str, str] = field(default_factory=dict)


def collect_rejections(path: str | Path, reference_column: str = "reference",
                       reason_column: str = "reason") -> list[Rejection]:
    """The rows a revenues system refused, read from the rejections file it wrote back."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return [Rejection(row.get(reference_column) or "", row.get(reason_column) or "no reason given", dict(row))
                for row in csv.DictReader(handle) if row.get(reference_column)]


def _csv_line(values: list[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue().encode("utf-8")


class RevenuesBatchAdapter(Adapter):
    type = "revenues_batch"
    operations = {"post_change": "Append a change of circumstances to the revenues batch file"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_dir = Path(self.setting("batch_dir"))
        self.prefix = str(self.settings.get("batch_prefix", "changes"))
        self.columns: dict[str, str] = dict(self.settings.get("columns") or DEFAULT_COLUMNS)
        rejections = self.settings.get("rejections_dir")
        self.rejections_dir = Path(rejections) if rejections else None

    def _already_sent(self, key: str) -> str | None:
        column = next((c for c, source in self.columns.items() if source == "reference"), None)
        for batch in sorted(self.batch_dir.glob(f"{self.prefix}-*.csv")):
            with open(batch, newline="", encoding="utf-8") as handle:
                if any(row.get(column) == key for row in csv.DictReader(handle)):
                    return batch.name
        return None

    def op_post_change(self, params: dict[str, Any], key: str) -> Result:
        if not self.batch_dir.is_dir():
            raise AdapterError.transient(f"the batch folder {self.batch_dir} is not there (is the share mounted?)")
        batch = self.batch_dir / f"{self.prefix}-{self.clock.now():%Y%m%d}.csv"
        row = mapped(self.columns, {**params, "reference": key})
        try:
            descriptor = os.open(batch, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)  # one writer at a time checks, then appends
                existing = self._already_sent(key)
                if existing:
                    return {"batch_file": existing, "already_done": True}
                if os.fstat(descriptor).st_size == 0:
                    os.write(descriptor, _csv_line(list(self.columns)))
                os.write(descriptor, _csv_line([row.get(column, "") for column in self.columns]))
                os.fsync(descriptor)
            finally:
                os.close(descriptor)  # releases the lock
        except OSError as err:
            raise AdapterError.transient(f"could not append to {batch.name}: {err}") from err
        return {"batch_file": batch.name}

    def pending_rejections(self) -> list[tuple[Path, list[Rejection]]]:
        """Rejections files waiting in ``rejections_dir``; ``archive`` each once its incidents exist."""
        if self.rejections_dir is None or not self.rejections_dir.is_dir():
            return []
        reference = next((c for c, source in self.columns.items() if source == "reference"), "reference")
        reason = str(self.settings.get("reason_column", "reason"))
        return [(path, collect_rejections(path, reference, reason))
                for path in sorted(self.rejections_dir.glob("*.csv"))]

    def archive(self, path: Path) -> Path:
        done = path.parent / "processed"
        done.mkdir(exist_ok=True)
        return Path(shutil.move(str(path), done / path.name))
