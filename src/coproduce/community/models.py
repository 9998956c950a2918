"""Time banks, the people in them, and the partner organisations that join them."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from coproduce.core.categories import Category


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By phone")
    TEXT = "text", _("By text message")
    THROUGH_COORDINATOR = "coordinator", _("By phone through the coordinator")


class Person(AbstractUser):
    """A login. What a person does in a community lives on their Membership of it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_preference = models.CharField(
        _("how I prefer to be contacted"),
        max_length=16,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    # The profile starts from what a person can give (Cahn's "assets"), then what they need.
    gives = models.TextField(_("what I can give"), blank=True)
    needs = models.TextField(_("what I would like help with"), blank=True)
    about = models.TextField(_("about me"), blank=True)
    # Slots such as "mon_am", "sat_pm" (see community.availability.SLOTS).
    availability = models.JSONField(_("when I am usually free"), default=list, blank=True)
    languages = models.CharField(_("languages I speak"), max_length=200, blank=True)
    # Private: seen only by the person and their coordinators.
    accessibility_needs = models.TextField(_("access needs"), blank=True)
    notify_by_email = models.BooleanField(_("send me emails about my exchanges"), default=True)
    # The weekly digest of new offers and requests; its one-click unsubscribe turns this off.
    digest_by_email = models.BooleanField(
        _("send me the weekly email of new offers and requests"), default=True
    )
    # When the person followed the link emailed to `email` (community.emails); cleared when the
    # address changes. Coordinators see it beside the address.
    email_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The language emails (and, with issue 16, pages) are written in: a code from
    # settings.LANGUAGES, blank for the time bank's (no choices here, so adding a language
    # needs no migration).
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Easy read (issue 16): larger text with more space, shorter sentences on the core pages and
    # a picture beside each kind of help. Off unless the person turns it on.
    easy_read = models.BooleanField(_("easy read"), default=False)
    # --- Privacy (issue 10): set when the person was erased (see coproduce.privacy.erasure). ---
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A profile photo, redrawn by core.images (no EXIF, no location), with the words a screen
    # reader says for it; initials stand in when there is none.
    photo = models.FileField(_("photo"), max_length=200, blank=True)
    photo_alt = models.CharField(_("what the photo shows"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.erased_at is not None:
            return str(_("Former member"))
        return self.get_full_name() or self.username


def default_checks_needed() -> dict[str, str]:
    """Care and help with children need a current enhanced check of whoever gives the help."""
    return {Category.CARE.value: "enhanced", Category.CHILDREN.value: "enhanced"}


class TimeBank(models.Model):
    """One community. Every domain row carries its id: it is the tenant key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # How far a new member's account may go below zero, so a newcomer can receive first.
    default_min_balance = models.IntegerField(_("lowest balance (minutes)"), default=-10 * 60)
    default_max_balance = models.IntegerField(_("highest balance (minutes)"), null=True, blank=True)
    max_exchange_minutes = models.PositiveIntegerField(
        _("longest single exchange (minutes)"), default=12 * 60
    )
    listing_expiry_days = models.PositiveIntegerField(
        _("offers and requests expire after (days)"), default=90
    )
    hourly_value_pence = models.PositiveIntegerField(
        _("estimated value of an hour (pence)"),
        default=1260,
        help_text=_("Used only for the estimate of value in reports, e.g. the living wage."),
    )
    # ISO 4217: the money the time bank's pools and reports count in (core.money).
    currency = models.CharField(_("currency"), max_length=3, default="GBP")
    # Coordinators, administrators and organisation admins of this time bank must use two-step
    # sign-in (docs/DESIGN.md, "Two-step sign-in").
    require_two_factor = models.BooleanField(_("require two-step sign-in"), default=False)
    # {category: check kind}: whoever gives that kind of help needs a current check of that
    # kind, in every path that arranges an exchange and in matching (community.safeguarding).
    checks_needed = models.JSONField(
        _("checks needed for kinds of help"), default=default_checks_needed, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # --- Settings a coordinator keeps (issue 12; community.settings.timebank_settings_update) ---
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_details = models.TextField(_("address and opening hours"), blank=True)
    # A square PNG written by community.settings.logo_prepare through the default storage.
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True)
    welcome_text = models.TextField(_("welcome text"), blank=True)
    # The areas members pick from when they join and on their profile; empty: they write it.
    areas = models.JSONField(_("areas"), default=list, blank=True)
    # The default kinds of help (core.categories) this time bank has turned off.
    categories_off = models.JSONField(_("kinds of help turned off"), default=list, blank=True)
    induction_required = models.BooleanField(_("an induction meeting is required"), default=True)
    references_needed = models.PositiveSmallIntegerField(_("references needed"), default=0)
    language = models.CharField(_("default language"), max_length=16, default="en-gb")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    # When a coordinator first saved the settings: the dashboard's first step is then done.
    settings_completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("time bank")

    def __str__(self) -> str:
        return self.name


class TimeBankCategory(models.Model):
    """A kind of help a time bank added to the defaults (core.categories). Its safeguarding
    level, if any, is kept with the defaults' in `TimeBank.checks_needed` under `value`."""

    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="own_categories")
    # What listings store in their `category` (16 characters, as the defaults' values).
    value = models.SlugField(max_length=16)
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kind of help")
        constraints = [
            models.UniqueConstraint(
                fields=["timebank", "value"], name="one_category_value_per_bank"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    COORDINATOR = "coordinator", _("Coordinator")
    PROFESSIONAL = "professional", _("Professional")
    ADMIN = "admin", _("Administrator")


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    LEFT = "left", _("Left")


# --- Privacy (issue 10): who sees a member's phone, email and area ---------------------------
class Visibility(models.TextChoices):
    """Who, besides the person and their coordinators (who always see, for safeguarding), sees
    one of their contact details in a time bank."""

    NOBODY = "nobody", _("Nobody (only the coordinators)")
    EXCHANGES = "exchanges", _("People I have an agreed exchange with")
    MEMBERS = "members", _("All members of this time bank")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(status=MembershipStatus.ACTIVE)

    def coordinators(self) -> MembershipQuerySet:
        return self.filter(role__in=[Role.COORDINATOR, Role.ADMIN])


_LISTED = {  # the coordinator's member lists read ranges of (time bank, status, role, ...)
    "membership_quiet_by_last": ("last_exchange_at", "activated_at", "applied_at", "person"),
    "membership_only_giving": ("gave_count", "person", "last_gave_at", "last_received_at"),
    "membership_only_receiving": ("received_count", "person", "last_received_at", "last_gave_at"),
    "membership_by_last_gave": ("last_gave_at", "last_received_at"),
    "membership_by_last_received": ("last_received_at", "last_gave_at"),
}


class Membership(models.Model):
    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.APPLIED,
    )
    area = models.CharField(_("area"), max_length=80, blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    # The coordinator meets every newcomer before they can trade.
    inducted_on = models.DateField(_("induction date"), null=True, blank=True)
    inducted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    induction_notes = models.TextField(_("induction notes"), blank=True)
    # What the applicant wrote on the form, kept for the coordinator's first conversation.
    application_note = models.TextField(_("anything else we should know"), blank=True)
    # --- Privacy (issue 10): per time bank, read by community.selectors.contact_visible_to. ---
    phone_visible_to = models.CharField(
        _("who sees my phone number"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.EXCHANGES,
    )
    email_visible_to = models.CharField(
        _("who sees my email address"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.EXCHANGES,
    )
    area_visible_to = models.CharField(
        _("who sees my area"), max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    # Copies of their exchanges.PersonActivity here (last took part: the later of its moments),
    # not facts of the membership: written only by exchanges.services.tallies, checked by verify.
    last_exchange_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_gave_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_received_at = models.DateTimeField(null=True, blank=True, editable=False)
    gave_count = models.PositiveIntegerField(default=0, editable=False)
    received_count = models.PositiveIntegerField(default=0, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "person"], name="one_membership_per_bank")
        ]
        indexes = [
            models.Index(fields=["timebank", "status", "role", *columns], name=name)
            for name, columns in _LISTED.items()
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.timebank} ({self.role}, {self.status})"

    @property
    def is_coordinator(self) -> bool:
        return (
            self.role in {Role.COORDINATOR, Role.ADMIN} and self.status == MembershipStatus.ACTIVE
        )

    @property
    def can_trade(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    # For templates, which cannot name MembershipStatus.
    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def is_applied(self) -> bool:
        return self.status == MembershipStatus.APPLIED


class OrganisationKind(models.TextChoices):
    GP_PRACTICE = "gp_practice", _("GP practice")
    COUNCIL = "council", _("Council service")
    CHARITY = "charity", _("Charity")
    SCHOOL = "school", _("School")
    HOUSING = "housing", _("Housing association")
    BUSINESS = "business", _("Business")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A partner that is a member of a time bank, with its own account and staff."""

    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="organisations")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField()
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "slug"], name="organisation_slug_per_bank")
        ]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    ADMIN = "admin", _("Organisation admin")
    PROFESSIONAL = "professional", _("Professional")


class OrganisationStaff(models.Model):
    """Someone who works for a partner organisation: its admin (manages its staff) or a
    professional. Whether they refer people in, and so see the organisation's referrals, is
    `may_refer`, said for each of them by the organisation's admin or a coordinator; removing
    someone deletes the row (the audit log keeps who and when), their membership stays."""

    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    may_refer = models.BooleanField(_("may refer people"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("organisation staff")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="one_staff_role_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role}) at {self.organisation}"


class CheckKind(models.TextChoices):
    REFERENCE = "reference", _("Reference checked")
    ID_SEEN = "id_seen", _("ID seen")
    ENHANCED = "enhanced", _("Enhanced check")


class SafeguardingCheck(models.Model):
    """A check a coordinator recorded: its badge shows on the public profile, never its details."""

    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(_("check"), max_length=16, choices=CheckKind.choices)
    checked_on = models.DateField(_("checked on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    reference = models.CharField(_("certificate or reference number"), max_length=80, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["timebank", "person", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person}"


class PasswordLinkPurpose(models.TextChoices):
    # A coordinator hands a member a link to choose their own password (issue 10).
    HANDOVER = "handover", _("Choose a password (from a coordinator)")
    # A new site administrator's first sign-in, made by `coproduce admin create` (issue 12).
    ADMIN_SETUP = "admin_setup", _("Set up a site administrator")


class PasswordLink(models.Model):
    """A one-time link to choose a password: it works once, for a few days, and only the newest
    one for a person works. Only a SHA-256 hash of its token is stored; whoever holds the token
    (in a letter, on a phone) holds the link, and nobody can read it back from the database."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="password_links")
    purpose = models.CharField(max_length=16, choices=PasswordLinkPurpose.choices)
    # The time bank it was made for (none for a site-wide link, such as an administrator's).
    timebank = models.ForeignKey(
        TimeBank, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who made it (none when made from the command line).
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for {self.person}"

    def is_live(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class InvitationKind(models.TextChoices):
    COORDINATOR = "coordinator", _("a coordinator")
    MEMBER = "member", _("a member")
    ORGANISATION_ADMIN = "organisation_admin", _("an organisation's admin")
    ORGANISATION_STAFF = "organisation_staff", _("an organisation's staff")


class Invitation(models.Model):
    """An invitation to take a role in a time bank: a coordinator invites another coordinator,
    a member (already approved) or an organisation's first admin; an organisation's admin
    invites its staff; the command line invites a new bank's first coordinator. It is a
    one-time link like `PasswordLink`: only a SHA-256 hash of its token is stored, it expires,
    works once and can be revoked; resending makes a new token and stops the old one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="invitations")
    kind = models.CharField(_("invited as"), max_length=24, choices=InvitationKind.choices)
    # For the organisation kinds: the organisation they will work for.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    # Where the link was sent; blank for a link printed or handed over in person.
    email = models.EmailField(_("email"), blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    # For an organisation's staff: whether they may refer people.
    may_refer = models.BooleanField(_("may refer people"), default=False)
    # Who invited (none when made from the command line).
    invited_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["timebank", "accepted_at", "revoked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["organisation_admin", "organisation_staff"],
                    organisation__isnull=False,
                )
                | models.Q(kind__in=["coordinator", "member"], organisation__isnull=True),
                name="invitation_organisation_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email or self.name or 'someone'} as {self.kind}"

    def is_live(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class CheckReminderThreshold(models.TextChoices):
    SOON = "30_days", _("30 days before it expires")
    EXPIRED = "expired", _("on the day it expires")


class CheckReminder(models.Model):
    """One reminder sent about one check at one threshold: the row that makes
    `remind_expiring_checks` send each reminder once, however often it runs."""

    check_record = models.ForeignKey(
        SafeguardingCheck, on_delete=models.PROTECT, related_name="reminders"
    )
    threshold = models.CharField(max_length=8, choices=CheckReminderThreshold.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["check_record", "threshold"], name="one_reminder_per_check_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.threshold} reminder for check {self.check_record_id}"


class SafeguardingPause(models.Model):
    """A coordinator's safeguarding pause of one member of one time bank, from `started_at`
    until `ended_at`. While one is open the member keeps their sign-in, statement and existing
    exchanges, but takes part in no new exchange and their listings are hidden from others
    (community.safeguarding). Not the membership's own "paused" status, which is a break the
    member asked for; this one's reason is confidential to coordinators. Rows are kept as the
    history of pauses."""

    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="safeguarding_pauses")
    reason = models.TextField(_("reason (seen by coordinators only)"))
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_note = models.TextField(_("why the pause ends"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timebank", "person"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_safeguarding_pause",
            )
        ]
        indexes = [models.Index(fields=["timebank", "ended_at", "person"])]

    def __str__(self) -> str:
        return f"Safeguarding pause of {self.person_id} in {self.timebank_id}"


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    """A confidential record of something that happened involving a member: seen only by the
    coordinators of its time bank, every opening audited (community.incidents)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("when it happened"))
    what_happened = models.TextField(_("what happened"))
    people_involved = models.TextField(_("people involved"), blank=True)
    action_taken = models.TextField(_("action taken"), blank=True)
    follow_up_on = models.DateField(_("follow up by"), null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["timebank", "person", "status"])]

    def __str__(self) -> str:
        return f"Incident {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN


class IncidentFollowUp(models.Model):
    """A dated note added to an incident: what was done since, and when to look again."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="follow_ups")
    note = models.TextField(_("what was done"))
    next_follow_up_on = models.DateField(_("next follow-up by"), null=True, blank=True)
    written_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Follow-up of incident {self.incident_id}"


class Block(models.Model):
    """One person blocking another (issue 13): neither may then message, propose an exchange to
    or be suggested to the other, whichever of them blocked. Kept in community, below the product
    apps, so exchanges, matching and conversations all ask `community.blocks`. Unblocking deletes
    the row; the audit log keeps that it happened."""

    blocker = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="no_blocking_oneself"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"
