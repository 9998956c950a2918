"""Limits on how often something may be tried: signing in with a wrong password (per username,
so nobody can guess a member's password, and per address) and applying to join (per address, so
a script cannot bury the coordinator in applications).

Attempts are rows in the database (`core.Attempt`), so every worker process sees the same
counts. A username or address is kept only as a keyed hash (HMAC with the secret key).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from coproduce.core.models import Attempt

KEEP = timedelta(days=1)  # attempts older than this are pruned


@dataclass(frozen=True)
class Limit:
    scope: str
    attempts: int  # allowed within the window; the next one is refused
    window: timedelta

    @property
    def minutes(self) -> int:
        return int(self.window.total_seconds() // 60)


# Ten wrong passwords for one username in 15 minutes: a person who mistypes is never stopped, a
# guesser gets 40 tries an hour. An address (which a whole office or a proxy may share) gets
# more room.
SIGN_IN_PER_USERNAME = Limit("sign-in-username", 10, timedelta(minutes=15))
SIGN_IN_PER_ADDRESS = Limit("sign-in-address", 50, timedelta(minutes=15))
# Applications to join from one address in an hour (a family applying together is fine).
JOIN_PER_ADDRESS = Limit("join-address", 10, timedelta(hours=1))


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as the web server saw it (REMOTE_ADDR). Behind a
    reverse proxy every request shares the proxy's address, so the per-address limits are set
    generously; docs/OPERATIONS.md says so."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(limit: Limit, identifier: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{limit.scope}:{identifier}".encode(), hashlib.sha256
    )
    return digest.hexdigest()


def throttle_refuses(limit: Limit, identifier: str, *, now: datetime | None = None) -> bool:
    """True when `identifier` has used up its attempts within the limit's window."""
    now = now or timezone.now()
    recent = Attempt.objects.filter(
        scope=limit.scope, key=_key(limit, identifier), at__gt=now - limit.window
    )
    return recent.count() >= limit.attempts


def throttle_record(limit: Limit, identifier: str, *, now: datetime | None = None) -> None:
    """Count one attempt, and forget this identifier's attempts older than a day."""
    now = now or timezone.now()
    key = _key(limit, identifier)
    Attempt.objects.filter(scope=limit.scope, key=key, at__lt=now - KEEP).delete()
    Attempt.objects.create(scope=limit.scope, key=key, at=now)


def throttle_forget(limit: Limit, identifier: str) -> None:
    """Clear an identifier's attempts (a successful sign-in clears its wrong passwords)."""
    Attempt.objects.filter(scope=limit.scope, key=_key(limit, identifier)).delete()
