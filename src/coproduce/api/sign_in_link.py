"""A member's one-time sign-in link, as on /members/<id>/sign-in-link/: whether the coordinator
may make one for them (`community.selectors.password_handover_allowed`: only for a plain member
of this time bank alone who has never signed in) and whether an unused one is still working, and
making one (`community.services.password_link_create`, which stops any older link, records it
in the audit log and tells the member). The link is in the answer to the POST that made it,
once: it is never stored (only its hash is), never listed, and the POST takes no
`Idempotency-Key`, since replaying the answer would mean keeping the link. A repeated POST makes
a new link and the earlier one stops working.

For an active coordinator of the token's time bank (`member_get_for`): anyone else is told there
is no such member (404). A member the coordinator may not hand a link to is a 403 with the
reason, as on the page.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field as F
from ninja import Router, Schema, Status

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.schemas import PersonOut, person_out, responses
from coproduce.community import selectors as community
from coproduce.community.services import PASSWORD_LINK_LIFETIME, password_link_create
from coproduce.community.site_admins import password_link_url

router = Router(tags=["coordinators"])


class LiveLinkOut(Schema):
    created_at: datetime
    expires_at: datetime
    created_by: PersonOut | None = F(description="Null when made from the command line.")


class SignInLinkStateOut(Schema):
    person: PersonOut
    allowed: bool = F(description="Whether you may make them a link.")
    code: str = F(description="Why not, for a program (blank when allowed).")
    reason: str = F(description="Why not, for a person (blank when allowed).")
    live_link: LiveLinkOut | None = F(
        description="An unused link still working; making a new one stops it."
    )
    days_valid: int = F(description="How many days a new link works.")


class SignInLinkOut(Schema):
    person: PersonOut
    url: str = F(
        description="The link: shown this once, never stored. Whoever holds it can "
        "choose their password."
    )
    expires_at: datetime


@router.get(
    "/coordinator/members/{public_id}/sign-in-link",
    response=responses({200: SignInLinkStateOut}, 404, 422),
    summary="Whether you may make a member a one-time sign-in link, and any still working",
)
def sign_in_link_state(request: HttpRequest, public_id: UUID) -> SignInLinkStateOut:
    who = caller(request)
    person = community.member_get_for(who.person, who.timebank, public_id).person
    handover = community.password_handover_allowed(person=person, timebank=who.timebank)
    live = community.password_link_live_for(person)
    return SignInLinkStateOut(
        person=person_out(person),
        allowed=handover.allowed,
        code=handover.code,
        reason=str(handover.reason),
        live_link=(
            LiveLinkOut(
                created_at=live.created_at,
                expires_at=live.expires_at,
                created_by=person_out(live.created_by) if live.created_by is not None else None,
            )
            if live is not None
            else None
        ),
        days_valid=PASSWORD_LINK_LIFETIME.days,
    )


@write_operation(
    router,
    "/coordinator/members/{public_id}/sign-in-link",
    idempotent=False,
    response=responses({201: SignInLinkOut}, 404, 422),
    summary="Make a member a one-time link to choose their password (in this answer once; an "
    "older unused link stops working)",
)
def sign_in_link_create(
    request: HttpRequest, public_id: UUID, response: HttpResponse
) -> Status[SignInLinkOut]:
    who = caller(request)
    membership = community.member_get_for(who.person, who.timebank, public_id)
    link, token = password_link_create(membership=membership, acting=who.person)
    response["Cache-Control"] = "no-store"  # as the letter's page: the link is a secret
    return Status(
        201,
        SignInLinkOut(
            person=person_out(membership.person),
            url=password_link_url(token),
            expires_at=link.expires_at,
        ),
    )
