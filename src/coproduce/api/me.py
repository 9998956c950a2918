"""GET /me: who the token speaks for, in which time bank, and their balance."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from coproduce.api.auth import caller
from coproduce.api.schemas import MeOut, PersonOut, TimeBankOut, TokenOut, hours, responses
from coproduce.ledger.statements import member_account_for

router = Router(tags=["me"])


@router.get(
    "/me", response=responses({200: MeOut}), summary="Who I am, my time bank and my balance"
)
def me(request: HttpRequest) -> MeOut:
    who = caller(request)
    account = member_account_for(person=who.person, timebank=who.timebank)
    return MeOut(
        person=PersonOut(
            public_id=who.person.public_id,
            username=who.person.username,
            display_name=who.person.display_name,
        ),
        timebank=TimeBankOut(
            public_id=who.timebank.public_id, slug=who.timebank.slug, name=who.timebank.name
        ),
        role=who.role,
        area=who.area,
        balance=hours(account.balance if account else 0),
        token=TokenOut(
            name=who.token.name,
            prefix=who.token.prefix,
            scopes=who.token.scope_list,
            expires_at=who.token.expires_at,
        ),
    )
