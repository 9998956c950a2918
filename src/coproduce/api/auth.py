"""`Authorization: Bearer <token>`: who is calling, in which time bank, with which scopes.

A token that is unknown, revoked, expired, or whose person is no longer an active member of its
time bank is refused with 401 and a detail saying which. The caller is kept in `request.auth`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from coproduce.api.models import PersonalAccessToken
from coproduce.api.selectors import token_by_hash
from coproduce.api.services import token_hash
from coproduce.community.models import MembershipStatus, Person, TimeBank
from coproduce.core.errors import ApplicationError, PermissionDenied
from coproduce.core.mail import mail_language

# Writing last_used_at on every request would turn every read into a write; a minute is precise
# enough to tell a person which tokens are still in use.
LAST_USED_PRECISION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


class TokenRefused(ApplicationError):
    """No usable token: answered with 401 and `WWW-Authenticate: Bearer`."""

    http_status = 401


@dataclass(frozen=True)
class Caller:
    token: PersonalAccessToken
    person: Person
    timebank: TimeBank
    role: str
    area: str

    def require_write(self) -> None:
        if not self.token.can_write:
            raise PermissionDenied(
                _("This token can only read. Create a token with write access to make changes."),
                "read_only_token",
            )


def caller(request: HttpRequest) -> Caller:
    """The authenticated caller of an API operation (set by `BearerToken`)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _when(moment) -> str:  # type: ignore[no-untyped-def]
    return date_format(timezone.localtime(moment), "j F Y")


def _asked_for(request: HttpRequest) -> bool:
    """Whether the request's Accept-Language names a language we have."""
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip()
        if code and code != "*":
            try:
                translation.get_supported_language_variant(code)
            except LookupError:
                continue
            return True
    return False


def _speak_to(request: HttpRequest, person: Person, timebank: TimeBank) -> None:
    """The API answers in the language the request asks for (Accept-Language, when it names
    one of ours); else in the token's person's (their own choice, else their time bank's)."""
    if not _asked_for(request):
        translation.activate(mail_language(person, timebank))
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise TokenRefused(_("This token is not recognised."), "bad_token")
        found = token_by_hash(token_hash(token))
        if found is None:
            raise TokenRefused(
                _("This token is not recognised. Check it was copied whole, or create a new one."),
                "bad_token",
            )
        now = timezone.now()
        if found.revoked_at is not None:
            raise TokenRefused(
                _("This token was revoked on %(day)s. Create a new one.")
                % {"day": _when(found.revoked_at)},
                "token_revoked",
            )
        if found.expires_at is not None and found.expires_at <= now:
            raise TokenRefused(
                _("This token expired on %(day)s. Create a new one.")
                % {"day": _when(found.expires_at)},
                "token_expired",
            )
        status = found.membership_status  # type: ignore[attr-defined]
        if status != MembershipStatus.ACTIVE or not found.person.is_active:
            raise TokenRefused(
                _(
                    "This token's owner is no longer an active member of %(timebank)s, so it "
                    "no longer works."
                )
                % {"timebank": found.timebank.name},
                "membership_inactive",
            )
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
            PersonalAccessToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
        _speak_to(request, found.person, found.timebank)
        return Caller(
            token=found,
            person=found.person,
            timebank=found.timebank,
            role=found.membership_role,  # type: ignore[attr-defined]
            area=found.membership_area or "",  # type: ignore[attr-defined]
        )
