"""Each demo login in a trust, leadership, governance or administration role signs in through the
real form and tours the pages its navigation offers (see support.Tour for what is checked);
test_roles_classroom.py does the same for classroom and support roles."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import GroveServer
from tests.browser.support import CLASSROOM_ROLES, LEADERSHIP_ROLES, ROLE_ORDER, tour_role

pytestmark = pytest.mark.browser


def test_every_role_is_toured_and_held_by_a_demo_login(grove_server: GroveServer) -> None:
    assert sorted(LEADERSHIP_ROLES + CLASSROOM_ROLES) == sorted(ROLE_ORDER)
    held = {role for login in grove_server.logins for role in login.roles}
    assert held >= set(ROLE_ORDER), f"no demo login for {sorted(set(ROLE_ORDER) - held)}"
    unknown = held - set(ROLE_ORDER)
    assert not unknown, f"demo logins hold roles Grove does not know: {sorted(unknown)}"


@pytest.mark.parametrize("role", LEADERSHIP_ROLES)
def test_every_login_can_use_every_page_in_its_navigation(
    role: str, browser: Browser, grove_server: GroveServer
) -> None:
    failures = tour_role(browser, grove_server.url, grove_server.logins, role)
    assert not failures, grove_server.report(failures)
