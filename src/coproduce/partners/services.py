"""Writes about partner organisations, referrals and pools.

Referrals (social prescribing): a professional refers someone, with their recorded consent; the
time bank's coordinators take it through

    received → contacted → inducted → active → closed
    (received, contacted or unreachable) → declined;  (received, contacted) → unreachable;
    unreachable → contacted (they called back);  inducted → closed

with the date of each step, so waiting times show. At induction the person becomes an active
member. Outcomes are a SWEMWBS measure at the start and at review.

Pools: holders of a shared account decide together what it is spent on. Every movement goes
through ledger.services.transfer_post.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coproduce.community.models import (
    ContactPreference,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    OrganisationStaff,
    Person,
    StaffRole,
    TimeBank,
)
from coproduce.community.permissions import coordinators_of, require_coordinator, standing_in
from coproduce.community.services import membership_induct
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.notifications import notify
from coproduce.exchanges.models import ListingStatus, Offer
from coproduce.ledger.limits import account_limits_set
from coproduce.ledger.models import HOUR, Account, AccountKind, Transfer, TransferKind
from coproduce.ledger.services import (
    member_account_get_or_open,
    organisation_account_get_or_open,
    transfer_post,
)
from coproduce.partners.models import (
    FINAL_STATUSES,
    OTHER_GOAL,
    SWEMWBS_ITEM_FIELDS,
    ConsentHow,
    Goal,
    GoalProgress,
    Outcome,
    OutcomeStage,
    Pool,
    PoolHolder,
    PoolSpend,
    Referral,
    ReferralEvent,
    ReferralStatus,
    SpendStatus,
)
from coproduce.partners.swemwbs import swemwbs_score

# --- organisations ------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, timebank: TimeBank, acting: Person, name: str, kind: str, description: str = ""
) -> Organisation:
    """A coordinator welcomes a partner organisation; its hour account opens with it."""
    require_coordinator(person=acting, timebank=timebank)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the organisation's name."), "name_required")
    if kind not in OrganisationKind.values:
        raise ApplicationError(_("Choose what kind of organisation it is."), "bad_kind")
    if Organisation.objects.filter(timebank=timebank, name__iexact=name).exists():
        raise Conflict(
            _("%(name)s is already a partner of this time bank.") % {"name": name}, "duplicate"
        )
    base = slugify(name)[:40] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(timebank=timebank, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organisation = Organisation.objects.create(
        timebank=timebank,
        slug=slug,
        name=name[:160],
        kind=kind,
        description=(description or "").strip(),
    )
    account = organisation_account_get_or_open(organisation=organisation)
    audit_record(
        action="organisation.created",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"organisation:{organisation.public_id}",
        data={"name": organisation.name, "kind": kind, "account": str(account.public_id)},
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, acting: Person, description: str
) -> Organisation:
    """The organisation's admins (or a coordinator) keep its description current."""
    standing = standing_in(person=acting, timebank=organisation.timebank)
    if not (standing.is_coordinator or standing.is_admin_of(organisation.pk)):
        raise PermissionDenied(
            _("Only the organisation's admins or a coordinator can change its description.")
        )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    description = (description or "").strip()
    if description == organisation.description:
        return organisation
    old = organisation.description
    organisation.description = description
    organisation.save(update_fields=["description"])
    audit_record(
        action="organisation.updated",
        actor=acting,
        timebank_id=organisation.timebank_id,
        target=f"organisation:{organisation.public_id}",
        data={"old": {"description": old}, "new": {"description": description}},
    )
    return organisation


@transaction.atomic
def organisation_staff_add(
    *, organisation: Organisation, acting: Person, person: Person, role: str
) -> OrganisationStaff:
    """A coordinator adds someone to an organisation's staff, or changes their role there."""
    require_coordinator(person=acting, timebank=organisation.timebank)
    if role not in StaffRole.values:
        raise ApplicationError(_("Choose their role: organisation admin or professional."))
    membership = Membership.objects.filter(
        timebank_id=organisation.timebank_id, person=person
    ).first()
    if membership is None or membership.status not in {
        MembershipStatus.ACTIVE,
        MembershipStatus.PAUSED,
    }:
        raise ApplicationError(
            _("%(name)s must be a member of this time bank before joining a partner's staff.")
            % {"name": person.display_name},
            "not_member",
        )
    staff, created = OrganisationStaff.objects.select_for_update().get_or_create(
        organisation=organisation,
        person=person,
        defaults={"timebank_id": organisation.timebank_id, "role": role},
    )
    old_role = None if created else staff.role
    if not created and staff.role != role:
        staff.role = role
        staff.save(update_fields=["role"])
    if created or old_role != role:
        audit_record(
            action="organisation.staff_set",
            actor=acting,
            timebank_id=organisation.timebank_id,
            target=f"organisation:{organisation.public_id}",
            data={"person": str(person.public_id), "old": old_role, "new": role},
        )
    return staff


def organisation_limits_set(
    *,
    organisation: Organisation,
    acting: Person,
    min_balance: int,
    max_balance: int | None,
    reason: str,
) -> Account:
    """The coordinator sets how far the organisation's account may go (ledger.limits checks and
    audits it)."""
    account = organisation_account_get_or_open(organisation=organisation)
    return account_limits_set(
        account=account,
        min_balance=min_balance,
        max_balance=max_balance,
        acting=acting,
        reason=reason,
    )


# --- referrals ----------------------------------------------------------------------------------


def _referral_audit(referral: Referral, action: str, acting: Person, **data: object) -> None:
    audit_record(
        action=f"referral.{action}",
        actor=acting,
        timebank_id=referral.timebank_id,
        target=f"referral:{referral.public_id}",
        data=data,
    )


def _referral_url(referral: Referral) -> str:
    return reverse("partners:referral", args=[referral.public_id])


@transaction.atomic
def referral_create(
    *,
    timebank: TimeBank,
    acting: Person,
    organisation: Organisation,
    first_name: str,
    last_name: str = "",
    email: str = "",
    phone: str = "",
    contact_preference: str = ContactPreference.PHONE,
    area: str = "",
    what_matters: str = "",
    goals: Sequence[str] = (),
    other_goal: str = "",
    support_notes: str = "",
    consent: bool,
    consent_given_by: str,
    consent_given_on: date | None,
    consent_how: str,
) -> Referral:
    """A professional refers someone into the time bank. No consent, no referral: the consent
    must be recorded (who gave it, when and how) or nothing is written."""
    standing = standing_in(person=acting, timebank=timebank)
    if organisation.timebank_id != timebank.pk or not standing.is_staff_of(organisation.pk):
        raise PermissionDenied(
            _("Only staff of a partner organisation can refer someone for it."), "not_staff"
        )
    consent_given_by = (consent_given_by or "").strip()
    if not consent or not consent_given_by or consent_given_on is None:
        raise ApplicationError(
            _(
                "We can only take a referral the person has agreed to. Record who gave consent, "
                "when and how."
            ),
            "no_consent",
        )
    if consent_how not in ConsentHow.values:
        raise ApplicationError(_("Say how consent was given."), "no_consent")
    if consent_given_on > timezone.localdate():
        raise ApplicationError(_("Consent cannot be dated in the future."), "future_date")
    first_name, email, phone = first_name.strip(), email.strip(), phone.strip()
    if not first_name:
        raise ApplicationError(_("Give the person's first name."), "no_name")
    if contact_preference not in ContactPreference.values:
        raise ApplicationError(_("Choose how they would like to be contacted."), "bad_contact")
    if contact_preference == ContactPreference.EMAIL and not email:
        raise ApplicationError(
            _("They would like an email: please give their email address."), "no_email"
        )
    if contact_preference in {ContactPreference.PHONE, ContactPreference.TEXT} and not phone:
        raise ApplicationError(
            _("They would like a call or a text: please give their phone number."), "no_phone"
        )
    goals = list(dict.fromkeys(goals))
    if not set(goals) <= set(Goal.values):
        raise ApplicationError(_("Choose their goals from the list."), "bad_goal")
    if not goals and not other_goal.strip():
        raise ApplicationError(
            _("Choose at least one goal, or write one in their words."), "no_goal"
        )
    now = timezone.now()
    referral = Referral.objects.create(
        timebank=timebank,
        organisation=organisation,
        referred_by=acting,
        first_name=first_name[:150],
        last_name=last_name.strip()[:150],
        email=email,
        phone=phone,
        contact_preference=contact_preference,
        area=area.strip()[:80],
        what_matters=what_matters.strip(),
        goals=[g for g in Goal.values if g in goals],
        other_goal=other_goal.strip()[:200],
        support_notes=support_notes.strip(),
        consent_given_by=consent_given_by[:150],
        consent_given_on=consent_given_on,
        consent_how=consent_how,
        status=ReferralStatus.RECEIVED,
        received_at=now,
    )
    ReferralEvent.objects.create(
        timebank=timebank,
        referral=referral,
        from_status="",
        to_status=ReferralStatus.RECEIVED,
        occurred_on=timezone.localdate(now),
        recorded_by=acting,
    )
    # Contact details and notes stay out of the audit log; it names the referral and consent.
    _referral_audit(
        referral,
        "created",
        acting,
        organisation=str(organisation.public_id),
        consent={
            "given_by": consent_given_by,
            "given_on": consent_given_on.isoformat(),
            "how": consent_how,
        },
    )
    for coordinator in coordinators_of(timebank):
        notify(
            person=coordinator,
            kind="referral_received",
            timebank=timebank,
            url=_referral_url(referral),
            message=_("%(organisation)s has referred someone to the time bank.")
            % {"organisation": organisation.name},
        )
    return referral


# The steps a coordinator records by hand; induction has its own service (it creates a member).
TRANSITIONS: dict[str, set[str]] = {
    ReferralStatus.RECEIVED: {
        ReferralStatus.CONTACTED,
        ReferralStatus.DECLINED,
        ReferralStatus.UNREACHABLE,
    },
    ReferralStatus.CONTACTED: {
        ReferralStatus.INDUCTED,
        ReferralStatus.DECLINED,
        ReferralStatus.UNREACHABLE,
    },
    ReferralStatus.UNREACHABLE: {ReferralStatus.CONTACTED, ReferralStatus.DECLINED},
    ReferralStatus.INDUCTED: {ReferralStatus.ACTIVE, ReferralStatus.CLOSED},
    ReferralStatus.ACTIVE: {ReferralStatus.CLOSED},
    ReferralStatus.CLOSED: set(),
    ReferralStatus.DECLINED: set(),
}
REASON_REQUIRED = {ReferralStatus.DECLINED, ReferralStatus.UNREACHABLE}


def next_steps(referral: Referral) -> list[str]:
    return [s for s in ReferralStatus.values if s in TRANSITIONS[referral.status]]


def _locked_referral(referral: Referral) -> Referral:
    # Locked so two coordinators recording a step at once cannot both move it on.
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _check_step(referral: Referral, to_status: str, on: date) -> None:
    if to_status not in TRANSITIONS[referral.status]:
        raise Conflict(
            _("A referral that is “%(current)s” cannot become “%(new)s”.")
            % {
                "current": ReferralStatus(referral.status).label,
                "new": ReferralStatus(to_status).label,
            },
            "bad_transition",
        )
    if on > timezone.localdate():
        raise ApplicationError(_("The date cannot be in the future."), "future_date")
    if on < timezone.localdate(referral.received_at):
        raise ApplicationError(
            _("The date cannot be before the referral was received."), "early_date"
        )


def _record_step(
    referral: Referral, to_status: str, on: date, acting: Person, reason: str = ""
) -> None:
    from_status = referral.status
    referral.status = to_status
    dates: dict[str, str] = {
        ReferralStatus.CONTACTED: "contacted_on",
        ReferralStatus.INDUCTED: "inducted_on",
        ReferralStatus.ACTIVE: "active_on",
    }
    field = dates.get(to_status, "ended_on")
    setattr(referral, field, on)
    if field == "ended_on":
        referral.end_reason = reason
    elif to_status == ReferralStatus.CONTACTED:
        # Someone unreachable who calls back is back on the path.
        referral.ended_on, referral.end_reason = None, ""
    referral.save()
    ReferralEvent.objects.create(
        timebank_id=referral.timebank_id,
        referral=referral,
        from_status=from_status,
        to_status=to_status,
        occurred_on=on,
        reason=reason,
        recorded_by=acting,
    )
    _referral_audit(
        referral,
        "moved",
        acting,
        old_status=from_status,
        new_status=to_status,
        on=on.isoformat(),
        **({"reason": reason} if reason else {}),
    )
    notify(
        person=referral.referred_by,
        kind="referral_moved",
        timebank=referral.timebank,
        url=_referral_url(referral),
        message=_("Your referral of %(name)s is now: %(status)s.")
        % {"name": referral.display_name, "status": ReferralStatus(to_status).label},
    )


@transaction.atomic
def referral_move(
    *, referral: Referral, acting: Person, to_status: str, on: date, reason: str = ""
) -> Referral:
    """A coordinator records the next step: contacted, active, closed, declined or unreachable
    (the last two need a reason)."""
    require_coordinator(person=acting, timebank=referral.timebank)
    if to_status not in ReferralStatus.values:
        raise ApplicationError(_("Choose the next step."), "bad_status")
    if to_status == ReferralStatus.INDUCTED:
        raise ApplicationError(
            _("Record the induction with its own form: it makes them a member."), "use_induct"
        )
    referral = _locked_referral(referral)
    _check_step(referral, to_status, on)
    reason = (reason or "").strip()
    if to_status in REASON_REQUIRED and not reason:
        raise ApplicationError(
            _("Say why, so the referrer knows what happened."), "reason_required"
        )
    _record_step(referral, to_status, on, acting, reason)
    return referral


def _unique_username(first: str, last: str) -> str:
    base = re.sub(r"[^a-z0-9]+", ".", slugify(f"{first} {last}")).strip(".")[:30] or "member"
    username, n = base, 1
    while Person.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}{n}"
    return username


@transaction.atomic
def referral_induct(
    *, referral: Referral, acting: Person, inducted_on: date, notes: str = ""
) -> Referral:
    """The coordinator has met the person: they become an active member of the time bank.

    Their login is made from the referral (no password yet: the coordinator hands them a
    one-time link to choose one, or arranges exchanges for them, as for any member who is not
    online), then the induction is recorded by community.services.membership_induct, as for any
    applicant.
    """
    require_coordinator(person=acting, timebank=referral.timebank)
    referral = _locked_referral(referral)
    _check_step(referral, ReferralStatus.INDUCTED, inducted_on)
    person = Person(
        username=_unique_username(referral.first_name, referral.last_name),
        first_name=referral.first_name,
        last_name=referral.last_name,
        email=referral.email,
        phone=referral.phone,
        contact_preference=referral.contact_preference,
    )
    person.set_unusable_password()
    person.save()
    membership = Membership.objects.create(
        timebank_id=referral.timebank_id,
        person=person,
        status=MembershipStatus.APPLIED,
        area=referral.area,
        application_note=_("Referred by %(organisation)s.")
        % {"organisation": referral.organisation.name},
    )
    membership_induct(
        membership=membership,
        acting=acting,
        inducted_on=inducted_on,
        inducted_by=acting,
        notes=notes,
    )
    referral.person = person
    _record_step(referral, ReferralStatus.INDUCTED, inducted_on, acting)
    return referral


@transaction.atomic
def referral_suggest_offer(*, referral: Referral, acting: Person, offer: Offer) -> Referral:
    """The coordinator notes an offer for the person's first exchange."""
    require_coordinator(person=acting, timebank=referral.timebank)
    if offer.timebank_id != referral.timebank_id or offer.status != ListingStatus.ACTIVE:
        raise ApplicationError(_("That offer is no longer open."), "listing_closed")
    referral = _locked_referral(referral)
    if referral.status in FINAL_STATUSES:
        raise Conflict(_("This referral is closed."), "closed")
    referral.suggested_offer = offer
    referral.save(update_fields=["suggested_offer"])
    _referral_audit(referral, "offer_suggested", acting, offer=str(offer.public_id))
    return referral


def referral_contact_viewed(*, referral: Referral, viewer: Person) -> None:
    """The referral's page shows how to reach the person (phone, email) to a coordinator or the
    referring organisation's staff: each view is audit-logged, like the notes."""
    _referral_audit(referral, "contact_viewed", viewer)


def referral_notes_view(*, referral: Referral, viewer: Person) -> str:
    """The support and risk notes, for a coordinator or the referrer only; each view is
    audit-logged (who read them, and when)."""
    standing = standing_in(person=viewer, timebank=referral.timebank)
    if not (standing.is_coordinator or referral.referred_by_id == viewer.pk):
        raise NotFound(_("No such page."))
    _referral_audit(referral, "notes_viewed", viewer)
    return referral.support_notes


@transaction.atomic
def outcome_record(
    *,
    referral: Referral,
    acting: Person,
    stage: str,
    measured_on: date,
    items: list[int],
    goal_progress: dict[str, str] | None = None,
    own_words: str = "",
) -> Outcome:
    """Record the wellbeing measure at the start or at review (coordinators, or staff of the
    referring organisation). The review also says how each goal went."""
    standing = standing_in(person=acting, timebank=referral.timebank)
    if not (standing.is_coordinator or standing.is_staff_of(referral.organisation_id)):
        raise PermissionDenied(_("Only the coordinator or the referrer can record outcomes."))
    if stage not in OutcomeStage.values:
        raise ApplicationError(_("Say whether this is the start or the review."), "bad_stage")
    raw, metric = swemwbs_score(items)
    if measured_on > timezone.localdate():
        raise ApplicationError(_("The date cannot be in the future."), "future_date")
    referral = _locked_referral(referral)
    if referral.status in {ReferralStatus.DECLINED, ReferralStatus.UNREACHABLE}:
        raise Conflict(
            _("This referral did not go ahead, so there is nothing to measure."), "not_started"
        )
    existing = {o.stage: o for o in referral.outcomes.all()}
    if stage in existing:
        raise Conflict(
            _("The %(stage)s measure has already been recorded.")
            % {"stage": OutcomeStage(stage).label.lower()},
            "already_recorded",
        )
    progress: dict[str, str] = {}
    if stage == OutcomeStage.REVIEW:
        if OutcomeStage.START not in existing:
            raise Conflict(
                _("Record the measure at the start first, so the review has something to compare."),
                "no_start",
            )
        goals = list(referral.goals) + ([OTHER_GOAL] if referral.other_goal else [])
        progress = {g: v for g, v in (goal_progress or {}).items() if v}
        if set(progress) - set(goals) or set(progress.values()) - set(GoalProgress.values):
            raise ApplicationError(_("Say how each of their goals went."), "bad_progress")
        missing = [g for g in goals if g not in progress]
        if missing:
            raise ApplicationError(_("Say how each of their goals went."), "bad_progress")
    outcome = Outcome.objects.create(
        timebank_id=referral.timebank_id,
        referral=referral,
        stage=stage,
        measured_on=measured_on,
        **dict(zip(SWEMWBS_ITEM_FIELDS, items, strict=True)),
        raw_total=raw,
        metric_score=metric,
        goal_progress=progress,
        own_words=(own_words or "").strip(),
        recorded_by=acting,
    )
    _referral_audit(
        referral,
        "outcome_recorded",
        acting,
        stage=stage,
        raw_total=raw,
        metric_score=str(metric),
    )
    return outcome


# --- pools --------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^[A-Z]{3}$")
# A money account here is a record, not a wallet: the money stays in people's own budgets and
# bank accounts, and the ledger writes down who put what into a pool and what the pool paid for.
# A contributor's account therefore goes below zero by what they have put in, with no floor
# (a floor of 0, as for time credits, would refuse every contribution: nothing ever pays into
# it first).
MONEY_FLOOR = -(10**12)


def _money_account(*, timebank: TimeBank, unit: str, person: Person | None = None,
                   organisation: Organisation | None = None) -> Account:  # fmt: skip
    kind = AccountKind.MEMBER if person is not None else AccountKind.ORGANISATION
    account, _created = Account.objects.get_or_create(
        timebank=timebank,
        kind=kind,
        unit=unit,
        person=person,
        organisation=organisation,
        defaults={"min_balance": MONEY_FLOOR if person is not None else 0},
    )
    return account


def _require_active(person: Person, timebank: TimeBank) -> None:
    if not standing_in(person=person, timebank=timebank).can_trade:
        raise ApplicationError(
            _("%(name)s is not an active member of this time bank.")
            % {"name": person.display_name},
            "not_active",
        )


@transaction.atomic
def pool_create(
    *,
    timebank: TimeBank,
    acting: Person,
    name: str,
    unit: str,
    holders: Sequence[Person],
    approvals_required: int = 1,
    description: str = "",
    organisation: Organisation | None = None,
) -> Pool:
    """Open a pool. Its holders (active members; one or two must approve each spend) decide what
    it pays for. A member opens one they hold; a coordinator, or an organisation's staff for a
    pool of their organisation, may open one for others."""
    standing = standing_in(person=acting, timebank=timebank)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the pool a name."), "name_required")
    if unit != HOUR and not _CURRENCY.match(unit or ""):
        raise ApplicationError(
            _("A pool counts hours, or money in a currency such as GBP."), "bad_unit"
        )
    if approvals_required not in (1, 2):
        raise ApplicationError(_("Spending needs the approval of one or two holders."))
    if organisation is not None and organisation.timebank_id != timebank.pk:
        raise NotFound(_("No such organisation."))
    holders = list({h.pk: h for h in holders}.values())
    if not holders:
        raise ApplicationError(_("A pool needs at least one holder."), "no_holders")
    if len(holders) < approvals_required:
        raise ApplicationError(
            _("Two approvals need at least two holders: add a second holder."), "too_few_holders"
        )
    for holder in holders:
        _require_active(holder, timebank)
    speaks_for_others = standing.is_coordinator or (
        organisation is not None and standing.is_staff_of(organisation.pk)
    )
    if not speaks_for_others and acting.pk not in {h.pk for h in holders}:
        raise PermissionDenied(_("You can open a pool you hold yourself."), "not_holder")
    if not speaks_for_others:
        _require_active(acting, timebank)
    account = Account.objects.create(
        timebank=timebank,
        kind=AccountKind.POOL,
        unit=unit,
        organisation=organisation,
        name=name[:160],
        min_balance=0,
    )
    pool = Pool.objects.create(
        timebank=timebank,
        name=name[:120],
        description=(description or "").strip(),
        unit=unit,
        account=account,
        organisation=organisation,
        approvals_required=approvals_required,
        created_by=acting,
    )
    PoolHolder.objects.bulk_create(
        [PoolHolder(timebank=timebank, pool=pool, person=h) for h in holders]
    )
    audit_record(
        action="pool.created",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"pool:{pool.public_id}",
        data={
            "name": pool.name,
            "unit": unit,
            "approvals_required": approvals_required,
            "holders": [str(h.public_id) for h in holders],
        },
    )
    return pool


def _is_holder(pool: Pool, person: Person) -> bool:
    return pool.holder_rows.filter(person=person).exists()


@transaction.atomic
def pool_contribute(
    *, pool: Pool, acting: Person, amount: int, memo: str = "", token: str | None = None
) -> Transfer:
    """Put hours (or, for a money pool, a share of one's budget) into the pool. `token` comes
    from the form, so a form sent twice puts the amount in once."""
    timebank = pool.timebank
    _require_active(acting, timebank)
    if pool.is_money:
        if not _is_holder(pool, acting):
            raise PermissionDenied(
                _("Only the people clubbing their budgets together can add to this pool."),
                "not_holder",
            )
        payer = _money_account(timebank=timebank, unit=pool.unit, person=acting)
    else:
        payer = member_account_get_or_open(timebank=timebank, person=acting)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ApplicationError(_("Put in more than nothing."), "bad_amount")
    transfer = transfer_post(
        timebank=timebank,
        acting=acting,
        payer=payer,
        payee=pool.account,
        minutes=amount,
        kind=TransferKind.POOL,
        memo=((memo or "").strip() or _("Into %(pool)s") % {"pool": pool.name})[:255],
        idempotency_key=f"pool-contribution:{pool.public_id}:{token}" if token else None,
    )
    return transfer


def _payee_account(pool: Pool, payee: Person | Organisation) -> Account:
    timebank = pool.timebank
    if isinstance(payee, Organisation):
        if payee.timebank_id != timebank.pk:
            raise NotFound(_("No such organisation."))
        if pool.is_money:
            return _money_account(timebank=timebank, unit=pool.unit, organisation=payee)
        return organisation_account_get_or_open(organisation=payee)
    _require_active(payee, timebank)
    if pool.is_money:
        return _money_account(timebank=timebank, unit=pool.unit, person=payee)
    return member_account_get_or_open(timebank=timebank, person=payee)


def _post_spend(spend: PoolSpend, acting: Person) -> None:
    transfer = transfer_post(
        timebank=spend.pool.timebank,
        acting=acting,
        payer=spend.pool.account,
        payee=spend.payee,
        minutes=int(spend.amount),
        kind=TransferKind.POOL,
        memo=spend.purpose[:255],
        idempotency_key=f"pool-spend:{spend.public_id}",
    )
    spend.status = SpendStatus.SPENT
    spend.approved_by = acting
    spend.decided_at = timezone.now()
    spend.transfer = transfer
    spend.save(update_fields=["status", "approved_by", "decided_at", "transfer"])


def _spend_url(spend: PoolSpend) -> str:
    return reverse("partners:pool", args=[spend.pool.public_id])


@transaction.atomic
def pool_spend_propose(
    *,
    pool: Pool,
    acting: Person,
    payee: Person | Organisation,
    amount: int,
    purpose: str,
) -> PoolSpend:
    """A holder proposes spending from the pool. When one approval is enough, theirs is it and
    the spend posts now; otherwise it waits for another holder."""
    # Locked so two proposals cannot both count the same balance as available.
    pool = Pool.objects.select_for_update().select_related("account", "timebank").get(pk=pool.pk)
    if not _is_holder(pool, acting):
        raise PermissionDenied(_("Only the pool's holders can spend from it."), "not_holder")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ApplicationError(_("Say what it is for."), "purpose_required")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ApplicationError(_("Spend more than nothing."), "bad_amount")
    account = _payee_account(pool, payee)
    if account.pk == pool.account_id:
        raise ApplicationError(_("A pool cannot pay itself."), "same_account")
    spend = PoolSpend.objects.create(
        timebank=pool.timebank,
        pool=pool,
        payee=account,
        amount=amount,
        purpose=purpose[:200],
        proposed_by=acting,
    )
    audit_record(
        action="pool.spend_proposed",
        actor=acting,
        timebank_id=pool.timebank_id,
        target=f"pool:{pool.public_id}",
        data={"spend": str(spend.public_id), "amount": amount, "payee": str(account.public_id)},
    )
    if pool.approvals_required == 1:
        _post_spend(spend, acting)
        return spend
    for holder in pool.holders.exclude(pk=acting.pk):
        notify(
            person=holder,
            kind="pool_spend_proposed",
            timebank=pool.timebank,
            url=_spend_url(spend),
            message=_(
                "%(name)s proposes spending from %(pool)s: %(purpose)s. Please approve it or not."
            )
            % {"name": acting.display_name, "pool": pool.name, "purpose": spend.purpose},
        )
    return spend


def _locked_spend(spend: PoolSpend) -> PoolSpend:
    # Locked so two holders deciding at once cannot both approve (or one approve, one refuse).
    return (
        PoolSpend.objects.select_for_update(of=("self",))
        .select_related("pool", "pool__account", "pool__timebank", "payee", "proposed_by")
        .get(pk=spend.pk)
    )


def _pending(spend: PoolSpend) -> None:
    if spend.status != SpendStatus.PENDING:
        raise Conflict(
            _("This proposal has already been decided: %(status)s.")
            % {"status": SpendStatus(spend.status).label.lower()},
            "decided",
        )


@transaction.atomic
def pool_spend_approve(*, spend: PoolSpend, acting: Person) -> PoolSpend:
    """A second holder approves: the spend posts. If the pool cannot cover it, nothing changes
    and the proposal stays waiting."""
    spend = _locked_spend(spend)
    if not _is_holder(spend.pool, acting):
        raise PermissionDenied(_("Only the pool's holders can approve spending."), "not_holder")
    _pending(spend)
    if spend.proposed_by_id == acting.pk:
        raise PermissionDenied(
            _("Another holder must approve this: you proposed it."), "own_proposal"
        )
    _post_spend(spend, acting)
    audit_record(
        action="pool.spend_approved",
        actor=acting,
        timebank_id=spend.timebank_id,
        target=f"pool:{spend.pool.public_id}",
        data={"spend": str(spend.public_id), "transfer": str(spend.transfer.public_id)},  # type: ignore[union-attr]
    )
    notify(
        person=spend.proposed_by,
        kind="pool_spend_decided",
        timebank=spend.pool.timebank,
        url=_spend_url(spend),
        message=_("%(name)s approved spending from %(pool)s: %(purpose)s.")
        % {"name": acting.display_name, "pool": spend.pool.name, "purpose": spend.purpose},
    )
    return spend


@transaction.atomic
def pool_spend_refuse(*, spend: PoolSpend, acting: Person, reason: str = "") -> PoolSpend:
    """Another holder says no (with a reason), or the proposer withdraws their proposal."""
    spend = _locked_spend(spend)
    if not _is_holder(spend.pool, acting):
        raise PermissionDenied(_("Only the pool's holders can decide on spending."), "not_holder")
    _pending(spend)
    reason = (reason or "").strip()
    withdrawn = spend.proposed_by_id == acting.pk
    if not withdrawn and not reason:
        raise ApplicationError(_("Say why, so the others know."), "reason_required")
    spend.status = SpendStatus.WITHDRAWN if withdrawn else SpendStatus.REFUSED
    spend.refusal_reason = reason
    spend.decided_at = timezone.now()
    spend.approved_by = None
    spend.save(update_fields=["status", "refusal_reason", "decided_at", "approved_by"])
    audit_record(
        action="pool.spend_withdrawn" if withdrawn else "pool.spend_refused",
        actor=acting,
        timebank_id=spend.timebank_id,
        target=f"pool:{spend.pool.public_id}",
        data={"spend": str(spend.public_id), "reason": reason},
    )
    if not withdrawn:
        notify(
            person=spend.proposed_by,
            kind="pool_spend_decided",
            timebank=spend.pool.timebank,
            url=_spend_url(spend),
            message=_("%(name)s did not approve spending from %(pool)s: %(reason)s")
            % {"name": acting.display_name, "pool": spend.pool.name, "reason": reason},
        )
    return spend
