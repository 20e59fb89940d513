"""A real Grove server in a subprocess, seeded with the demo trust, and a headless Chromium.

The browser tests talk HTTP to that server: they never use the ORM or pytest-django's test
database. The server gets its own database, a SQLite file in a temporary directory, or a fresh
database on the same PostgreSQL server when DATABASE_URL names one, so CI covers both. Session
fixtures are per pytest-xdist worker: each worker that runs a browser test starts its own server
(migrating and seeding take a few seconds), so the browser tests spread over the workers.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.support import DemoLogin, PageProblems

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CHROMIUM_MISSING = (
    "Chromium not found: install Debian's chromium (`apt-get install chromium`) or set "
    "GROVE_CHROMIUM to its path"
)
POSTGRES_SCHEMES = ("postgres", "postgresql")
COMMAND_TIMEOUT = 300  # seconds for migrate or seed_demo
START_TIMEOUT = 60  # seconds for the server to answer


def find_chromium() -> str:
    """Chromium's path; the browser tests fail, never skip, when there is none."""
    configured = os.environ.get("GROVE_CHROMIUM")
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        pytest.fail(
            f"{CHROMIUM_MISSING} (GROVE_CHROMIUM={configured} is not an executable)", pytrace=False
        )
    for candidate in (
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    where = " (CI=true: the CI image must provide it)" if os.environ.get("CI") == "true" else ""
    pytest.fail(CHROMIUM_MISSING + where, pytrace=False)


@dataclass(frozen=True)
class GroveServer:
    url: str
    logins: list[DemoLogin]
    log: Path

    def report(self, failures: list[str], lines: int = 80) -> str:
        """The failures, one a line; with the end of the server's log if it answered 5xx."""
        text = f"{len(failures)} problem(s):\n" + "\n".join(failures)
        if any("HTTP 5" in failure for failure in failures):
            tail = self.log.read_text(errors="replace").splitlines()[-lines:]
            text += "\n\nThe end of the server's log:\n" + "\n".join(tail)
        return text


@contextmanager
def server_database(tmp: Path) -> Iterator[str]:
    """A DATABASE_URL for the server: a fresh PostgreSQL database if that is what the suite
    runs on (dropped afterwards), else a SQLite file in tmp."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        yield f"sqlite:///{tmp / 'browser.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    base = parts.path.lstrip("/") or "postgres"
    name = f"{base}_browser_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def server_environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        GROVE_ENV="development",
        DJANGO_SETTINGS_MODULE="grove.settings",
        PYTHONUNBUFFERED="1",
    )
    # Grove's own checks decide debug and hosts from GROVE_ENV; a setting left in the
    # developer's shell must not change what the tests see.
    for name in ("GROVE_DEBUG", "GROVE_ALLOWED_HOSTS"):
        env.pop(name, None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command; fail the session with its output if it fails."""
    try:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"manage.py {' '.join(args)} took over {COMMAND_TIMEOUT}s: {error}")
    if done.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def read_logins(output: str) -> list[DemoLogin]:
    # The JSON is the command's output; tolerate a line of chatter before it.
    start = min((i for i in (output.find("["), output.find("{")) if i >= 0), default=0)
    rows = json.loads(output[start:])
    if isinstance(rows, dict):
        rows = rows.get("logins", [])
    logins = [DemoLogin.from_json(row) for row in rows]
    assert logins, f"seed_demo --print-logins --json printed no logins:\n{output}"
    return logins


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Grove server exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the Grove server did not answer within {START_TIMEOUT}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def grove_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroveServer]:
    """Grove's development server on a free port, on a freshly migrated and seeded database."""
    tmp = tmp_path_factory.mktemp("grove-server")
    with server_database(tmp) as database_url:
        env = server_environment(database_url)
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        # Builds the demo, as plain `seed_demo` would, then prints its logins.
        logins = read_logins(manage(env, "seed_demo", "--print-logins", "--json"))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = tmp / "server.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_until_up(url, process, log)
                yield GroveServer(url=url, logins=logins, log=log)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and Django refuses ORM calls from a thread with a running loop. Closing it
# after each browser module leaves the worker fit for the database tests it runs next.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, grove_server: GroveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=grove_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(context: BrowserContext, problems: PageProblems) -> Page:
    page = context.new_page()
    problems.watch(page)
    return page
