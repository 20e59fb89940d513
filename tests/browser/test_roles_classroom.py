"""Each demo login in a classroom or support role signs in through the real form and tours the
pages its navigation offers (see support.Tour for what is checked)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import GroveServer
from tests.browser.support import CLASSROOM_ROLES, tour_role

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", CLASSROOM_ROLES)
def test_every_login_can_use_every_page_in_its_navigation(
    role: str, browser: Browser, grove_server: GroveServer
) -> None:
    failures = tour_role(browser, grove_server.url, grove_server.logins, role)
    assert not failures, grove_server.report(failures)
