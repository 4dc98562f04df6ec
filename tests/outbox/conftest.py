"""Fixtures the outbox tests share: the fake EDRMS (CMIS) with the folder cases are filed into."""
from __future__ import annotations

import pytest

from tests.fakes.cmis import FakeCmis


@pytest.fixture
def edrms():
    with FakeCmis() as fake:
        fake.make_folder("/Sites/cases")
        yield fake
