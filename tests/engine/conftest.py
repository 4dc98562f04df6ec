"""Engine fixtures shared by the dialect tests."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from tests.conftest import FORMS


@pytest.fixture
def council(database_url):
    """A council on this test's database, at 09:00 on Monday 2 March 2026, with no adapters registered."""
    ctx = Context(Database(database_url), clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)),
                  settings=Settings(forms_dir=FORMS), operations=set())
    yield ctx
    ctx.db.dispose()
