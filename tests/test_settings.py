"""Settings come from GROVE_* variables; a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grove.environment import ConfigurationError, read_all

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GROVE_")}
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GROVE_DEBUG", "maybe"),
        ("GROVE_PORT", "99999"),
        ("GROVE_ENV", "staging"),
        ("DATABASE_URL", "mysql://nobody@localhost/grove"),
        ("GROVE_LOG_LEVEL", "LOUD"),
        ("GROVE_LOGIN_ATTEMPTS", "-1"),
    ],
)
def test_a_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        read_all({name: value})


def test_defaults_need_no_environment() -> None:
    values = read_all({})
    assert values["GROVE_ENV"] == "development"
    assert values["DATABASE_URL"].startswith("sqlite:///")
    assert values["GROVE_PORT"] == 8000


def test_grove_refuses_to_start_with_a_bad_variable() -> None:
    result = run_manage("check", GROVE_PORT="eighty")
    assert result.returncode != 0
    assert "GROVE_PORT" in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GROVE_ALLOWED_HOSTS": "grove.example.org"}, "GROVE_SECRET_KEY"),
        ({"GROVE_SECRET_KEY": STRONG_KEY}, "GROVE_ALLOWED_HOSTS"),
        ({"GROVE_SECRET_KEY": "short", "GROVE_ALLOWED_HOSTS": "a.example"}, "GROVE_SECRET_KEY"),
        (
            {
                "GROVE_SECRET_KEY": STRONG_KEY,
                "GROVE_ALLOWED_HOSTS": "a.example",
                "GROVE_DEBUG": "1",
            },
            "GROVE_DEBUG",
        ),
    ],
)
def test_production_refuses_to_start_unsafely(env: dict[str, str], named: str) -> None:
    result = run_manage("check", GROVE_ENV="production", **env)
    assert result.returncode != 0
    assert named in result.stderr


def test_production_passes_the_deploy_check_without_warnings(tmp_path: Path) -> None:
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        GROVE_ENV="production", GROVE_SECRET_KEY=STRONG_KEY,
        GROVE_ALLOWED_HOSTS="grove.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/grove.sqlite3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
