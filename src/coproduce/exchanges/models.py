"""What people can give (offers), what they would like help with (requests), and the help that
is actually arranged between them (exchanges)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coproduce.core.categories import Category


class ListingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    EXPIRED = "expired", _("Expired")
    CLOSED = "closed", _("Closed")


class Listing(models.Model):
    """What an offer and a request share: who, what kind of help, where and when."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "community.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    area = models.CharField(_("area"), max_length=80, blank=True)
    status = models.CharField(
        max_length=8, choices=ListingStatus.choices, default=ListingStatus.ACTIVE
    )
    # Slots such as "mon_am" (community.availability.SLOTS); empty means any time.
    availability = models.JSONField(_("when"), default=list, blank=True)
    photo = models.FileField(_("photo"), max_length=200, blank=True)
    photo_alt = models.CharField(_("what the photo shows"), max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a coordinator posted it for an offline member.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    # For templates, which cannot name ListingStatus.
    @property
    def is_active(self) -> bool:
        return self.status == ListingStatus.ACTIVE

    @property
    def is_paused(self) -> bool:
        return self.status == ListingStatus.PAUSED

    @property
    def is_closed(self) -> bool:
        return self.status == ListingStatus.CLOSED


class Offer(Listing):
    class Meta:
        indexes = [
            models.Index(fields=["timebank", "status", "category"]),
            # The newest active ones first (home, browse), without sorting them all.
            models.Index(fields=["timebank", "status", "created_at"]),
            # The list page's areas and counts (`listings_counted`) from the index alone.
            models.Index(fields=["timebank", "status", "area", "person", "expires_at"]),
        ]


class Request(Listing):
    class Meta:
        indexes = [
            models.Index(fields=["timebank", "status", "category"]),
            models.Index(fields=["timebank", "status", "created_at"]),
            models.Index(fields=["timebank", "status", "area", "person", "expires_at"]),
            # The dashboard's count of requests with no answer (coordination.selectors): the
            # bank's active requests in id order with their dates, from the index alone, each
            # matched to the exchanges' request index by a merge, not read from the table.
            models.Index(
                fields=["timebank", "status", "id", "created_at"], name="request_by_status_id"
            ),
        ]


class SearchDocumentField(models.TextField):
    """The hidden column an FTS5 table has under its own name: `<it> MATCH 'words'` searches
    the row, and `bm25(<it>)` ranks it. Qualified by the join's alias, so a search still works
    inside another query."""


@SearchDocumentField.register_lookup
class FtsMatch(models.Lookup):
    lookup_name = "fts_match"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class OfferText(models.Model):
    """An offer's row in SQLite's full-text index (`exchanges_offer_fts`, kept by the triggers
    of migration 0003): only for joining in a search. Not a table Django manages, and absent on
    PostgreSQL, which searches a tsvector instead."""

    listing = models.OneToOneField(
        Offer,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="text_row",
    )
    document = SearchDocumentField(db_column="exchanges_offer_fts")

    class Meta:
        managed = False
        db_table = "exchanges_offer_fts"

    def __str__(self) -> str:
        return f"search row of {self.listing_id}"


class RequestText(models.Model):
    """A request's row in SQLite's full-text index; see OfferText."""

    listing = models.OneToOneField(
        Request,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="text_row",
    )
    document = SearchDocumentField(db_column="exchanges_request_fts")

    class Meta:
        managed = False
        db_table = "exchanges_request_fts"

    def __str__(self) -> str:
        return f"search row of {self.listing_id}"


class ExchangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    DONE = "done", _("Done, waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    DISPUTED = "disputed", _("Disputed")


class PaidBy(models.TextChoices):
    RECEIVERS = "receivers", _("Each person receiving help")
    ORGANISATION = "organisation", _("An organisation")
    CHEST = "chest", _("The community chest")


class Exchange(models.Model):
    """One piece of help actually arranged. Credits move only when it is confirmed."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges"
    )
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges"
    )
    title = models.CharField(_("what help"), max_length=140)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    status = models.CharField(
        max_length=12, choices=ExchangeStatus.choices, default=ExchangeStatus.PROPOSED
    )
    scheduled_for = models.DateTimeField(_("when"), null=True, blank=True)
    expected_minutes = models.PositiveIntegerField(_("expected time (minutes)"))
    actual_minutes = models.PositiveIntegerField(_("actual time (minutes)"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    transfer = models.OneToOneField(
        "ledger.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="exchange"
    )
    # Who pays for a group session: each receiver their share, or one organisation or the chest.
    paid_by = models.CharField(max_length=12, choices=PaidBy.choices, default=PaidBy.RECEIVERS)
    paying_account = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    dispute_reason = models.TextField(_("what went wrong"), blank=True)
    # Set when a coordinator logged or confirmed it for a member who is offline.
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["timebank", "status", "created_at"]),
            # Confirmed in the last month or year: the home page's and dashboard's counts.
            models.Index(fields=["timebank", "status", "confirmed_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    # For templates, which cannot name ExchangeStatus and PaidBy.
    @property
    def is_proposed(self) -> bool:
        return self.status == ExchangeStatus.PROPOSED

    @property
    def is_done(self) -> bool:
        return self.status == ExchangeStatus.DONE

    @property
    def is_confirmed(self) -> bool:
        return self.status == ExchangeStatus.CONFIRMED

    @property
    def paid_by_receivers(self) -> bool:
        return self.paid_by == PaidBy.RECEIVERS


class Side(models.TextChoices):
    PROVIDER = "provider", _("Gives help")
    RECEIVER = "receiver", _("Receives help")


class Participant(models.Model):
    """A person or organisation on one side of an exchange, and the account that gives or pays.

    One provider and one receiver for everyday help; several receivers for a group session;
    several providers for team help.
    """

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="participants")
    side = models.CharField(max_length=8, choices=Side.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_parts",
    )
    organisation = models.ForeignKey(
        "community.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_parts",
    )
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    # When this participant confirmed their part (receivers) or the help (providers).
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The exchange's own confirmed_at, copied here when it is confirmed (and never otherwise:
    # a confirmed exchange stays confirmed, a reversal included), so that how many exchanges a
    # person gave or received since a date is counted from one index (services.tallies).
    exchange_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exchange", "account"], name="one_part_per_account"),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(organisation__isnull=False),
                name="participant_is_someone",
            ),
        ]
        indexes = [
            # With the time bank and exchange, so the dashboard's yearly "only gives / only
            # receives" counts read the index alone (416 → 270 ms at 10,000 members on SQLite).
            models.Index(fields=["person", "side", "timebank", "exchange"]),
            models.Index(fields=["account", "side"]),
            # How many a person gave or received since a date, and when last (PersonActivity).
            models.Index(fields=["person", "side", "timebank", "exchange_confirmed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.side}: {self.person or self.organisation}"

    @property
    def is_provider(self) -> bool:
        return self.side == Side.PROVIDER


class Pairing(models.Model):
    """Who helped whom in a confirmed exchange: one row for each giver and receiver, written
    with the exchange's transfer and never changed. They are the ties of the exchange network
    that the insights report draws and counts, read without joining exchanges, participants
    and transfers a million rows at a time. An exchange whose transfer was reversed keeps its
    rows; the report leaves out reversed transfers.
    """

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="pairings")
    transfer = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=16, choices=Category.choices)
    # The minutes the provider earned for helping this receiver (the exchange's actual time),
    # and when the help happened (the transfer's occurred_at).
    minutes = models.PositiveIntegerField()
    occurred_at = models.DateTimeField()
    # True on exactly one pairing of each exchange, so that summing it counts exchanges (a group
    # session has a pairing per receiver) without COUNT(DISTINCT exchange).
    counts_exchange = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "provider", "receiver"], name="one_pairing_per_pair"
            )
        ]
        indexes = [models.Index(fields=["timebank", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.provider_id} helped {self.receiver_id} ({self.exchange_id})"


class PersonActivity(models.Model):
    """When a person last gave and last received help in a confirmed exchange, from a time bank
    (their Participant.timebank: a member of a partner bank is counted in their own bank).

    A summary of their participations, rewritten from them in the transaction that confirms an
    exchange (or records past ones), and copied to their membership of that time bank in the
    same transaction, so the coordinator's "only gives / only receives" and "no exchange
    lately" read one range of a membership index instead of a year of participations.
    Confirmed exchanges never leave that status (a reversal keeps it), so the dates only ever
    move forward and the counts only up; `services.tallies.activity_refresh` recomputes them
    exactly.
    """

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exchange_activity"
    )
    last_gave_at = models.DateTimeField(null=True, blank=True)
    last_received_at = models.DateTimeField(null=True, blank=True)
    # How many confirmed exchanges they gave and received there, ever: never fewer than in any
    # window, so the dashboard's "only gives / only receives" counts the last 12 months only
    # for the few people who could be in its first rows (selectors.participation).
    gave_count = models.PositiveIntegerField(default=0)
    received_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "person"], name="one_activity_per_person")
        ]

    def __str__(self) -> str:
        return f"activity of {self.person_id} in {self.timebank_id}"


class Feedback(models.Model):
    """Thanks after an exchange: a few words, never a star rating."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    about_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_received",
    )
    about_organisation = models.ForeignKey(
        "community.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("message"), max_length=1000)
    # The receiver may keep it between themselves and the person they thank.
    private = models.BooleanField(_("keep it private"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "author", "about_person"], name="one_thanks_per_pair"
            )
        ]

    def __str__(self) -> str:
        return self.message[:40]
