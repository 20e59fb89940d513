"""What the browser tests share: the demo logins, signing in, watching a page for errors, axe."""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from grove.core.models import Role

# Impacts that fail a page: WCAG 2.2 AA is the bar (UK public-sector accessibility regulations).
FAILING_IMPACTS = frozenset({"serious", "critical"})
_AXE = Axe()
# allauth lets one address sign in 30 times a minute, and every test signs in from 127.0.0.1 to
# its worker's server: stay under that, which only ever waits on a fast machine.
SIGN_INS_PER_MINUTE = 25
_sign_ins: deque[float] = deque()


@dataclass(frozen=True)
class DemoLogin:
    """One line of `manage.py seed_demo --print-logins --json`."""

    email: str
    password: str
    trust: str
    school: str | None  # the first of schools; None for a trust-wide login
    schools: tuple[str, ...]
    roles: tuple[str, ...]
    name: str

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> DemoLogin:
        return cls(
            email=row["email"],
            password=row["password"],
            trust=row["trust"],
            school=row["school"],
            schools=tuple(row["schools"]),
            roles=tuple(row["roles"]),
            name=row["name"],
        )

    @property
    def label(self) -> str:
        return f"{self.email} ({', '.join(self.roles)})"


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and server errors a page met since the last take()."""

    found: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.found.append(
                f"console error on {message.page.url if message.page else '?'}: {message.text}"
            )

    def _on_page_error(self, error: Error) -> None:
        self.found.append(f"uncaught exception: {error.message}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.found.append(
                f"HTTP {response.status} from {response.request.method} {response.url}"
            )

    def take(self) -> list[str]:
        found, self.found = self.found, []
        return found


def _pace_sign_ins() -> None:
    now = time.monotonic()
    while _sign_ins and now - _sign_ins[0] > 60:
        _sign_ins.popleft()
    if len(_sign_ins) >= SIGN_INS_PER_MINUTE:
        time.sleep(60.5 - (now - _sign_ins[0]))
    _sign_ins.append(time.monotonic())


def sign_in(page: Page, login: DemoLogin) -> None:
    """Sign in through the real login form, as a person would."""
    _pace_sign_ins()
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"e-?mail", re.IGNORECASE)).first.fill(login.email)
    page.get_by_label(re.compile(r"^password", re.IGNORECASE)).first.fill(login.password)
    page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
    try:
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    except PlaywrightTimeoutError:
        said = " ".join(page.locator("main").inner_text().split())[:400]
        raise AssertionError(f"signing in as {login.email} failed; the page says: {said}") from None


def axe_problems(page: Page) -> list[str]:
    """The page's serious and critical axe-core violations, each with its rule, help and nodes."""
    results = _AXE.run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in FAILING_IMPACTS:
            continue
        nodes = "; ".join(
            f"{' '.join(map(str, node.get('target', [])))} -> {node.get('html', '')[:160]}"
            for node in violation.get("nodes", [])[:5]
        )
        problems.append(
            f"axe {violation['impact']} {violation['id']} on {page.url}: {violation['help']} "
            f"({violation.get('helpUrl', '')}) at {nodes}"
        )
    return problems


def same_path_links(page: Page, selector: str) -> list[str]:
    """The distinct hrefs of the links matching selector, in page order."""
    hrefs: list[str] = page.eval_on_selector_all(
        selector, "links => links.map(a => a.getAttribute('href'))"
    )
    return list(dict.fromkeys(href for href in hrefs if href))


# --- Touring a login's pages ----------------------------------------------------------------

ROLE_ORDER = [role.value for role in Role]
# Two modules tour these, so that --dist loadfile can give them to two workers.
LEADERSHIP_ROLES = (
    "trust_leader", "trust_data_lead", "headteacher", "senior_leader", "governor", "administrator",
)  # fmt: skip
CLASSROOM_ROLES = ("teacher", "teaching_assistant", "senco", "subject_leader", "support_staff")


def toured_as(login: DemoLogin) -> str:
    """The role a login is toured under: the last it holds, in Role's order."""
    return max(login.roles, key=lambda role: ROLE_ORDER.index(role) if role in ROLE_ORDER else -1)


def page_kind(url: str) -> str:
    """The page's path with its ids blanked: /schools/<id>/pupils/<id>/."""
    return re.sub(r"/\d+(?=/)", "/<id>", urlsplit(url).path)


class Tour:
    """One login's visit: the pages seen and everything wrong on them."""

    def __init__(self, context: BrowserContext, login: DemoLogin, scanned: set[tuple[str, ...]]):
        self.login = login
        self.page: Page = context.new_page()
        self.problems = PageProblems()
        self.problems.watch(self.page)
        self.scanned = scanned
        self.failures: list[str] = []
        self.visited: set[str] = set()

    def fail(self, message: str) -> None:
        self.failures.append(f"{self.login.label}: {message}")

    def check(self, response: Response | None, what: str) -> None:
        """The page now showing: 200, an h1, no errors; axe once per kind of page and roles."""
        page = self.page
        self.visited.add(urlsplit(page.url).path)
        if response is not None and response.status != 200:
            self.fail(f"{what} ({page.url}) answered HTTP {response.status}")
        if page.locator("h1").count() < 1:
            self.fail(f"{what} ({page.url}) has no h1")
        for problem in self.problems.take():
            self.fail(f"{what}: {problem}")
        key = (*self.login.roles, page_kind(page.url))
        if key not in self.scanned:
            self.scanned.add(key)
            for problem in axe_problems(page):
                self.fail(problem)

    def visit(self, href: str, what: str) -> None:
        if urlsplit(href).path in self.visited:
            return
        self.check(self.page.goto(href), what)

    def first_link(self, selector: str) -> str | None:
        links = same_path_links(self.page, selector)
        return links[0] if links else None

    def run(self) -> None:
        page = self.page
        sign_in(page, self.login)
        self.check(None, "the page after signing in")
        account = page.locator(".account__name")
        shown = account.first.inner_text().strip() if account.count() else ""
        if self.login.name not in shown:
            self.fail(f"the page after signing in shows {shown!r}, not {self.login.name!r}")
        nav = same_path_links(page, 'nav[aria-label="Main"] a')
        if not nav:
            self.fail(f"no main navigation on {page.url}")
        for href in nav:
            self.visit(href, f"main navigation link {href}")
            kind = page_kind(href)
            # The pages one level down that the lists lead to.
            if kind.endswith("/pupils/"):
                profile = self.first_link("#pupil-results tbody a[href*='/pupils/']")
                if profile:
                    self.visit(profile, "a pupil profile")
            elif kind.endswith("/groups/"):
                group = self.first_link("main tbody a[href*='/groups/']")
                if group:
                    self.visit(group, "a group page")
            elif kind.endswith("/tracking/"):
                # Drill down as far as the login may: trust or school, year, group, pupil.
                for level in ("a drill-down from " + kind, "the next level", "the next level"):
                    deeper = self.first_link("main table tbody th a")
                    if not deeper:
                        break
                    self.visit(deeper, level)
            elif kind.endswith("/record/"):
                sheet = self.first_link("main table tbody a[href*='/record/']")
                if sheet:
                    self.visit(sheet, "an entry sheet")
            elif kind.startswith("/trusts/"):
                settings = self.first_link("main a[href$='/settings/']")
                if settings:
                    self.visit(settings, "the trust settings")
        self.visit("/accounts/2fa/", "the sign-in security page")


def tour_role(browser: Browser, base_url: str, logins: list[DemoLogin], role: str) -> list[str]:
    """Tour every login toured under role (see toured_as); what went wrong, for all of them."""
    holders = [login for login in logins if role in login.roles]
    assert holders, f"the demo has no login with the role {role}"
    # A role held only alongside a later one is toured with it (e.g. subject leaders teach).
    mine = [login for login in holders if toured_as(login) == role]
    failures: list[str] = []
    scanned: set[tuple[str, ...]] = set()
    for login in mine:
        context = browser.new_context(base_url=base_url, locale="en-GB")
        context.set_default_timeout(15_000)
        tour = Tour(context, login, scanned)
        try:
            tour.run()
        except Exception as error:  # one broken login must not hide the others
            tour.fail(f"the tour stopped at {tour.page.url}: {type(error).__name__}: {error}")
        finally:
            context.close()
        failures += tour.failures
    return failures
