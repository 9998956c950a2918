"""The members app's reads, which join people (community) with their time-credit accounts
(ledger): one member's account, and the members list with every balance in one query.

Statements themselves are the ledger's (`ledger.statements`); who may see whom is community's.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from coproduce.community import selectors as community_selectors
from coproduce.community.models import Membership, Person, TimeBank
from coproduce.ledger.models import HOUR, Account, AccountKind


def member_account(timebank: TimeBank, person: Person) -> Account | None:
    """The member's time-credit account, or None while they have not used it yet."""
    return Account.objects.filter(
        timebank=timebank, person=person, kind=AccountKind.MEMBER, unit=HOUR
    ).first()


def members_with_balances(timebank: TimeBank, **filters: str) -> QuerySet[Membership]:
    """The filtered members list with each member's time-credit balance, in one query."""
    balance = Account.objects.filter(
        timebank=timebank, person=OuterRef("person"), kind=AccountKind.MEMBER, unit=HOUR
    ).values("balance")[:1]
    return community_selectors.members_filtered(timebank, **filters).annotate(
        balance=Subquery(balance)
    )
