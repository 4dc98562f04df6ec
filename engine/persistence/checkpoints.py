"""SQLite's WAL checkpoints, run on a thread of their own instead of inside a request's commit.

In WAL mode a commit appends the pages it changed to the ``-wal`` file; a checkpoint copies them back
into the database file and syncs both to disk. SQLite's default runs one inside whichever commit takes
the WAL past 1,000 pages: with the task, case, event and MI indexes a case step writes about 25 pages, so
every fortieth or so commit paid for a checkpoint, 15-20 ms on this machine against 0.25 ms for a plain
commit (`benchmarks/lifecycle.py` times both). That commit's request waited for it, and those commits
were more than half of all the time spent committing.

Here a daemon thread runs a PASSIVE checkpoint every ``CHECKPOINT_EVERY_S`` when this process has begun a
write transaction since the last one (a read leaves nothing to copy back). PASSIVE never waits for or
blocks readers and writers: a page still being read is left for the next round. The process's connections
checkpoint only past ``WAL_PAGES_LIMIT`` pages (``PRAGMA wal_autocheckpoint``), the bound on the WAL under
a steady stream of writes; with gaps between writes, as a council's day has them, the WAL starts again
from its beginning long before. The thread is started by the process's first write (so a forked child
starts its own) and stops with ``Database.dispose`` or when the Database is collected. Other processes on
the same file (a separate ``councilflow worker``, the CLI) run their own; a process without one (the
``sqlite3`` shell) checkpoints as SQLite always has. When the last connection to the file closes, SQLite
checkpoints and removes the WAL itself, as before.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from contextlib import closing
from urllib.request import pathname2url

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY_S = 0.5
# A commit still checkpoints, as SQLite's own rule has it, once the WAL holds this many pages (4 KiB
# each). The thread's checkpoints let the WAL start again from its beginning only when one of them
# ends between two transactions; under a steady stream of writes that seldom happens, and without this
# the WAL grew without bound (67,000 pages in 16 s of back-to-back case steps).
WAL_PAGES_LIMIT = 10_000


class Checkpointer:
    """The checkpoint thread of one SQLite file, for one process."""

    def __init__(self, path: str, every_s: float = CHECKPOINT_EVERY_S) -> None:
        self.path, self.every_s = os.path.abspath(path), every_s
        self._writes = 0  # write transactions this process began (``writing``), read by the thread
        self._checkpointed = 0  # ``_writes`` at the start of the last checkpoint
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._pid = 0

    def writing(self) -> None:
        """A connection of this process began a write transaction: make sure the thread runs (again, after
        ``stop``), and that it has work."""
        self._writes += 1
        if self._thread is None or self._pid != os.getpid():
            self._start()

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None and self._pid == os.getpid():
                return
            self._pid, self._stopping = os.getpid(), threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stopping,), name="sqlite-checkpoints",
                                            daemon=True)
            self._thread.start()

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.wait(self.every_s):
            if self._writes != self._checkpointed:
                self._checkpointed = self._writes
                self.checkpoint()

    def checkpoint(self) -> None:
        """Copy what the WAL holds back into the database file, as far as readers allow (PASSIVE)."""
        try:
            # mode=rw: a file removed meanwhile is not created again, empty
            with closing(sqlite3.connect(f"file:{pathname2url(self.path)}?mode=rw", uri=True,
                                         isolation_level=None)) as connection:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as err:
            # Another process's checkpoint running, or the file gone (a test's, removed): the next round
            # tries again; the WAL only grows meanwhile, as it would behind a long reader.
            logger.debug("SQLite checkpoint of %s skipped: %s", self.path, err)

    def stop(self) -> None:
        """Stop the thread; the next write starts it again (a disposed Database may still be used)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopping.set()
            ours = self._pid == os.getpid()
        if thread is not None and ours and thread is not threading.current_thread():
            thread.join(timeout=5)
