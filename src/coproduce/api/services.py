"""Making and revoking personal access tokens.

A token is `cpt_` and 43 random URL-safe characters. It is returned once by `token_create`; only
its SHA-256 is kept, so a lost token cannot be shown again, only revoked and replaced.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.api.models import PersonalAccessToken, Scope
from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
from coproduce.community.permissions import is_coordinator
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, PermissionDenied

TOKEN_PREFIX = "cpt_"  # noqa: S105 - marks a Coproduce token, not a secret
PREFIX_SHOWN = 12
MAX_NAME = 100


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _clean_scopes(scopes: Iterable[str]) -> str:
    chosen = set(scopes or ())
    unknown = chosen - set(Scope.values)
    if unknown:
        raise ApplicationError(
            _("“%(scope)s” is not a token scope; use read or write.")
            % {"scope": sorted(unknown)[0]},
            "bad_scope",
        )
    # Writing implies reading: a token that may change things may also look at them.
    return " ".join(s for s in Scope.values if s in chosen or s == Scope.READ)


@transaction.atomic
def token_create(
    *,
    person: Person,
    timebank: TimeBank,
    name: str,
    scopes: Iterable[str] = (Scope.READ,),
    expires_at: datetime | None = None,
) -> tuple[PersonalAccessToken, str]:
    """A new token for the person in that time bank: the row, and the token to show once."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            _("Give the token a name, such as the app that will use it."), "name_required"
        )
    if len(name) > MAX_NAME:
        raise ApplicationError(
            _("Please keep the name to %(n)d characters.") % {"n": MAX_NAME}, "name_too_long"
        )
    scope_text = _clean_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_("The expiry date must be in the future."), "expiry_in_past")
    active = Membership.objects.filter(
        person=person, timebank=timebank, status=MembershipStatus.ACTIVE
    ).exists()
    if not active or not person.is_active:
        raise PermissionDenied(
            _("%(name)s is not an active member of %(timebank)s, so cannot have an API token.")
            % {"name": person.display_name, "timebank": timebank.name},
            "not_active",
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        person=person,
        timebank=timebank,
        name=name,
        token_hash=token_hash(plaintext),
        prefix=plaintext[:PREFIX_SHOWN],
        scopes=scope_text,
        expires_at=expires_at,
    )
    audit_record(
        action="api.token_created",
        actor=person,
        timebank_id=timebank.pk,
        target=f"api_token:{token.public_id}",
        data={"name": name, "scopes": scope_text, "prefix": token.prefix},
    )
    return token, plaintext


@transaction.atomic
def token_revoke(*, token: PersonalAccessToken, acting: Person) -> PersonalAccessToken:
    """Stop a token working, at once. Its owner or a coordinator of its time bank may do it;
    revoking twice changes nothing."""
    # Locked so two revocations at once record one time and one audit row.
    token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
    if token.person_id != acting.pk and not is_coordinator(
        person=acting, timebank=token.timebank_id
    ):
        raise PermissionDenied(
            _("Only its owner or a coordinator can revoke a token."), "not_owner"
        )
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action="api.token_revoked",
        actor=acting,
        on_behalf_of=token.person if token.person_id != acting.pk else None,
        timebank_id=token.timebank_id,
        target=f"api_token:{token.public_id}",
        data={"name": token.name, "prefix": token.prefix},
    )
    return token
