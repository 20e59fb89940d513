"""Django settings for Grove, read from the GROVE_* environment variables in grove.environment."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

from grove.environment import ConfigurationError, read_all

# Lets admin and queryset classes take type parameters at run time, as the stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

try:
    ENV = read_all()
except ConfigurationError as error:
    sys.stderr.write(f"Grove cannot start: {error}\n")
    raise SystemExit(2) from error

GROVE_ENV: str = ENV["GROVE_ENV"]
PRODUCTION = GROVE_ENV == "production"
TESTING = GROVE_ENV == "test" or "pytest" in sys.modules


def _refuse(message: str) -> None:
    sys.stderr.write(f"Grove cannot start: {message}\n")
    raise SystemExit(2)


DEBUG: bool = ENV["GROVE_DEBUG"] if ENV["GROVE_DEBUG"] is not None else GROVE_ENV == "development"
SECRET_KEY: str = ENV["GROVE_SECRET_KEY"] or ""
ALLOWED_HOSTS: list[str] = ENV["GROVE_ALLOWED_HOSTS"] or []

if PRODUCTION:
    if DEBUG:
        _refuse("GROVE_DEBUG is on, and production never shows debug pages")
    if not SECRET_KEY:
        _refuse("GROVE_SECRET_KEY is not set, and production needs a secret key")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        _refuse("GROVE_SECRET_KEY is too weak: use at least 50 random characters")
    if not ALLOWED_HOSTS:
        _refuse("GROVE_ALLOWED_HOSTS is not set, and production must name its hosts")
    if "*" in ALLOWED_HOSTS:
        _refuse("GROVE_ALLOWED_HOSTS may not be '*' in production")
else:
    # A public key for development and tests only; production refuses to start without its own.
    SECRET_KEY = SECRET_KEY or "grove-development-only-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS: list[str] = ENV["GROVE_CSRF_TRUSTED_ORIGINS"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "grove.core",
    "grove.pupils",
    "grove.tracking",
    "grove.interop",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "grove.core.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "grove.urls"
WSGI_APPLICATION = "grove.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "grove" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grove.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_database_url: str = ENV["DATABASE_URL"]
if _database_url.startswith("sqlite:///") and not _database_url.startswith("sqlite:////"):
    # A relative SQLite path is relative to the project, wherever the command is run from.
    _database_url = "sqlite:///" + str(BASE_DIR / _database_url.removeprefix("sqlite:///"))
_database: dict[str, Any] = dict(dj_database_url.parse(_database_url, conn_max_age=60))
if _database["ENGINE"] == "django.db.backends.sqlite3":
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        # WAL lets readers carry on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on the busy timeout instead of failing with "locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _database["TEST"] = {"NAME": None}
else:
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if TESTING
        # The database cache is shared by every server process, so login throttling holds.
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "grove_cache"}
    )
}

# --- Background tasks -----------------------------------------------------------------------
# Large imports run as django-tasks in the database queue, worked by `manage.py db_worker`;
# tests run every task at once, in the test's own process.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "grove.core.auth.GroveAccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{ENV['GROVE_LOGIN_ATTEMPTS']}/5m/key,30/5m/ip",
    "reset_password": "5/h/ip,3/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Grove"
# Accept the code from the 30 seconds either side, for phones whose clocks drift a little.
MFA_TOTP_TOLERANCE = 1
SESSION_COOKIE_AGE = ENV["GROVE_SESSION_HOURS"] * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = ENV["GROVE_FROM_EMAIL"]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if ENV["GROVE_EMAIL_HOST"]:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = ENV["GROVE_EMAIL_HOST"]
    EMAIL_PORT = ENV["GROVE_EMAIL_PORT"]
    EMAIL_HOST_USER = ENV["GROVE_EMAIL_USER"]
    EMAIL_HOST_PASSWORD = ENV["GROVE_EMAIL_PASSWORD"]
    EMAIL_USE_TLS = ENV["GROVE_EMAIL_USE_TLS"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = ENV["GROVE_TIME_ZONE"]
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
STATICFILES_DIRS = [BASE_DIR / "grove" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if ENV["GROVE_BEHIND_PROXY"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = ENV["GROVE_HSTS_SECONDS"]
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": ENV["GROVE_LOG_LEVEL"]},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

GROVE_PORT: int = ENV["GROVE_PORT"]
