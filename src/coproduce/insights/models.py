"""Kept summaries of the append-only ledger for the insights report (`insights.summary`).

Derived data only: every row can be rebuilt from the ledger's entries (`coproduce insights
refresh --rebuild`), and the report never needs them to be right, only to be used when they say
how far they go (`SummaryState.watermark`) and in which time zone their months were cut.
"""

from __future__ import annotations

from django.db import models


class SummaryState(models.Model):
    """The one row saying how far the summaries go: every hour entry with an id up to
    `watermark` is counted in them, none above it; months are cut in `time_zone` (the
    installation's TIME_ZONE when they were built: a different one now means they are not
    used until rebuilt)."""

    watermark = models.BigIntegerField(default=0)
    pairing_watermark = models.BigIntegerField(default=0)  # the same for HelpMonth's pairings
    tie_watermark = models.BigIntegerField(default=0)  # the same for TieSpan's pairings
    last_help_watermark = models.BigIntegerField(default=0)  # the same for LastHelp's entries
    # The latest `occurred_at` of the entries folded into AccountMonth (None: none, or not
    # known): a period ending after it has its last month's summary rows wholly inside it.
    latest_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"summaries up to entry {self.watermark} ({self.time_zone or 'not built'})"


class AccountMonth(models.Model):
    """One account's hour entries in one month of the installation's time zone, up to the
    watermark: every entry but reversals' own, whether or not its transfer was later reversed
    (the report takes those out live, so a later reversal needs no change here)."""

    timebank = models.ForeignKey(
        "community.TimeBank", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.IntegerField()  # year * 100 + month, in SummaryState.time_zone
    earned = models.BigIntegerField(default=0)  # help in (exchange, meeting), minutes
    spent = models.BigIntegerField(default=0)  # help out, negative
    other_in = models.BigIntegerField(default=0)
    other_out = models.BigIntegerField(default=0)  # negative
    help_entries = models.IntegerField(default=0)
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timebank", "month", "account"], name="one_account_month"
            )
        ]

    def __str__(self) -> str:
        return f"account {self.account_id} in {self.month}"


class AccountQuarter(models.Model):
    """One account's hour entries in one quarter of the installation's time zone (January to
    March, ...), up to the same watermark as `AccountMonth` and folded with it: the sums of its
    three month rows, so that the report adds up one row instead of three for a quarter wholly
    in the period (`summary_reads.flows_by_account`), with which of its months had help."""

    timebank = models.ForeignKey(
        "community.TimeBank", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    quarter = models.IntegerField()  # its first month, as AccountMonth.month: 202601, 202604...
    earned = models.BigIntegerField(default=0)
    spent = models.BigIntegerField(default=0)
    other_in = models.BigIntegerField(default=0)
    other_out = models.BigIntegerField(default=0)
    help_months = models.IntegerField(default=0)  # bit k: its (k + 1)th month had help entries
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timebank", "quarter", "account"], name="one_account_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"account {self.account_id} in the quarter from {self.quarter}"


class HelpMonth(models.Model):
    """A time bank's exchanges' pairings in one month of the installation's time zone and one
    category, up to `SummaryState.pairing_watermark`, whether or not their transfer was later
    reversed (the report takes those out live): help by month and category."""

    timebank = models.ForeignKey(
        "community.TimeBank", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.IntegerField()  # year * 100 + month, in SummaryState.time_zone
    category = models.CharField(max_length=16)
    minutes = models.BigIntegerField(default=0)
    exchanges = models.IntegerField(default=0)  # pairings that count their exchange
    pairings = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "month", "category"], name="one_help_month")
        ]

    def __str__(self) -> str:
        return f"{self.category} in {self.month}"


class TieSpan(models.Model):
    """A pair of a time bank's accounts who met in a confirmed exchange (a tie of the exchange
    network, whichever way the help went: `one` the smaller account id): the first and last
    time they did, over their pairings up to `SummaryState.tie_watermark`, whether or not the
    transfer was later reversed (the report reads pairs with a reversed exchange live)."""

    timebank = models.ForeignKey(
        "community.TimeBank", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    one = models.ForeignKey(
        "ledger.Account", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    other = models.ForeignKey(
        "ledger.Account", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "one", "other"], name="one_tie_span")
        ]

    def __str__(self) -> str:
        return f"accounts {self.one_id} and {self.other_id}"


class LastHelp(models.Model):
    """When one account last gave or received help (an hour entry of an exchange or a meeting),
    over its entries up to `SummaryState.last_help_watermark`, whether or not their transfer was
    later reversed (the report looks an account with a reversed help entry up live, as it does
    one whose kept moment is after the period's end): each account's last help, for isolation
    and retention, in one row per account instead of a look-up through its entries."""

    timebank = models.ForeignKey(
        "community.TimeBank", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "account"], name="one_last_help")
        ]

    def __str__(self) -> str:
        return f"account {self.account_id} last helped at {self.last_at}"
