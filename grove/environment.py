"""Every GROVE_* environment variable, declared once with its default, parser and help text."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class ConfigurationError(Exception):
    """A bad environment value: Grove refuses to start and names the variable."""


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected one of true/false, yes/no, on/off, 1/0")


def parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_port(raw: str) -> int:
    port = int(raw)
    if not 1 <= port <= 65535:
        raise ValueError("expected a port number from 1 to 65535")
    return port


def parse_positive_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected a whole number of 0 or more")
    return value


def parse_env_name(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"development", "production", "test"}:
        raise ValueError("expected development, production or test")
    return value


def parse_log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def parse_database_url(raw: str) -> str:
    if not raw.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ValueError("expected a sqlite:///path or postgres://user:pass@host/db URL")
    return raw


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None
    help: str
    parse: Callable[[str], Any] = str

    def read(self, environ: Mapping[str, str]) -> Any:
        raw = environ.get(self.name)
        if raw is None:
            if self.default is None:
                return None
            raw = self.default
        try:
            return self.parse(raw)
        except ValueError as error:
            raise ConfigurationError(f"{self.name}={raw!r} is not valid: {error}") from error


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "GROVE_ENV",
        "development",
        "development, production or test. Production turns on "
        "every security setting and refuses to start without a secret key and allowed hosts.",
        parse_env_name,
    ),
    Variable(
        "GROVE_SECRET_KEY",
        None,
        "Django's secret key. Required in production; development uses a fixed, public key.",
    ),
    Variable(
        "GROVE_DEBUG",
        None,
        "Show Django's debug pages. Defaults to on in development, off "
        "elsewhere; production refuses to start with it on.",
        parse_bool,
    ),
    Variable(
        "GROVE_ALLOWED_HOSTS",
        None,
        "Comma-separated host names Grove answers to. Required "
        "in production; development allows localhost and 127.0.0.1.",
        parse_list,
    ),
    Variable(
        "GROVE_CSRF_TRUSTED_ORIGINS",
        "",
        "Comma-separated origins (https://grove.example.org) "
        "trusted for form posts when Grove sits behind a proxy on another origin.",
        parse_list,
    ),
    Variable(
        "DATABASE_URL",
        "sqlite:///var/grove.sqlite3",
        "The database: sqlite:///path (relative "
        "to the project) or postgres://user:password@host:5432/name.",
        parse_database_url,
    ),
    Variable("GROVE_PORT", "8000", "The port `make run` serves on.", parse_port),
    Variable("GROVE_TIME_ZONE", "Europe/London", "Time zone used to show dates and times."),
    Variable(
        "GROVE_LOG_LEVEL",
        "INFO",
        "Logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
        parse_log_level,
    ),
    Variable(
        "GROVE_BEHIND_PROXY",
        "false",
        "Trust the proxy's X-Forwarded-Proto header to tell "
        "HTTPS requests (set when a TLS-terminating proxy sits in front of Grove).",
        parse_bool,
    ),
    Variable(
        "GROVE_HSTS_SECONDS",
        "31536000",
        "Strict-Transport-Security max-age in production.",
        parse_positive_int,
    ),
    Variable(
        "GROVE_EMAIL_HOST",
        "",
        "SMTP host for password-reset and notification emails. Empty: "
        "emails are printed to the console.",
    ),
    Variable("GROVE_EMAIL_PORT", "587", "SMTP port.", parse_port),
    Variable("GROVE_EMAIL_USER", "", "SMTP user name."),
    Variable("GROVE_EMAIL_PASSWORD", "", "SMTP password."),
    Variable("GROVE_EMAIL_USE_TLS", "true", "Use STARTTLS for SMTP.", parse_bool),
    Variable(
        "GROVE_FROM_EMAIL", "Grove <grove@localhost>", "The From address of emails Grove sends."
    ),
    Variable(
        "GROVE_LOGIN_ATTEMPTS",
        "5",
        "Failed logins allowed per account in the throttling "
        "window (5 minutes) before logins are refused.",
        parse_positive_int,
    ),
    Variable("GROVE_SESSION_HOURS", "10", "How long a login lasts, in hours.", parse_positive_int),
)


def read_all(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read and check every variable; the first bad one raises ConfigurationError."""
    source = os.environ if environ is None else environ
    return {variable.name: variable.read(source) for variable in VARIABLES}
