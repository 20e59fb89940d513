"""What a person does in the browser: sign in, switch school, search and page through pupils, use
a form that refuses them, and move about by keyboard; each page accessible (axe-core)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import GroveServer
from tests.browser.support import DemoLogin, PageProblems, axe_problems, sign_in

pytestmark = pytest.mark.browser

PAGE_SIZE = 50  # grove.pupils.views.PAGE_SIZE


def demo_login(server: GroveServer, wanted: Callable[[DemoLogin], bool], what: str) -> DemoLogin:
    found = [login for login in server.logins if wanted(login)]
    assert found, f"the demo has no login for {what}"
    return found[0]


def headteacher(server: GroveServer) -> DemoLogin:
    return demo_login(server, lambda login: "headteacher" in login.roles, "a headteacher")


def assert_healthy(page: Page, problems: PageProblems) -> None:
    """No console errors or server errors so far, an h1, and no serious axe violation."""
    found = problems.take()
    if page.locator("h1").count() < 1:
        found.append(f"{page.url} has no h1")
    found += axe_problems(page)
    assert not found, "\n".join(found)


def pupil_count(page: Page) -> int:
    caption = page.locator("#pupil-results caption").inner_text()
    match = re.match(r"([\d,]+) pupil", caption)
    assert match, f"unexpected caption {caption!r}"
    return int(match.group(1).replace(",", ""))


def pupil_rows(page: Page) -> list[str]:
    return page.locator("#pupil-results tbody th[scope=row]").all_inner_texts()


def pupil_links(page: Page) -> list[str]:
    return [
        link.get_attribute("href") or ""
        for link in page.locator("#pupil-results tbody th[scope=row] a").all()
    ]


def open_pupil_list(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pupils").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils")


def test_login_page_is_accessible(page: Page, problems: PageProblems) -> None:
    response = page.goto("/accounts/login/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("button", name=re.compile("sign in", re.IGNORECASE))).to_be_visible()
    assert_healthy(page, problems)


def test_add_pupil_form_submitted_empty_shows_accessible_errors(
    page: Page, problems: PageProblems, grove_server: GroveServer
) -> None:
    sign_in(page, headteacher(grove_server))
    open_pupil_list(page)
    page.get_by_role("link", name="Add a pupil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a pupil")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Add pupil").click()
    assert posted.value.status == 200
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    # Each error in the summary links to the field it is about.
    links = summary.get_by_role("link").all()
    assert links, "the error summary lists no errors"
    for link in links:
        target = (link.get_attribute("href") or "").removeprefix("#")
        assert target and page.locator(f"[id='{target}']").count() == 1, (
            f"error link {link.inner_text()!r} points at #{target}, which is not on the page"
        )
    assert_healthy(page, problems)


def test_school_switcher_moves_a_person_between_their_schools(
    page: Page, problems: PageProblems, grove_server: GroveServer
) -> None:
    login = demo_login(
        grove_server,
        lambda login: len(login.schools) >= 2 and login.school is not None,
        "a person who works in two schools",
    )
    sign_in(page, login)
    heading = page.get_by_role("heading", level=1)
    here = heading.inner_text()
    assert here in login.schools
    other = next(school for school in login.schools if school != here)
    switcher = page.get_by_label("School", exact=True)
    expect(switcher).to_have_value(re.compile(r"\d+"))
    switcher.select_option(label=other)
    page.get_by_role("button", name="Switch").click()
    expect(heading).to_have_text(other)
    expect(switcher.locator("option:checked")).to_have_text(other)
    # The navigation now leads into the other school, and Grove remembers the choice.
    school_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="School")
    assert school_link.get_attribute("href") == re.sub(r"^https?://[^/]+", "", page.url)
    page.goto("/")
    expect(heading).to_have_text(other)
    assert_healthy(page, problems)


def test_pupil_search_filters_as_you_type(
    page: Page, problems: PageProblems, grove_server: GroveServer
) -> None:
    sign_in(page, headteacher(grove_server))
    open_pupil_list(page)
    total = pupil_count(page)
    first = pupil_rows(page)[0]  # "Surname, First name"
    surname = first.split(",")[0]
    # A full page load would forget this; htmx swapping the results in keeps it.
    page.evaluate("window.groveSamePage = true")
    with page.expect_response(
        lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.get_by_label("Name or UPN").press_sequentially(surname, delay=20)
    expect(page.locator("#pupil-results caption")).not_to_have_text(re.compile(rf"^{total} "))
    assert 0 < pupil_count(page) < total
    assert first in pupil_rows(page)
    assert page.evaluate("window.groveSamePage === true"), "the search reloaded the whole page"
    expect(page).to_have_url(re.compile(r"[?&]q="))  # the address can be shared or bookmarked
    assert_healthy(page, problems)


def test_pupil_list_pages_and_keeps_the_search(
    page: Page, problems: PageProblems, grove_server: GroveServer
) -> None:
    sign_in(page, headteacher(grove_server))
    open_pupil_list(page)
    total = pupil_count(page)
    assert total > PAGE_SIZE, "the demo school needs more than one page of pupils"
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text(f"Page 1 of {math.ceil(total / PAGE_SIZE)}")
    first_page = pupil_links(page)
    assert len(set(first_page)) == PAGE_SIZE
    pages.get_by_role("link", name="Next page").click()
    expect(pages).to_contain_text("Page 2 of")
    second_page = pupil_links(page)
    assert second_page and not set(second_page) & set(first_page)
    assert_healthy(page, problems)

    # Search for a letter most names have, then page: the search stays applied.
    open_pupil_list(page)
    with page.expect_response(lambda r: "q=a" in r.url):
        page.get_by_label("Name or UPN").press_sequentially("a")
    expect(page.locator("#pupil-results caption")).not_to_have_text(re.compile(rf"^{total} "))
    matching = pupil_count(page)
    assert PAGE_SIZE < matching < total
    pages.get_by_role("link", name="Next page").click()
    expect(pages).to_contain_text(f"Page 2 of {math.ceil(matching / PAGE_SIZE)}")
    expect(page).to_have_url(re.compile(r"q=a"))
    assert pupil_count(page) == matching
    assert_healthy(page, problems)


@pytest.mark.parametrize("signed_in", [False, True], ids=["login page", "pupil list"])
def test_skip_link_is_first_and_moves_focus_to_main(
    signed_in: bool, page: Page, problems: PageProblems, grove_server: GroveServer
) -> None:
    if signed_in:
        sign_in(page, headteacher(grove_server))
        open_pupil_list(page)
    else:
        page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, text: document.activeElement.textContent})"
    )
    assert "skip-link" in focused["cls"], f"the first Tab stop is {focused}, not the skip link"
    assert focused["text"].strip() == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab stop is inside the main content, past the header and navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), (
        "after the skip link, Tab goes back into the header"
    )
    assert not problems.take()


def test_a_teacher_records_a_class_by_keyboard_in_under_two_minutes(
    page: Page, problems: PageProblems, grove_server: GroveServer
) -> None:
    """Keyboard only: type each pupil's code (or its first letter) and press Enter; every
    judgement autosaves, the count at the top reaches the class size, and the time the sheet
    measured is kept as workload."""
    import time

    teacher = demo_login(
        grove_server,
        lambda login: tuple(login.roles) == ("teacher",) and login.trust.startswith("Riverside")
        and "Primary" in (login.school or ""),
        "a primary class teacher",
    )  # fmt: skip
    sign_in(page, teacher)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record judgements")
    assert_healthy(page, problems)
    links = page.locator("main table tbody a[href*='/record/']")
    assert links.count() > 0, "the demo gives a primary teacher an open point to record"
    links.first.click()
    assert_healthy(page, problems)
    inputs = page.locator("input.judgement")
    size = inputs.count()
    assert size >= 20
    started = time.monotonic()
    inputs.first.focus()
    codes = ["e", "EXS", "w", "GDS", "exs"]  # a unique start of a code is enough
    for i in range(size):
        page.keyboard.press("Control+A")
        page.keyboard.type(codes[i % len(codes)])
        page.keyboard.press("Enter")
    # The last Enter saves the last pupil; wait for every row to say so.
    expect(page.locator("#entry-count")).to_have_text(str(size), timeout=30_000)
    elapsed = time.monotonic() - started
    assert elapsed < 120, f"recording {size} judgements took {elapsed:.0f} s"
    expect(page.locator(".state--saving")).to_have_count(0)
    states = page.locator(".state").all_inner_texts()
    assert all(state == "Saved" for state in states), [s for s in states if s != "Saved"]
    # A wrong code is refused beside the pupil, and saves nothing.
    inputs.nth(1).fill("ZZZ")
    inputs.nth(1).press("Enter")
    expect(page.locator(".state--error").first).to_contain_text("is not a band")
    page.reload()
    expect(page.locator("input.judgement").nth(1)).to_have_value("EXS")
    assert_healthy(page, problems)
