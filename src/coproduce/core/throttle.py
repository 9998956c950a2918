"""Limits on how often something may be tried: signing in with a wrong password (per username,
so nobody can guess a member's password, and per address) and applying to join (per address, so
a script cannot bury the coordinator in applications).

Attempts are rows in the database (`core.Attempt`), so every worker process sees the same
counts. A username or address is kept only as a keyed hash (HMAC with the secret key).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
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


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, or None when it cannot be told apart from others.

    With COPRODUCE_PROXY_HOPS=N (N reverse proxies in front, each appending to
    X-Forwarded-For), it is the N-th entry from the right of that header; a client cannot forge
    it, since the proxies append what they saw. With no proxy configured, it is the
    connection's address, except a loopback one: behind an unconfigured local proxy every
    request would share it, and one person's mistakes would pause everyone. Per-address limits
    are then not applied (per-username ones still are)."""
    hops = settings.PROXY_HOPS
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        return forwarded[-hops] if len(forwarded) >= hops else None
    address = str(request.META.get("REMOTE_ADDR") or "")
    try:
        if not address or ipaddress.ip_address(address).is_loopback:
            return None
    except ValueError:
        return None
    return address


def _key(limit: Limit, identifier: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{limit.scope}:{identifier}".encode(), hashlib.sha256
    )
    return digest.hexdigest()


def throttle_refuses(limit: Limit, identifier: str | None, *, now: datetime | None = None) -> bool:
    """True when `identifier` has used up its attempts within the limit's window (never for an
    unknown one)."""
    if identifier is None:
        return False
    now = now or timezone.now()
    recent = Attempt.objects.filter(
        scope=limit.scope, key=_key(limit, identifier), at__gt=now - limit.window
    )
    return recent.count() >= limit.attempts


def throttle_record(limit: Limit, identifier: str | None, *, now: datetime | None = None) -> None:
    """Count one attempt, and forget this identifier's attempts older than a day."""
    if identifier is None:
        return
    now = now or timezone.now()
    key = _key(limit, identifier)
    Attempt.objects.filter(scope=limit.scope, key=key, at__lt=now - KEEP).delete()
    Attempt.objects.create(scope=limit.scope, key=key, at=now)


def throttle_forget(limit: Limit, identifier: str) -> None:
    """Clear an identifier's attempts (a successful sign-in clears its wrong passwords)."""
    Attempt.objects.filter(scope=limit.scope, key=_key(limit, identifier)).delete()
