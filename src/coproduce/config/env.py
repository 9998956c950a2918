"""Typed readers for settings that come from the environment.

Every reader fails at start with a message naming the variable and what it expected, so a typo in a
deployment never turns into a traceback at the first request. `NAME_FILE` is read for secrets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# psycopg's own default: a statement is prepared on its connection the fifth time it runs there.
PREPARE_THRESHOLD = 5


def env_str(name: str, default: str | None = None) -> str | None:
    """A string from `NAME`, or from the file named by `NAME_FILE` (for secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE={path!r} cannot be read: {exc.strerror}"
            ) from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value: use 1 or 0, true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url: str | None, data_dir: Path) -> dict[str, Any]:
    """Django's DATABASES['default'] from DATABASE_URL; SQLite under the data dir when unset."""
    if not url:
        return sqlite_config(data_dir / "coproduce.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if not path or path == "/":
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no SQLite file.")
        return sqlite_config(Path(path))
    if parsed.scheme in {"postgres", "postgresql"}:
        if not parsed.path.strip("/"):
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no database.")
        import dj_database_url

        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be read: {exc}") from None
        config.setdefault("OPTIONS", {})
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # Parameters bound by the server, and a statement a connection has run five times
            # kept prepared: PostgreSQL then skips parsing and, once its generic plan costs no
            # more than the plans made for the values, planning. The app's reads are the same
            # few texts on every request, and planning them was most of the database's CPU on
            # the list pages, home and a profile (docs/DESIGN.md, issue 17 round 22). Reads
            # planned with settings of their own get plans made afresh (`core.planner`).
            # DATABASE_PREPARED_STATEMENTS=0 restores Django's default: parameters rendered
            # into the text by psycopg, nothing prepared.
            config["OPTIONS"].setdefault("server_side_binding", True)
            config["OPTIONS"].setdefault("prepare_threshold", PREPARE_THRESHOLD)
        # A DBConfig is a TypedDict: the same dict, typed key by key.
        return cast(dict[str, Any], config)
    raise ImproperlyConfigured(
        f"DATABASE_URL={url!r} is not supported: use postgres://user:password@host:port/name "
        "or sqlite:///path/to/file.sqlite3."
    )


def sqlite_config(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # A worker keeps its connection from one request to the next, as on PostgreSQL: opening
        # one ran the five PRAGMAs below and started with an empty page cache on every request,
        # about 2 ms of a signed-in /healthz's 3.7 ms of server CPU (docs/DESIGN.md, issue 17).
        "CONN_MAX_AGE": 60,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing
            # half way with "database is locked" when one upgrades a read to a write.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA cache_size=-32000;"
            ),
        },
        "TEST": {"NAME": None},
    }


def email_config(url: str | None, debug: bool) -> dict[str, object]:
    """Email settings from EMAIL_URL: smtp://, smtp+tls://, smtp+ssl://, console://, file:///dir,
    memory://, dummy://. Without it: the console in development, and the console in production
    too (with a warning in `coproduce serve`), never a silent drop."""
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "dummy":
        return {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    if scheme == "file":
        if not parsed.path:
            raise ImproperlyConfigured(f"EMAIL_URL={url!r} names no folder for the emails.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if scheme in {"smtp", "smtp+tls", "smtp+ssl"}:
        if not parsed.hostname:
            raise ImproperlyConfigured(f"EMAIL_URL={url!r} names no mail server.")
        try:
            port = parsed.port or (
                465 if scheme == "smtp+ssl" else 587 if scheme == "smtp+tls" else 25
            )
        except ValueError:
            raise ImproperlyConfigured(
                f"EMAIL_URL={url!r} has a port that is not a number."
            ) from None
        timeout = parse_qs(parsed.query).get("timeout", ["10"])[0]
        if not timeout.isdigit():
            raise ImproperlyConfigured(f"EMAIL_URL={url!r} has a timeout that is not a number.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtp+ssl",
            "EMAIL_TIMEOUT": int(timeout),
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL={url!r} is not supported: use smtp://user:password@host:port, smtp+tls://…, "
        "smtp+ssl://…, console://, file:///folder or dummy://."
    )
