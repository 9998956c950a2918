"""Writes about referrals (social prescribing): a professional refers someone, with their recorded
consent; the time bank's coordinators take it through

    received → contacted → inducted → active → closed
    (received, contacted or unreachable) → declined;  (received, contacted) → unreachable;
    unreachable → contacted (they called back);  inducted → closed

with the date of each step, so waiting times show. At induction the person becomes an active
member. Outcomes are a SWEMWBS measure at the start and at review."""

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
    Person,
    TimeBank,
)
from coproduce.community.permissions import coordinators_of, require_coordinator, standing_in
from coproduce.community.services import membership_induct
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.notifications import notify
from coproduce.exchanges.models import ListingStatus, Offer
from coproduce.partners.models import (
    FINAL_STATUSES,
    OTHER_GOAL,
    SWEMWBS_ITEM_FIELDS,
    ConsentHow,
    Goal,
    GoalProgress,
    Outcome,
    OutcomeStage,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from coproduce.partners.swemwbs import swemwbs_score

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
    if organisation.timebank_id != timebank.pk or not standing.may_refer_for(organisation.pk):
        raise PermissionDenied(
            _("Only staff of a partner organisation who may refer can refer someone for it."),
            "not_staff",
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
            message=lambda: (
                _("%(organisation)s has referred someone to the time bank.")
                % {"organisation": organisation.name}
            ),
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
    referral: Referral,
    to_status: str,
    on: date,
    acting: Person,
    reason: str = "",
    recorded_by: Person | None = None,
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
        recorded_by=recorded_by or acting,
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
        message=lambda: (
            _("Your referral of %(name)s is now: %(status)s.")
            % {"name": referral.display_name, "status": ReferralStatus(to_status).label}
        ),
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


def referrals_first_exchange(
    *, timebank_id: int, person_ids: Sequence[int], acting: Person, on: date
) -> list[Referral]:
    """A confirmed exchange was the first for someone referred in: their referral moves from
    inducted to active, dated the day of the exchange's confirmation. Called inside the
    confirmation's transaction (partners/receivers.py). The step is recorded as the referred
    person's own, so the referrer's history never names who they exchanged with; the audit row
    names who confirmed. A referral a coordinator already moved on is left as it is."""
    if not person_ids:
        return []
    moved = []
    referrals = Referral.objects.select_for_update().filter(
        timebank_id=timebank_id, person_id__in=list(person_ids), status=ReferralStatus.INDUCTED
    )
    for referral in referrals.select_related("person", "referred_by", "timebank"):
        assert referral.person is not None
        _record_step(
            referral,
            ReferralStatus.ACTIVE,
            max(on, referral.inducted_on or on),
            acting,
            _("First exchange confirmed"),
            recorded_by=referral.person,
        )
        moved.append(referral)
    return moved


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
    """The support and risk notes, for a coordinator or the referrer only (while they may still
    refer for the organisation); each view is audit-logged (who read them, and when)."""
    standing = standing_in(person=viewer, timebank=referral.timebank)
    referrer = referral.referred_by_id == viewer.pk and standing.may_refer_for(
        referral.organisation_id
    )
    if not (standing.is_coordinator or referrer):
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
    """Record the wellbeing measure at the start or at review (coordinators, or the referring
    organisation's staff who may refer). The review also says how each goal went."""
    standing = standing_in(person=acting, timebank=referral.timebank)
    if not (standing.is_coordinator or standing.may_refer_for(referral.organisation_id)):
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
