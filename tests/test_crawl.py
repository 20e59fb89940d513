"""Every demo login crawls what it can reach from home: no server error, and nothing leaks.

What is checked for each login, on every page the crawl reaches:
- no response is a server error (5xx);
- no page names another trust, or a school of another trust;
- someone who works in a single school never opens a pupil page of another school, by link or by
  typing its address: another school's pages and pupils answer 404 (or, under one's own school's
  id, the 403 one's role gets for every pupil there);
- a governor sees no pupil's name and no member of staff's name but their own.

The demo is seeded once per module into the worker's test database, next to the fixed cast, and
stays there for the worker's later tests (each test still runs in its own transaction).
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from grove.core.models import Membership, Role, School, Trust, User
from grove.pupils.models import Pupil

pytestmark = pytest.mark.django_db

ROLE_ORDER = [role.value for role in Role]
MAX_PAGES = 400  # per login
MAX_PER_KIND = 6  # pages of one kind (same path but for ids, same query keys) per login
SKIP_PREFIXES = ("/accounts/logout/", "/admin/", "/static/")
PUPIL_PAGE = re.compile(r"^/schools/(\d+)/pupils/(\d+)/")
HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Login:
    email: str
    roles: tuple[str, ...]


@pytest.fixture(autouse=True)
def quiet_not_found() -> Iterator[None]:
    # The crawl asks for many pages it must not get; Django would log each 404 as a warning.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def demo_logins(django_db_setup: None, django_db_blocker: Any) -> list[Login]:
    with django_db_blocker.unblock():
        out = StringIO()
        # Builds the demo (unless this worker's database already has it) and lists its logins.
        call_command("seed_demo", "--print-logins", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    logins = [Login(email=row["email"], roles=tuple(row["roles"])) for row in rows]
    assert logins, "seed_demo printed no logins"
    return logins


def toured_as(login: Login) -> str:
    """Each login is crawled once, under the last role it holds (in Role's order)."""
    return max(login.roles, key=lambda role: ROLE_ORDER.index(role) if role in ROLE_ORDER else -1)


def page_kind(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"/\d+(?=/)", "/<id>", parts.path) + ("?" + "&".join(keys) if keys else "")


def page_text(body: str) -> str:
    """The page's words, markup removed, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(TAG.sub(" ", body)).split())


def links(body: str, base: str) -> Iterable[str]:
    for href in HREF.findall(body):
        url = urljoin(base, html.unescape(href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


class NameFinder:
    """Finds any of many names (of two to five words) in a text in one pass over its words."""

    def __init__(self, names: Iterable[str]):
        self.names = {" ".join(name.split()) for name in names if len(name.split()) >= 2}
        self.lengths = sorted({len(name.split()) for name in self.names})

    def found_in(self, text: str) -> set[str]:
        words = text.split()
        hits = set()
        for size in self.lengths:
            for i in range(len(words) - size + 1):
                candidate = " ".join(words[i : i + size])
                if candidate in self.names:
                    hits.add(candidate)
        return hits


def pupil_names(pupils: Iterable[Pupil]) -> set[str]:
    names = set()
    for pupil in pupils:
        for first, last in (
            (pupil.legal_first_name, pupil.legal_last_name),
            (pupil.first_name, pupil.last_name),
        ):
            names |= {f"{first} {last}", f"{last}, {first}"}
    return names


@dataclass
class Person:
    """A demo login as the database has it: where they work, and what they must not see."""

    user: User
    login: Login
    trust_ids: set[int]
    school_ids: set[int]  # schools they hold a role in, trust-wide roles included
    trust_wide: bool
    failures: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, login: Login) -> Person:
        user = User.objects.get(email=login.email)
        memberships = list(Membership.objects.filter(user=user))
        trust_ids = {m.trust_id for m in memberships}
        wide = {m.trust_id for m in memberships if m.school_id is None}
        school_ids = {m.school_id for m in memberships if m.school_id is not None}
        school_ids |= set(School.objects.filter(trust_id__in=wide).values_list("pk", flat=True))
        return cls(user, login, trust_ids, school_ids, trust_wide=bool(wide))

    @property
    def single_school(self) -> bool:
        return not self.trust_wide and len(self.school_ids) == 1

    @property
    def is_governor(self) -> bool:
        return set(self.login.roles) == {Role.GOVERNOR.value}

    def fail(self, message: str) -> None:
        self.failures.append(f"{self.login.email} ({', '.join(self.login.roles)}): {message}")


def foreign_names(person: Person) -> list[str]:
    """Names of the trusts the person has no part in, and of their schools."""
    own = [t.name for t in Trust.objects.filter(pk__in=person.trust_ids)]
    own += [s.name for s in School.objects.filter(trust_id__in=person.trust_ids)]
    foreign = [t.name for t in Trust.objects.exclude(pk__in=person.trust_ids)]
    foreign += [s.name for s in School.objects.exclude(trust_id__in=person.trust_ids)]
    # A foreign name inside one of the person's own names ("Oak" in "Oakfield") proves nothing.
    return [name for name in foreign if not any(name in mine for mine in own)]


def crawl(person: Person, client: Client) -> int:
    """Breadth first from home over same-site links, GET only; returns the pages fetched."""
    foreign = foreign_names(person)
    pupils = staff = None
    if person.is_governor:
        pupils = NameFinder(
            pupil_names(
                Pupil.objects.filter(enrolments__school_id__in=person.school_ids).distinct()
            )
        )
        colleagues = User.objects.filter(memberships__trust_id__in=person.trust_ids).distinct()
        staff = NameFinder(u.full_name for u in colleagues if u.full_name != person.user.full_name)
    queue: deque[str] = deque(["/"])
    seen = {"/"}
    kinds: Counter[str] = Counter()
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        fetched += 1
        status = response.status_code
        if status >= 500:
            person.fail(f"GET {url} answered {status}")
            continue
        found: list[str] = []
        if status in (301, 302, 303, 307, 308):
            found = list(links(f'href="{response["Location"]}"', url))
        elif status == 200 and "html" in response.get("Content-Type", ""):
            body = response.content.decode(errors="replace")
            text = page_text(body)
            match = PUPIL_PAGE.match(urlsplit(url).path)
            if match and person.single_school and int(match.group(1)) not in person.school_ids:
                person.fail(f"opened {url}, a pupil page of another school")
            for name in foreign:
                if name in text:
                    person.fail(f"{url} names {name!r}, of another trust")
            if pupils is not None and staff is not None:
                for name in sorted(pupils.found_in(text)):
                    person.fail(f"{url} shows the pupil name {name!r} to a governor")
                for name in sorted(staff.found_in(text)):
                    person.fail(f"{url} shows the staff name {name!r} to a governor")
            found = list(links(body, url))
        for link in found:
            kind = page_kind(link)
            if link not in seen and kinds[kind] < MAX_PER_KIND:
                seen.add(link)
                kinds[kind] += 1
                queue.append(link)
    return fetched


def try_other_schools(person: Person, client: Client) -> None:
    """Type the addresses of other schools' pupils, by their school's id and by one's own:
    404 every time, except that a role that sees no pupils at all in its own school gets the
    same 403 there whatever the pupil (so the answer still says nothing about the pupil)."""
    (own,) = person.school_ids
    own_denied = {client.get(f"/schools/{own}/pupils/").status_code} - {200}
    for school in School.objects.exclude(pk=own):
        others = list(
            Pupil.objects.filter(enrolments__school=school)
            .exclude(enrolments__school_id=own)
            .distinct()
            .order_by("pk")[:3]
        )
        urls = [f"/schools/{school.pk}/", f"/schools/{school.pk}/pupils/"]
        urls += [f"/schools/{school.pk}/pupils/{pupil.pk}/" for pupil in others]
        for url in urls:
            status = client.get(url).status_code
            if status != 404:
                person.fail(f"GET {url} (another school's) answered {status}, not 404")
        for pupil in others:
            url = f"/schools/{own}/pupils/{pupil.pk}/"
            status = client.get(url).status_code
            if status != 404 and status not in own_denied:
                person.fail(f"GET {url} (a pupil of {school.name}) answered {status}, not 404")


def test_demo_has_a_login_for_every_role(demo_logins: list[Login]) -> None:
    held = {role for login in demo_logins for role in login.roles}
    assert held >= set(ROLE_ORDER), f"no demo login for {sorted(set(ROLE_ORDER) - held)}"


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_crawl_finds_no_server_error_and_no_leak(role: str, demo_logins: list[Login]) -> None:
    mine = [login for login in demo_logins if toured_as(login) == role]
    failures: list[str] = []
    for login in mine:
        person = Person.load(login)
        client = Client()
        client.force_login(person.user)
        fetched = crawl(person, client)
        if fetched < 2:
            person.fail(f"the crawl reached only {fetched} page(s)")
        if person.single_school:
            try_other_schools(person, client)
        failures += person.failures
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures[:200])
