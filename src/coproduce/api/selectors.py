"""Reads of API tokens, scoped to the person asking and their time bank."""

from __future__ import annotations

import uuid

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from coproduce.api.models import PersonalAccessToken
from coproduce.community.models import Membership, Person, TimeBank
from coproduce.community.permissions import member_get_by_reference
from coproduce.core.errors import ApplicationError, NotFound


def tokens_for(*, person: Person, timebank: TimeBank) -> QuerySet[PersonalAccessToken]:
    """A person's tokens for one time bank, newest first."""
    return PersonalAccessToken.objects.filter(person=person, timebank=timebank).order_by(
        "-created_at", "-id"
    )


def token_get_for(
    person: Person, timebank: TimeBank, public_id: uuid.UUID | str
) -> PersonalAccessToken:
    """One of the person's own tokens in this time bank; anyone else's does not exist."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound("No such token.") from None
    token = tokens_for(person=person, timebank=timebank).filter(public_id=public_id).first()
    if token is None:
        raise NotFound("No such token.")
    return token


def token_by_hash(digest: str) -> PersonalAccessToken | None:
    """The token with this hash, its person and time bank, and the person's membership status
    and role there, in one query (it runs on every API request)."""
    membership = Membership.objects.filter(
        person=OuterRef("person_id"), timebank=OuterRef("timebank_id")
    )
    return (
        PersonalAccessToken.objects.filter(token_hash=digest)
        .select_related("person", "timebank")
        .annotate(
            membership_status=Subquery(membership.values("status")[:1]),
            membership_role=Subquery(membership.values("role")[:1]),
            membership_area=Subquery(membership.values("area")[:1]),
        )
        .first()
    )


def member_by_reference(*, timebank: TimeBank, reference: str) -> Person:
    """A member of the time bank (any status but left) named by username or public id, as an
    API client names the people it arranges an exchange or gives hours with; refused with a
    400 naming the reference when there is none (community.permissions finds them)."""
    person = member_get_by_reference(timebank=timebank, reference=reference)
    if person is None:
        raise ApplicationError(
            _("There is no member “%(name)s” in this time bank.")
            % {"name": (reference or "").strip()[:100]},
            "unknown_member",
        )
    return person
