"""What the Open Referral UK feed makes of an entry's public information: plain text a consumer can
show as it is (the feed itself is tested over HTTP in tests/openreferral)."""
from __future__ import annotations

import pytest

from engine.catalogue.directory_feed import FeedIds, plain_text


@pytest.mark.parametrize(("markdown", "text"), [
    ("Open **9am** to *5pm*.", "Open 9am to 5pm."),
    ("## Hours\n\nWeekdays.", "Hours\n\nWeekdays."),
    ("See [the map](https://anytown.example/map) or <https://anytown.example>.",
     "See the map (https://anytown.example/map) or https://anytown.example."),
    ("Bring:\n\n- proof of address\n- photo ID\n\nThen wait.", "Bring:\n\n- proof of address\n- photo ID\n\nThen wait."),
    ("Call `0300 123`.", "Call 0300 123."),
    ("<script>alert(1)</script> Hello <b>there</b>", "alert(1) Hello there"),
    ("Fees: 3 < 5 and 6 > 4", "Fees: 3 < 5 and 6 > 4"),
    ("", ""),
])
def test_public_information_becomes_plain_text(markdown, text):
    assert plain_text(markdown) == text


def test_ids_depend_only_on_the_council_and_the_key():
    ids = FeedIds("Anytown Borough Council")
    assert ids.service("dog_fouling") == FeedIds("Anytown Borough Council").service("dog_fouling")
    assert ids.service("dog_fouling") != ids.service("fly_tipping")
    assert ids.service("dog_fouling") != FeedIds("Othertown District Council").service("dog_fouling")
    assert ids.organisation(None) != ids.organisation("Anytown Homes")
    assert len({ids.service("x"), ids.lgsl_term(1), ids.lgsl_taxonomy(), ids.organisation("x")}) == 4


def test_a_published_id_never_changes_between_releases():
    """Finders store our ids; a change to how they are made would make every service look new."""
    assert FeedIds("Anytown Borough Council").service("dog_fouling") == "fe176d30-7a9f-512c-89ce-6d844ba6b660"
