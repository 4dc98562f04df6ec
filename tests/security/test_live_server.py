"""The live server the security suite drives answers over real HTTP and signs staff in."""
from engine.types import Role


def test_live_server_signs_in_staff_and_serves_pages(live):
    session = live.as_role(Role.BACK_OFFICE)
    page = session.get(f"{live.url}/inbox", timeout=30)
    assert page.status_code == 200 and page.headers["Server"] == "councilflow"
