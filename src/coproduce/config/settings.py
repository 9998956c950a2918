"""Coproduce's settings, read only from the environment (docs/DESIGN.md, "Contracts").

COPRODUCE_DATA_DIR   the SQLite database, the generated secret key and collected static (./var)
DATABASE_URL         postgres://user:pass@host:port/name or sqlite:///file (default: SQLite)
DATABASE_REPLICA_URL a PostgreSQL standby for reports and exports (optional)
DATABASE_REPLICA_MAX_LAG  seconds the standby may be behind before they read the primary (30)
DATABASE_PREPARED_STATEMENTS  1/0, default 1: PostgreSQL keeps repeated reads prepared
SECRET_KEY[_FILE]    generated once into the data dir when absent
COPRODUCE_DEBUG      1/0, default 0
ALLOWED_HOSTS        comma-separated, default 127.0.0.1,localhost
EMAIL_URL            smtp://…, console://, file:///dir, dummy:// (default console)
DEFAULT_FROM_EMAIL   the sender of notifications
COPRODUCE_SITE_URL   the address people reach the app at, for links in emails
COPRODUCE_PROXY_HOPS reverse proxies in front of the app that add X-Forwarded-For (default 0)
COPRODUCE_SECURE_COOKIES  1 when served over HTTPS: secure cookies, HTTPS redirect, HSTS
COPRODUCE_SSL_REDIRECT, COPRODUCE_HSTS_SECONDS, COPRODUCE_HSTS_INCLUDE_SUBDOMAINS,
COPRODUCE_HSTS_PRELOAD  fine-tune the last (docs/OPERATIONS.md, "HTTPS")
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from coproduce.config.env import (
    database_config,
    email_config,
    env_bool,
    env_int,
    env_list,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("COPRODUCE_DATA_DIR", "var") or "var").resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(
        f"COPRODUCE_DATA_DIR={str(DATA_DIR)!r} cannot be created: {exc.strerror}"
    ) from exc

DEBUG = env_bool("COPRODUCE_DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written once with owner-only permissions, so sessions survive a restart.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "coproduce.core",
    "coproduce.community",
    "coproduce.ledger",
    "coproduce.exchanges",
    "coproduce.partners",
    "coproduce.codesign",
    "coproduce.matching",
    "coproduce.insights",
    "coproduce.members",
    "coproduce.coordination",
    "coproduce.api",
    "coproduce.privacy",
    "coproduce.portability",
    "coproduce.administration",
    "coproduce.conversations",
    "coproduce.federation",
    "coproduce.creditcommons",
    "coproduce.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coproduce.web.middleware.CurrentTimeBankMiddleware",
    "coproduce.web.language.LanguageMiddleware",
    "coproduce.web.middleware.TimeBankTimeZoneMiddleware",
    "coproduce.web.errors.ApplicationErrorMiddleware",
    "coproduce.web.errors.NulRefusedMiddleware",
]

# --- Two-step sign-in (django-otp; docs/DESIGN.md "Two-step sign-in") -------------------------
# Kept in one block so it merges cleanly beside other changes to the lists above. OTPMiddleware
# must follow AuthenticationMiddleware; TwoFactorRequiredMiddleware reads the memberships that
# CurrentTimeBankMiddleware loads, so it follows that one.
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("coproduce.web.middleware.CurrentTimeBankMiddleware") + 1,
    "coproduce.web.two_factor_middleware.TwoFactorRequiredMiddleware",
)
OTP_TOTP_ISSUER = "Coproduce"  # the name an authenticator app shows beside the code
# --- end of two-step sign-in ------------------------------------------------------------------

ROOT_URLCONF = "coproduce.config.urls"
WSGI_APPLICATION = "coproduce.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "coproduce.web.context_processors.current_timebank",
            ],
            # After Django's own: `{% url %}` without arguments reversed once per process
            # (issue 17; the same syntax and output as Django's).
            "builtins": ["coproduce.core.templatetags.kept_urls"],
        },
    },
]

DATABASES = {"default": database_config(env_str("DATABASE_URL"), DATA_DIR)}

# --- A read replica and an unreachable database (docs/OPERATIONS.md, "A read replica") --------
# DATABASE_REPLICA_URL: a PostgreSQL streaming standby of DATABASE_URL. Reports, the funder's PDF
# and CSV and the exports read from it (`core.db_router.replica_reads`) while it answers and is at
# most DATABASE_REPLICA_MAX_LAG seconds behind; otherwise they read the primary, as does
# everything else. Without it there is no `replica` alias and everything uses the primary.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that stops answering makes a page fail in seconds, not minutes.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 10)
_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if _REPLICA_URL:
    DATABASES["replica"] = database_config(_REPLICA_URL, DATA_DIR)
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL={_REPLICA_URL!r} must be a postgres:// URL: a read replica is "
            "a PostgreSQL standby."
        )
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is set but DATABASE_URL is not PostgreSQL: a read replica "
            "needs a PostgreSQL primary."
        )
    # A dead replica is given up on quickly, and its reads go to the primary.
    DATABASES["replica"]["OPTIONS"].setdefault("connect_timeout", 2)
    # Tests never create a database on the replica: it mirrors the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 30, minimum=0)
DATABASE_ROUTERS = ["coproduce.core.db_router.ReplicaRouter"]
# A database that cannot be reached, or is full, is a 503 page that says so (web/unavailable.py;
# handler500 in config/urls.py covers errors raised before a view runs).
MIDDLEWARE.append("coproduce.web.unavailable.DatabaseUnavailableMiddleware")
# --- end of the read replica -------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "community.Person"
# The signed-in person read by SQL kept once per process (community.authentication); Django's
# backend second, so the sessions that name it stay signed in.
AUTHENTICATION_BACKENDS = [
    "coproduce.community.authentication.PersonBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Django's database sessions, read without building a queryset each request (issue 17).
SESSION_ENGINE = "coproduce.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("COPRODUCE_SECURE_COOKIES", False)
# How many reverse proxies (nginx, Caddy) stand in front of the app, each appending the address
# it saw to X-Forwarded-For: the client's address is that many entries from the right. 0 (the
# default) trusts no header and uses the connection's own address (`core.throttle`).
PROXY_HOPS = env_int("COPRODUCE_PROXY_HOPS", 0, minimum=0)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- HTTPS and Content-Security-Policy (docs/OPERATIONS.md, "HTTPS"; SECURITY.md) ---
# COPRODUCE_SECURE_COOKIES=1 says "people reach this site over HTTPS": cookies go only over
# HTTPS, plain HTTP is redirected, and browsers are told (HSTS) never to try plain HTTP again.
SECURE_SSL_REDIRECT = env_bool("COPRODUCE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
# A monitor on the same machine asks /healthz over plain HTTP; a redirect would hide the answer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int(
    "COPRODUCE_HSTS_SECONDS", 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("COPRODUCE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("COPRODUCE_HSTS_PRELOAD", False)
# Behind a reverse proxy (COPRODUCE_PROXY_HOPS >= 1) the proxy ends TLS and says so in
# X-Forwarded-Proto, which it must set itself (nginx: `proxy_set_header X-Forwarded-Proto
# $scheme;`, Caddy does by default). Without a proxy the header is the client's and is ignored.
if PROXY_HOPS > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# `check --deploy` asks for HSTS on every subdomain and for the browsers' preload list. Both bind
# the operator's whole domain (a council's or a charity's), beyond this app, for months: the
# operator decides with the two variables above, and while they are off the check is silenced.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
# Only the app's own files run or style a page: no inline script, no on*= attribute, no inline
# style (templates are checked by tests/web/test_content_security_policy.py). data: images are
# Pico's icons (checkbox ticks, select arrows), which its CSS draws as inline SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# --- end of HTTPS and Content-Security-Policy ---

LANGUAGE_CODE = "en-gb"
# Each language's name is written in that language (a Welsh speaker looks for "Cymraeg" whatever
# the page's language). A language is listed once its catalogue is complete:
# src/coproduce/locale/<code>/LC_MESSAGES/django.po, checked by tests/i18n.
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Cymraeg"),
    ("es", "Español"),
    ("ca", "Català"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("COPRODUCE_TIME_ZONE", "Europe/London") or "Europe/London"
USE_I18N = True
USE_TZ = True

# Each web process keeps a small memory cache: only what may be a few minutes old and is checked
# again on use (the home page's ranked "requests you could help with", matching.for_you). Nothing
# that must be shared between processes or survive a restart lives here.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},  # under MEDIA_ROOT
    "staticfiles": {
        "BACKEND": env_str(
            "COPRODUCE_STATIC_STORAGE",
            "coproduce.core.static_files.KeptStaticFilesStorage",
        )
    },
}

# Files people upload (a time bank's logo), through Django's default storage. Served by the app
# only while debugging; in production the web server serves /media/ (docs/OPERATIONS.md).
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

EMAIL_URL = env_str("EMAIL_URL")
globals().update(email_config(EMAIL_URL, DEBUG))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Coproduce <noreply@localhost>")
# The address people reach the app at, for the links in emails.
SITE_URL = (env_str("COPRODUCE_SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"COPRODUCE_SITE_URL={SITE_URL!r} must start with http:// or https://"
    )

# How many people `coproduce serve` builds into the demo community the first time.
DEMO_MEMBERS = env_int("COPRODUCE_DEMO_MEMBERS", 150, minimum=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
