"""Limits on how often something may be tried: signing in with a wrong password (per username
and address, per address, and per username everywhere, so nobody can guess a member's password
and no stranger can lock the owner out), a wrong second-step code, asking for an unlock link,
applying to join (per address, so a script cannot bury the coordinator in applications) and
opening links to choose a password that do not work (per address).

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


# Wrong passwords are counted three ways, each within 15 minutes:
# - per username *and* address: ten. A person who mistypes is never stopped, a guesser at one
#   address gets 40 tries an hour; and a stranger's guesses from their own address no longer
#   pause the real owner signing in from theirs (issue #10, case 6).
# - per address: fifty, whatever the usernames (an office or a proxy may share one), against one
#   address spraying many usernames.
# - per username across every address: a hundred. Only a guess spread over many addresses
#   reaches it (400 tries an hour at most, under 10,000 a day, against passwords that already
#   pass the common-password check); ten people sharing a username's mistakes never do. When it
#   trips it pauses everyone, so the owner gets an emailed unlock link (`web.sign_in_unlock`).
SIGN_IN_PER_PAIR = Limit("sign-in-pair", 10, timedelta(minutes=15))
SIGN_IN_PER_ADDRESS = Limit("sign-in-address", 50, timedelta(minutes=15))
SIGN_IN_PER_USERNAME = Limit("sign-in-username", 100, timedelta(minutes=15))
# With an unlock link's cookie the shared limits are lifted for its username, so the browser
# holding it gets its own small allowance instead (counted per link).
SIGN_IN_PER_UNLOCK = Limit("sign-in-unlock", 10, timedelta(minutes=15))
# Asking for unlock links: a few per username and per address an hour, so nobody can fill a
# member's inbox. Beyond them the form answers as usual and sends nothing.
UNLOCK_LINK_PER_USERNAME = Limit("unlock-link-username", 3, timedelta(hours=1))
UNLOCK_LINK_PER_ADDRESS = Limit("unlock-link-address", 10, timedelta(hours=1))
# Wrong second-step codes for one person (who already gave the right password): ten in 15
# minutes. Only someone who knows the password can use these up.
SECOND_STEP_PER_PERSON = Limit("second-step-person", 10, timedelta(minutes=15))
# Applications to join from one address in an hour (a family applying together is fine).
JOIN_PER_ADDRESS = Limit("join-address", 10, timedelta(hours=1))
# Links to choose a password that do not work, opened from one address in an hour. A token has
# about 139 bits, so this only keeps a script from hammering the page; a person who opens an old
# letter's link a few times is never stopped.
PASSWORD_LINK_PER_ADDRESS = Limit("password-link-address", 20, timedelta(hours=1))
# Asking for a password reset email: three an hour for one email address (so nobody can fill
# a member's inbox) and ten from one client address. Beyond them the page answers as usual and
# sends nothing, so it never tells whether an address is registered.
PASSWORD_RESET_PER_EMAIL = Limit("password-reset-email", 3, timedelta(hours=1))
PASSWORD_RESET_PER_ADDRESS = Limit("password-reset-address", 10, timedelta(hours=1))


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


def pair(username: str, address: str | None) -> str:
    """The identifier of one username tried from one address. Requests whose address cannot be
    told (see `client_address`) share one address, so their guesses are still limited."""
    return f"{username}\n{address or '-'}"


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
    """Clear an identifier's attempts (a successful sign-in clears its pair's wrong passwords)."""
    Attempt.objects.filter(scope=limit.scope, key=_key(limit, identifier)).delete()
