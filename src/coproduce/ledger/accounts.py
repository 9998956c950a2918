"""Opening and closing the ledger's accounts.

A member's hour account opens on first use (an exchange, a gift, limits set), at the time bank's
default limits; an organisation's at -20 h; the community chest at 0 (it gives only what was
donated); a clearing account, which stands for credits outside this ledger, with no practical
floor. Closing marks an erased member's accounts closed and keeps every entry and balance.
Writes to entries and balances go only through `ledger.services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from coproduce.community.models import Organisation, TimeBank
from coproduce.core.audit import audit_record
from coproduce.ledger.models import HOUR, Account, AccountKind

if TYPE_CHECKING:
    from coproduce.community.models import Person


def _member_limits(timebank: TimeBank) -> dict[str, int | None]:
    return {
        "min_balance": timebank.default_min_balance,
        "max_balance": timebank.default_max_balance,
    }


def member_account_get_or_open(*, timebank: TimeBank, person: Person) -> Account:
    account, _created = Account.objects.get_or_create(
        timebank=timebank,
        person=person,
        unit=HOUR,
        kind=AccountKind.MEMBER,
        defaults=_member_limits(timebank),
    )
    return account


def member_accounts_open(*, timebank: TimeBank, people: Sequence[Person]) -> None:
    """Open the hour accounts of many new members at once (an import), at the time bank's
    default limits as `member_account_get_or_open` does one by one. The people must have no
    account in the time bank yet."""
    limits = _member_limits(timebank)
    Account.objects.bulk_create(
        [
            Account(timebank=timebank, person=person, unit=HOUR, kind=AccountKind.MEMBER, **limits)
            for person in people
        ],
        batch_size=500,
    )


def organisation_account_get_or_open(*, organisation: Organisation) -> Account:
    account, _created = Account.objects.get_or_create(
        timebank_id=organisation.timebank_id,
        organisation=organisation,
        unit=HOUR,
        kind=AccountKind.ORGANISATION,
        defaults={"min_balance": -20 * 60},
    )
    return account


def chest_get_or_open(*, timebank: TimeBank, unit: str = HOUR) -> Account:
    # The community chest starts empty and can only give what members have donated to it.
    account, _created = Account.objects.get_or_create(
        timebank=timebank, unit=unit, kind=AccountKind.CHEST, defaults={"min_balance": 0}
    )
    return account


# A clearing account stands for credits outside this ledger (another system's balances carried
# over), so its balance is whatever those add up to: in practice it has no floor.
CLEARING_FLOOR = -(10**12)


@transaction.atomic
def clearing_get_or_open(*, timebank: TimeBank, name: str, unit: str = HOUR) -> Account:
    """The time bank's clearing account called `name` (such as "Opening balances"), opened the
    first time it is asked for."""
    # No unique constraint covers clearing accounts (they are told apart by name), so the time
    # bank's row is locked to stop two callers opening the same one at once. NO KEY UPDATE on
    # PostgreSQL, so rows that merely reference the time bank can still be written meanwhile.
    TimeBank.objects.select_for_update(no_key=True).filter(pk=timebank.pk).first()
    account, _created = Account.objects.get_or_create(
        timebank=timebank,
        unit=unit,
        kind=AccountKind.CLEARING,
        name=name,
        defaults={"min_balance": CLEARING_FLOOR},
    )
    return account


@transaction.atomic
def member_accounts_close(
    *, person: Person, timebank_ids: Sequence[int], acting: Person, reason: str
) -> int:
    """Mark a person's member accounts in these time banks closed (an erased member). Nothing
    else changes: the entries and balances stay, so `ledger verify` and every report read the
    same figures; `transfer_post` refuses any further posting to them. Returns how many closed."""
    accounts = list(
        Account.objects.select_for_update()
        .filter(
            person=person,
            kind=AccountKind.MEMBER,
            timebank_id__in=timebank_ids,
            closed_at__isnull=True,
        )
        .order_by("pk")
    )
    now = timezone.now()
    for account in accounts:
        account.closed_at = now
        account.save(update_fields=["closed_at"])
        audit_record(
            action="ledger.account_closed",
            actor=acting,
            timebank_id=account.timebank_id,
            target=f"account:{account.public_id}",
            data={"balance": account.balance, "unit": account.unit, "reason": reason},
        )
    return len(accounts)
