"""On SQLite, what a process commits is copied from the WAL back into the database file by a thread of its
own within a second or so, not by whichever request's commit happens to fill the WAL
(engine/persistence/checkpoints.py). Watched from outside, as an operator's tool would: the WAL index's
own header says how many WAL frames there are and how many are already back in the database file
(https://www.sqlite.org/walformat.html)."""
from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from engine.context import Context, Settings
from engine.people import users
from engine.persistence.checkpoints import Checkpointer
from engine.persistence.db import Database

PAGE_BYTES = 4096 + 24  # a WAL frame: the page and its header


def _sqlite_file(ctx) -> Path:  # type: ignore[no-untyped-def]
    if not ctx.db.is_sqlite:
        pytest.skip("WAL checkpoints are SQLite's")
    return Path(make_url(ctx.db.url).database or "")


def _wal_pages(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size // PAGE_BYTES if wal.exists() else 0


def _frames(path: Path) -> tuple[int, int]:
    """(frames in the WAL, frames already copied back into the database file), from the WAL index's header:
    mxFrame at byte 16 of the header, nBackfill at byte 96 (the checkpoint information after the header's
    two copies), both in the machine's byte order."""
    header = Path(f"{path}-shm").read_bytes()[:100]
    return struct.unpack_from("=I", header, 16)[0], struct.unpack_from("=I", header, 96)[0]


def _write_a_little(ctx, tag: str) -> None:  # type: ignore[no-untyped-def]
    # A few commits: far fewer pages than the thousand at which a commit would checkpoint by itself.
    for n in range(5):
        users.create_staff(ctx, f"{tag}{n}@example.gov.uk", f"Officer {tag} {n}", ["back_office"], [], None)


def _wait_until_copied_back(path: Path, within_s: float = 5.0) -> tuple[int, int]:
    deadline = time.monotonic() + within_s
    frames, copied = _frames(path)
    while (frames == 0 or copied < frames) and time.monotonic() < deadline:
        time.sleep(0.05)
        frames, copied = _frames(path)
    return frames, copied


def test_what_a_process_commits_reaches_the_database_file_soon_without_a_commit_doing_it(ctx):
    path = _sqlite_file(ctx)

    _write_a_little(ctx, "first")
    frames, copied = _wait_until_copied_back(path)

    # With SQLite's own rule (a commit checkpoints once the WAL holds 1,000 pages) these frames would wait
    # in the WAL until much more had been written.
    assert frames > 0 and copied == frames
    assert {f"first{n}@example.gov.uk" for n in range(5)} <= {member.email for member in users.list_staff(ctx)}


def test_a_disposed_database_used_again_still_has_its_commits_copied_back(ctx):
    path = _sqlite_file(ctx)
    _write_a_little(ctx, "before")
    ctx.db.dispose()  # as `councilflow config` does between its steps

    _write_a_little(ctx, "after")
    frames, copied = _wait_until_copied_back(path)

    assert frames > 0 and copied == frames


def test_a_steady_stream_of_writes_keeps_the_wal_near_its_limit(database_url):
    # Back to back, the thread's checkpoints seldom end between two transactions, which is when the WAL
    # may start again from its beginning: past the limit a commit checkpoints, as SQLite's own rule does.
    limit = 100
    ctx = Context(Database(database_url, sqlite_wal_pages=limit), settings=Settings())
    try:
        path = _sqlite_file(ctx)
        for n in range(300):
            users.create_staff(ctx, f"stream{n}@example.gov.uk", f"Officer {n}", ["back_office"], [], None)

        assert 0 < _wal_pages(path) <= 2 * limit
    finally:
        ctx.db.dispose()


def test_a_checkpoint_of_a_file_removed_meanwhile_does_not_create_it_again(tmp_path):
    gone = tmp_path / "removed.sqlite3"

    Checkpointer(str(gone)).checkpoint()

    assert not gone.exists()
