"""Working with partner organisations: referrals into the time bank (social prescribing) with
their wellbeing outcomes, and pools in which members club hours or budgets together.

Organisations themselves, and their staff, live in `community`; their accounts in `ledger`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import ContactPreference, Person


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    CONTACTED = "contacted", _("Contacted")
    INDUCTED = "inducted", _("Inducted")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Declined")
    UNREACHABLE = "unreachable", _("Could not be reached")


class Goal(models.TextChoices):
    LESS_ISOLATED = "less_isolated", _("Feel less isolated")
    MORE_CONFIDENT = "more_confident", _("Feel more confident")
    GET_OUT = "get_out", _("Get out of the house more")
    NEW_SKILLS = "new_skills", _("Learn something new")
    GIVE_BACK = "give_back", _("Use their skills to help others")
    ACTIVE_HEALTHY = "active_healthy", _("Be more active and healthy")


# The goal a review gives to the free-text goal, beside the codes above.
OTHER_GOAL = "other"


class ConsentHow(models.TextChoices):
    VERBAL = "verbal", _("Spoken (verbal)")
    WRITTEN = "written", _("Written and signed")
    ONLINE = "online", _("Online form")


class Referral(models.Model):
    """A professional refers someone into the time bank, with their recorded consent."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.PROTECT, related_name="referrals"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    # The person referred, as the professional describes them. They have no login until the
    # coordinator inducts them, when `person` is set.
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("family name"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    contact_preference = models.CharField(
        _("how they would like to be contacted"),
        max_length=16,
        choices=ContactPreference.choices,
        default=ContactPreference.PHONE,
    )
    area = models.CharField(_("area"), max_length=80, blank=True)
    what_matters = models.TextField(_("what matters to them"), blank=True)
    goals = models.JSONField(_("goals"), default=list, blank=True)
    other_goal = models.CharField(_("another goal, in their words"), max_length=200, blank=True)
    # Sensitive: seen by the time bank's coordinators and the referrer only, each view audited.
    support_notes = models.TextField(_("support or risk notes"), blank=True)
    consent_given_by = models.CharField(_("consent given by"), max_length=150)
    consent_given_on = models.DateField(_("consent given on"))
    consent_how = models.CharField(
        _("how consent was given"), max_length=8, choices=ConsentHow.choices
    )
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    # The dates of each stage, copied from its ReferralEvent so that lists and reports can show
    # waiting times without reading the history.
    received_at = models.DateTimeField(db_index=True)
    contacted_on = models.DateField(null=True, blank=True)
    inducted_on = models.DateField(null=True, blank=True)
    active_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    suggested_offer = models.ForeignKey(
        "exchanges.Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["timebank", "organisation", "received_at"]),
            models.Index(fields=["timebank", "status"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def goal_labels(self) -> list[str]:
        labels = [str(Goal(code).label) for code in self.goals if code in Goal.values]
        if self.other_goal:
            labels.append(self.other_goal)
        return labels


# No way back from these; someone who could not be reached may still call back.
FINAL_STATUSES = {ReferralStatus.CLOSED, ReferralStatus.DECLINED}


class ReferralEvent(models.Model):
    """One step of a referral: when it happened, who recorded it, and why (for the exits)."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    occurred_on = models.DateField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status} on {self.occurred_on}"


class OutcomeStage(models.TextChoices):
    START = "start", _("At the start")
    REVIEW = "review", _("At review")


class GoalProgress(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


SWEMWBS_ITEM_FIELDS = tuple(f"item_{n}" for n in range(1, 8))


class Outcome(models.Model):
    """A short wellbeing measure (the 7-item SWEMWBS) at the start and at review, with how the
    person's goals went and what they say in their own words."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="outcomes")
    stage = models.CharField(max_length=8, choices=OutcomeStage.choices)
    measured_on = models.DateField(_("date"))
    item_1 = models.PositiveSmallIntegerField()
    item_2 = models.PositiveSmallIntegerField()
    item_3 = models.PositiveSmallIntegerField()
    item_4 = models.PositiveSmallIntegerField()
    item_5 = models.PositiveSmallIntegerField()
    item_6 = models.PositiveSmallIntegerField()
    item_7 = models.PositiveSmallIntegerField()
    raw_total = models.PositiveSmallIntegerField()
    metric_score = models.DecimalField(max_digits=4, decimal_places=2)
    # {"less_isolated": "met", "other": "partly"}: at review only.
    goal_progress = models.JSONField(default=dict, blank=True)
    own_words = models.TextField(_("in their own words"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "stage"], name="one_outcome_per_stage"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"outcome_{name}_1_to_5",
                )
                for name in SWEMWBS_ITEM_FIELDS
            ],
            models.CheckConstraint(
                condition=models.Q(raw_total__gte=7, raw_total__lte=35),
                name="outcome_raw_total_7_to_35",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.metric_score}"

    @property
    def items(self) -> list[int]:
        return [getattr(self, name) for name in SWEMWBS_ITEM_FIELDS]

    @property
    def goal_list(self) -> list[dict[str, str]]:
        """How each goal went, in words, for the page."""
        return [
            {
                "label": str(Goal(code).label) if code in Goal.values else self.referral.other_goal,
                "progress": str(GoalProgress(progress).label),
            }
            for code, progress in self.goal_progress.items()
            if progress in GoalProgress.values
        ]


class Pool(models.Model):
    """A shared account members club hours (or budgets, in money) into, and spend together.

    Holders decide what it is spent on; `approvals_required` of them must agree to each spend.
    """

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("what it is for"), blank=True)
    # `hour` (amounts in minutes) or an ISO currency code such as GBP (amounts in pence).
    unit = models.CharField(_("unit"), max_length=8)
    account = models.OneToOneField("ledger.Account", on_delete=models.PROTECT, related_name="pool")
    organisation = models.ForeignKey(
        "community.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pools",
    )
    approvals_required = models.PositiveSmallIntegerField(_("approvals needed to spend"), default=1)
    holders: models.ManyToManyField[Person, PoolHolder] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PoolHolder", related_name="pools_held"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approvals_required__in=[1, 2]),
                name="pool_approvals_one_or_two",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_money(self) -> bool:
        return self.unit != "hour"


class PoolHolder(models.Model):
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="holder_rows")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pool", "person"], name="one_holder_row_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} holds {self.pool}"


class SpendStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    SPENT = "spent", _("Spent")
    REFUSED = "refused", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PoolSpend(models.Model):
    """A holder's proposal to spend from a pool, and what became of it."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="spends")
    payee = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField()
    purpose = models.CharField(_("what it is for"), max_length=200)
    status = models.CharField(
        max_length=10, choices=SpendStatus.choices, default=SpendStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    transfer = models.OneToOneField(
        "ledger.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["pool", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="pool_spend_positive")
        ]

    def __str__(self) -> str:
        return self.purpose
