"""The time-credit ledger: accounts, transfers and their entries, in integer minutes.

Only `ledger.services` writes here. Entries and transfers are append-only (database triggers refuse
UPDATE and DELETE); a mistake is corrected by posting a reversal.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

HOUR = "hour"


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Member")
    ORGANISATION = "organisation", _("Organisation")
    CHEST = "chest", _("Community chest")
    POOL = "pool", _("Pool")
    CLEARING = "clearing", _("Clearing")


# How near one of its limits an account is listed to its coordinator ("balances near the
# limit"), in minutes: an hour. The database keeps each account's answer in `near_limit`
# (ledger 0012), so a change here needs a migration that changes that column.
NEAR_LIMIT = 60


def near_limit_rule(within: int) -> models.Q:
    """The accounts at most `within` minutes above their lowest balance, or less than `within`
    below their highest when they have one (past either limit included)."""
    return models.Q(balance__lte=models.F("min_balance") + within) | models.Q(
        max_balance__isnull=False, balance__gt=models.F("max_balance") - within
    )


def account_room() -> Least:
    """How far an account's balance is from its nearer limit, in its unit: from its lowest
    balance, or from its highest when it has one and that is nearer (negative when past it).
    What the coordinator's "balances near the limit" orders by. Deliberately not indexed: an
    index holding `balance` would end the HOT updates of balances that ledger 0003's
    fillfactor is there for, a cost on every posting; the list finds its accounts by
    `near_limit` instead, which changes only when a balance crosses into or out of the hour."""
    room_below = models.F("balance") - models.F("min_balance")
    return Least(room_below, Coalesce(models.F("max_balance") - models.F("balance"), room_below))


class Account(models.Model):
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    # `hour` for time credits (amounts in minutes); an ISO currency code such as GBP for a pool
    # that tracks money (amounts in pence).
    unit = models.CharField(max_length=8, default=HOUR)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    organisation = models.ForeignKey(
        "community.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    name = models.CharField(max_length=160, blank=True)
    # A cache of the sum of this account's entries, written only by transfer_post in the same
    # transaction as the entries; `coproduce ledger verify` recomputes it.
    balance = models.BigIntegerField(default=0)
    min_balance = models.BigIntegerField(default=0)
    max_balance = models.BigIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Whether the balance is within NEAR_LIMIT of a limit: computed by the database from the
    # balance and the limits whenever either is written (nothing else writes it), kept for the
    # partial index below. A posting changes it only when the balance crosses into or out of
    # the hour, so most postings still rewrite the row in place (a HOT update, ledger 0003):
    # indexed where true, ~350 of the demo's 10,000 accounts.
    near_limit = models.GeneratedField(
        # A Q, which Django compiles as a condition; the stubs ask for an Expression.
        expression=near_limit_rule(NEAR_LIMIT),  # type: ignore[arg-type]
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timebank", "person", "unit"],
                condition=models.Q(kind="member"),
                name="one_member_account_per_unit",
            ),
            models.UniqueConstraint(
                fields=["timebank", "organisation", "unit"],
                condition=models.Q(kind="organisation"),
                name="one_organisation_account_per_unit",
            ),
            models.UniqueConstraint(
                fields=["timebank", "unit"],
                condition=models.Q(kind="chest"),
                name="one_chest_per_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(max_balance__isnull=True)
                | models.Q(max_balance__gte=models.F("min_balance")),
                name="account_limits_in_order",
            ),
        ]
        indexes = [
            # The accounts "balances near the limit" reads (ledger.selectors.accounts_near_limit),
            # by time bank.
            models.Index(
                fields=["timebank"],
                condition=models.Q(near_limit=True),
                name="ledger_account_near_limit",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.kind == AccountKind.CHEST:
            return str(_("Community chest"))
        owner = self.person if self.person_id else self.organisation
        return str(owner) if owner else f"{self.kind} account"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class TransferKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange")
    GIFT = "gift", _("Gift")
    GRANT = "grant", _("Grant from the community chest")
    MEETING = "meeting", _("Meeting attendance")
    POOL = "pool", _("Pool")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversal")


class Transfer(models.Model):
    # Indexed by one_transfer_per_idempotency_key, which begins with it (ledger 0008).
    timebank = models.ForeignKey(
        "community.TimeBank", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=TransferKind.choices)
    memo = models.CharField(max_length=255, blank=True)
    # When the help happened (a coordinator may log last week's exchange today)… Not indexed
    # alone: reads by date go through the entries' copies or an index led by the time bank
    # (ledger 0010).
    occurred_at = models.DateTimeField()
    # …and when it reached the ledger.
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Indexed where set only (see Meta): most postings act on nobody's behalf (ledger 0010).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    override_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timebank", "idempotency_key"], name="one_transfer_per_idempotency_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["on_behalf_of"],
                name="ledger_transfer_on_behalf",
                condition=models.Q(on_behalf_of__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"


class Entry(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    # Indexed by (account, transfer) below, which begins with it (ledger 0008).
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(max_length=8)
    # Positive: credits into the account; negative: credits out of it.
    amount = models.BigIntegerField()
    # Copies of the transfer's `occurred_at` and `kind`, written with the entry and never
    # changed (both rows are append-only; `ledger verify` checks they agree), so that reports
    # read an account's history by date without joining every entry to its transfer.
    occurred_at = models.DateTimeField(editable=False)
    kind = models.CharField(max_length=16, choices=TransferKind.choices, editable=False)

    class Meta:
        verbose_name_plural = _("entries")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="entry_amount_not_zero")
        ]
        indexes = [models.Index(fields=["account", "transfer"])]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.unit} on account {self.account_id}"
