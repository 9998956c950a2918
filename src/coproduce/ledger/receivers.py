"""The ledger's part in what community does: a membership that becomes active has its hour
account opened at once, inside the activation's transaction (community/signals.py)."""

from __future__ import annotations

from typing import Any

from coproduce.community.models import Membership
from coproduce.community.signals import membership_activated
from coproduce.ledger.accounts import member_account_get_or_open


def _account_open(sender: Any, *, membership: Membership, **kwargs: Any) -> None:
    member_account_get_or_open(timebank=membership.timebank, person=membership.person)


def connect() -> None:
    membership_activated.connect(_account_open, dispatch_uid="ledger.account_open_on_activation")
