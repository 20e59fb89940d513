r"""The docs are tested: every setting, management command and option, role, page and audit
action is documented, the README's demo logins are real, and every relative link in README.md
and docs/ leads to a file that exists.

Two tables are generated, so they cannot drift: the configuration table in README.md and
docs/configuration.md (from grove.environment.VARIABLES) and the capability table in
docs/access.md (from ROLE_CAPABILITIES in grove.core.access). After changing either, print the
new table and paste it over the old one:

    .venv/bin/python manage.py shell -v 0 \
        -c "import tests.test_docs as t; print(t.configuration_table())"
    .venv/bin/python manage.py shell -v 0 \
        -c "import tests.test_docs as t; print(t.capability_table())"

A failing test prints the table it expected, too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import BaseCommand, load_command_class
from django.urls import URLPattern, URLResolver, get_resolver

from grove.core.access import ROLE_CAPABILITIES, Can
from grove.core.models import Role
from grove.environment import VARIABLES, Variable
from grove.pupils import demo

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

# URL namespaces owned by libraries (allauth) or closed to all but administrators (the admin);
# the same prefixes tests/test_permission_matrix.py skips.
EXTERNAL_PREFIXES = ("accounts/", "admin/")

# [text](target) and ![alt](target), with an optional "title" after the target.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def doc_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


# --- configuration ------------------------------------------------------------------------------
def _default(variable: Variable) -> str:
    if variable.default is None:
        return "*not set*"
    if variable.default == "":
        return "*empty*"
    return f"`{variable.default}`"


def configuration_table() -> str:
    """The Markdown table of every variable, exactly as README.md and configuration.md hold it."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for variable in VARIABLES:
        meaning = variable.help.replace("|", "\\|")
        lines.append(f"| `{variable.name}` | {_default(variable)} | {meaning} |")
    return "\n".join(lines)


@pytest.mark.parametrize("path", [README, DOCS / "configuration.md"], ids=lambda p: p.name)
def test_configuration_table_matches_the_variables(path: Path) -> None:
    table = configuration_table()
    assert table in read(path), (
        f"{path.relative_to(ROOT)} does not hold the current configuration table; "
        f"paste this over it:\n\n{table}\n"
    )


@pytest.mark.parametrize("name", [variable.name for variable in VARIABLES])
def test_every_variable_is_explained_in_the_configuration_guide(name: str) -> None:
    # Beyond the table: a section of its own, or a mention in the prose around it.
    text = read(DOCS / "configuration.md")
    assert text.count(f"`{name}`") >= 2, f"docs/configuration.md says nothing about {name}"


# --- management commands ------------------------------------------------------------------------
def grove_commands() -> list[tuple[str, str]]:
    """(app module, command name) for every management command Grove defines."""
    found = []
    for path in sorted(ROOT.glob("grove/*/management/commands/*.py")):
        if path.stem.startswith("_"):
            continue
        app = ".".join(path.relative_to(ROOT).parts[:2])
        found.append((app, path.stem))
    return found


def _own_options(app: str, name: str) -> list[str]:
    """The long options a command adds to those every Django command has."""
    common = {
        option
        for action in BaseCommand().create_parser("manage.py", "base")._actions
        for option in action.option_strings
    }
    command = load_command_class(app, name)
    parser = command.create_parser("manage.py", name)
    return sorted(
        option
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option not in common
    )


def test_every_management_command_is_documented() -> None:
    text = read(DOCS / "commands.md")
    missing = [name for _, name in grove_commands() if f"`{name}`" not in text]
    assert not missing, f"docs/commands.md does not describe: {missing}"


def test_every_management_command_option_is_documented() -> None:
    text = read(DOCS / "commands.md")
    missing = [
        f"{name} {option}"
        for app, name in grove_commands()
        for option in _own_options(app, name)
        if f"`{option}" not in text
    ]
    assert not missing, f"docs/commands.md does not describe these options: {missing}"


# --- roles and pages ----------------------------------------------------------------------------
# What each capability lets a person do, in the words docs/access.md uses.
CAPABILITY_MEANINGS: dict[Can, str] = {
    Can.VIEW_SCHOOL: "See the school overview: figures, not names",
    Can.VIEW_STAFF: "See the staff list: names, roles and email addresses",
    Can.VIEW_PUPILS: "See pupils' names, year groups and teaching groups",
    Can.VIEW_ALL_PUPIL_DETAIL: "See the characteristics of every pupil in the school",
    Can.VIEW_OWN_PUPIL_DETAIL: "See the characteristics of the pupils they teach",
    Can.MANAGE_PUPILS: "Add pupils to the roll",
    Can.MANAGE_CHARACTERISTICS: "Record changes to characteristics (SEN, FSM, EAL and the like)",
    Can.MANAGE_GROUPS: "Create teaching groups and move pupils in and out of them",
    Can.MANAGE_STAFF: "Add staff to the school and give or take away their roles there",
    Can.VIEW_AUDIT: "Read the school's audit log",
    Can.VIEW_TRUST: "See the trust overview and the trust's settings",
    Can.MANAGE_TRUST: (
        "Change the trust's settings, such as compulsory two-step sign-in; manage the trust's "
        "common scales and collection calendar"
    ),
    Can.VIEW_ATTAINMENT: "See attainment figures for the school: shares and spreads, not names",
    Can.VIEW_ALL_RESULTS: "See every pupil's judgements, targets and estimates in the school",
    Can.VIEW_OWN_RESULTS: "See the judgements, targets and estimates of the pupils they teach",
    Can.RECORD_OWN_RESULTS: "Record judgements and set targets for the groups they teach",
    Can.RECORD_ALL_RESULTS: "Record judgements and set targets for any group in the school",
    Can.MANAGE_TRACKING: "Define the school's own scales and collection points",
    Can.VIEW_WORKLOAD: "See completion and the measured time data entry takes, by teacher",
}


def capability_table() -> str:
    """The Markdown table of capabilities and the roles holding them, from ROLE_CAPABILITIES."""
    lines = ["| Capability | What it allows | Roles that hold it |", "|---|---|---|"]
    for capability in Can:
        roles = ", ".join(role.label for role in Role if capability in ROLE_CAPABILITIES[role])
        meaning = CAPABILITY_MEANINGS[capability]
        lines.append(f"| `{capability.value}` | {meaning} | {roles or '–'} |")
    return "\n".join(lines)


def test_capability_table_matches_the_access_policy() -> None:
    table = capability_table()
    assert table in read(DOCS / "access.md"), (
        f"docs/access.md does not hold the current capability table; paste this over it:\n\n"
        f"{table}\n"
    )


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_role_is_in_the_access_guide(role: Role) -> None:
    # A row of its own in the table of where each role is held.
    text = read(DOCS / "access.md")
    assert f"\n| {role.label} |" in text, f"docs/access.md has no row for {role.label}"


def grove_url_names() -> Iterator[str]:
    """The names of Grove's own URL patterns, as the permission matrix walks them."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(EXTERNAL_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif pattern.name:
                yield pattern.name

    yield from walk(get_resolver().url_patterns, "")


def test_every_page_is_in_the_access_guide() -> None:
    text = read(DOCS / "access.md")
    missing = sorted({name for name in grove_url_names() if f"`{name}`" not in text})
    assert not missing, f"add these URL names to the pages table in docs/access.md: {missing}"


def audit_actions() -> set[str]:
    """Every audit action Grove's code writes, as `audit_record(action="thing.verb", ...)`."""
    found = set()
    for path in ROOT.glob("grove/**/*.py"):
        found |= set(re.findall(r"\baction=\"([a-z_]+\.[a-z_]+)\"", read(path)))
    return found


def test_every_audit_action_is_in_the_access_guide() -> None:
    text = read(DOCS / "access.md")
    missing = sorted(action for action in audit_actions() if f"`{action}`" not in text)
    assert not missing, f"add these audit actions to docs/access.md: {missing}"


# --- the demo logins in README.md ---------------------------------------------------------------
# | Role | `email@domain` | School |
DEMO_ROW = re.compile(
    r"^\| (?P<roles>[^|]+?) \| `(?P<email>[\w.+-]+@[\w.-]+)` \| (?P<where>[^|]+?) \|$"
)


def test_readme_demo_logins_are_the_real_ones(db: None) -> None:
    demo.demo_seed()  # inside the test's transaction, so it is gone afterwards
    real = {}
    for login in demo.demo_logins():
        where = ", ".join(login.schools) or f"All schools of {login.trust}"
        real[login.email] = (", ".join(role.label for role in login.roles), where)
    text = read(README)
    rows = [match.groupdict() for match in map(DEMO_ROW.match, text.splitlines()) if match]
    assert rows, "README.md has no table of demo logins"
    for row in rows:
        assert row["email"] in real, f"README.md names a demo login that does not exist: {row}"
        assert (row["roles"], row["where"]) == real[row["email"]], f"README.md is wrong: {row}"
    assert f"`{demo.DEMO_PASSWORD}`" in text, "README.md does not give the demo password"


# --- links --------------------------------------------------------------------------------------
def relative_links(path: Path) -> Iterator[str]:
    text = read(path)
    # Links inside code blocks and inline code are examples, not links.
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # http:, https:, mailto: or an anchor on the same page
        yield target


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_to_files(path: Path) -> None:
    broken = [
        target
        for target in relative_links(path)
        if not (path.parent / target.split("#")[0]).resolve().exists()
    ]
    assert not broken, f"{path.relative_to(ROOT)} links to files that do not exist: {broken}"


def test_readme_points_to_the_docs() -> None:
    targets = set(relative_links(README))
    assert "docs/README.md" in targets
    assert "docs/images/shell.png" in targets


def test_the_docs_index_lists_every_page() -> None:
    index = DOCS / "README.md"
    linked = {(DOCS / target.split("#")[0]).resolve() for target in relative_links(index)}
    pages = {path.resolve() for path in DOCS.rglob("*.md") if path != index}
    missing = sorted(str(path.relative_to(DOCS)) for path in pages - linked)
    assert not missing, f"docs/README.md does not link to: {missing}"


def test_the_screenshot_is_small() -> None:
    shot = DOCS / "images" / "shell.png"
    assert shot.stat().st_size < 300_000, "keep docs/images/shell.png under 300 KB"
