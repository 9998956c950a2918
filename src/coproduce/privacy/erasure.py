"""Erasing a person: "Erase me" (the person, with their password) and a coordinator's erasure.

Erasure anonymises; it never deletes history that other people or the ledger rely on:
- the Person becomes "Former member" with a random `erased-…` username, no contact details,
  no profile text, an unusable password and `is_active` False (so they cannot sign in and any
  open session ends);
- their memberships end (`left`, area and notes blanked), their open listings are closed through
  `listing_close` and their words blanked, their proposed and agreed exchanges are cancelled
  through `exchange_cancel` with a note, thanks they wrote or received are deleted, their own
  notifications deleted and their name replaced in everyone else's, referrals about them lose
  the personal details, safeguarding checks lose reference and notes, API tokens are revoked;
- confirmed exchanges, pairings, transfers and entries are untouched (append-only); their member
  accounts are marked closed (`ledger.accounts.member_accounts_close`), keeping their balances,
  so `coproduce ledger verify` stays clean and every report's totals stay the same.
An exchange that is done and waiting for confirmation, or disputed, must be settled first: its
help happened and the other side's credits depend on it.

A coordinator erases a member of their own time bank. When the person also belongs to another
time bank (a membership there not `left`), the coordinator erases only what belongs to theirs:
the membership, its listings, exchanges, thanks, notifications and account there; the person's
login and name, shared with the other community, stay.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from coproduce.community.models import (
    ContactPreference,
    Membership,
    MembershipStatus,
    PasswordLink,
    Person,
    SafeguardingCheck,
    TimeBank,
)
from coproduce.community.permissions import (
    is_coordinator,
    membership_is_coordinator,
    require_coordinator,
)
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import Notification, OutgoingEmail
from coproduce.core.photos import photo_forget_on_commit
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    Feedback,
    ListingStatus,
    Offer,
    Request,
)
from coproduce.exchanges.services.exchanges import exchange_cancel
from coproduce.exchanges.services.listings import listing_close
from coproduce.ledger.accounts import member_accounts_close
from coproduce.matching.models import MatchingPreference, MatchProfile
from coproduce.partners.models import Outcome, Referral
from coproduce.privacy.signals import person_erased

# Stored in first_name so that code reading names straight from the database (reports, lists)
# shows it too; `Person.display_name` shows the translated words once `erased_at` is set.
ERASED_NAME = "Former member"
ERASED_LISTING_TITLE = "—"
_WAITING = (ExchangeStatus.DONE, ExchangeStatus.DISPUTED)
_OPEN = (ExchangeStatus.PROPOSED, ExchangeStatus.AGREED)
_OPEN_LISTINGS = (ListingStatus.ACTIVE, ListingStatus.PAUSED, ListingStatus.EXPIRED)


@dataclass(frozen=True)
class Erasure:
    """What an erasure did, for the message shown afterwards and the audit row."""

    whole_person: bool
    memberships_ended: int
    listings_closed: int
    exchanges_cancelled: int
    accounts_closed: int

    def as_data(self) -> dict[str, object]:
        return {
            "whole_person": self.whole_person,
            "memberships_ended": self.memberships_ended,
            "listings_closed": self.listings_closed,
            "exchanges_cancelled": self.exchanges_cancelled,
            "accounts_closed": self.accounts_closed,
        }


def has_membership_elsewhere(person: Person, timebank: TimeBank) -> bool:
    """Whether the person belongs to another time bank (a membership there that is not left)."""
    return (
        Membership.objects.filter(person=person)
        .exclude(timebank=timebank)
        .exclude(status=MembershipStatus.LEFT)
        .exists()
    )


@transaction.atomic
def person_erase(*, person: Person, password: str) -> Erasure:
    """ "Erase me": the person, signed in, confirms with their password."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at is not None:
        raise Conflict(_("This account has already been erased."), "already_erased")
    if not password or not person.check_password(password):
        raise PermissionDenied(_("That password is not right."), "wrong_password")
    bank_ids = list(Membership.objects.filter(person=person).values_list("timebank_id", flat=True))
    erasure = _erase(person=person, acting=person, timebank_ids=bank_ids, whole_person=True)
    audit_record(
        action="person.erased",
        actor=None,  # the person is erased: the row must not point back at a login
        target=f"person:{person.public_id}",
        data={"by": "self", **erasure.as_data()},
    )
    return erasure


@transaction.atomic
def member_erase(*, membership: Membership, acting: Person, reason: str) -> Erasure:
    """A coordinator erases a member of their time bank: the whole person when they belong
    nowhere else, otherwise only what belongs to this time bank."""
    timebank = membership.timebank
    require_coordinator(person=acting, timebank=timebank)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why this member is being erased."), "reason_required")
    person = Person.objects.select_for_update().get(pk=membership.person_id)
    if person.pk == acting.pk:
        raise PermissionDenied(
            _("To erase yourself, use “Erase me” on your Privacy page."), "own_erasure"
        )
    if person.erased_at is not None:
        raise Conflict(_("This person has already been erased."), "already_erased")
    whole = not has_membership_elsewhere(person, timebank)
    bank_ids = (
        list(Membership.objects.filter(person=person).values_list("timebank_id", flat=True))
        if whole
        else [timebank.pk]
    )
    erasure = _erase(person=person, acting=acting, timebank_ids=bank_ids, whole_person=whole)
    audit_record(
        action="person.erased" if whole else "membership.erased",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"person:{person.public_id}",
        data={"by": "coordinator", "reason": reason, **erasure.as_data()},
    )
    return erasure


def _erase(
    *, person: Person, acting: Person, timebank_ids: list[int], whole_person: bool
) -> Erasure:
    in_banks = Q(timebank_id__in=timebank_ids)
    # Exchanges they take part in from these banks: a partner bank's too (federation), as
    # their participant row carries the bank they take part from.
    takes_part = Q(participants__person=person, participants__timebank_id__in=timebank_ids)
    waiting = list(
        Exchange.objects.filter(takes_part, status__in=_WAITING).values_list("title", flat=True)
    )
    if waiting:
        raise Conflict(
            _(
                "These exchanges are done or disputed and must be confirmed or resolved first, "
                "so that the other side's time credits are right: %(titles)s"
            )
            % {"titles": "; ".join(sorted(waiting))},
            "exchanges_waiting",
        )
    memberships = list(
        Membership.objects.select_for_update().filter(in_banks, person=person).order_by("pk")
    )
    _keep_a_coordinator(memberships)
    # Messages name people by display name (the full name, else the username).
    old_name = person.display_name
    if whole_person:
        person_anonymise(person)
    note = _("The member left and their details were erased.")

    # Exchanges still to happen are called off, through the exchange service (which tells the
    # other side). The person is already anonymised, so the message names no one.
    cancelled = 0
    for exchange in (
        Exchange.objects.filter(takes_part, status__in=_OPEN).select_related("timebank").distinct()
    ):
        # In another time bank the coordinator cannot act; the person's own part is cancelled.
        who = acting if _may_act(acting, person, exchange.timebank) else person
        exchange_cancel(exchange=exchange, acting=who, reason=note)
        cancelled += 1

    closed = 0
    for model in (Offer, Request):
        listings = model.objects.filter(in_banks, person=person)
        for listing in listings.filter(status__in=_OPEN_LISTINGS).select_related("timebank"):
            if _may_act(acting, person, listing.timebank):
                listing_close(listing=listing, acting=acting)
                closed += 1
        # Listings in a time bank the person had already left, where no one here may act.
        closed += listings.filter(status__in=_OPEN_LISTINGS).update(status=ListingStatus.CLOSED)
        # Their own words and photos go; exchanges keep their own copy of the title.
        for name in listings.exclude(photo="").values_list("photo", flat=True):
            photo_forget_on_commit(name)
        listings.update(
            title=ERASED_LISTING_TITLE, description="", tags="", area="", photo="", photo_alt=""
        )

    Feedback.objects.filter(in_banks).filter(Q(author=person) | Q(about_person=person)).delete()
    own = Notification.objects.filter(person=person)
    (own if whole_person else own.filter(in_banks)).delete()
    # Copies of emails sent to them (core.mail) hold their address and words about them.
    emails = OutgoingEmail.objects.filter(person=person)
    (emails if whole_person else emails.filter(in_banks)).delete()
    if whole_person:  # otherwise the person keeps their name, as on the bank's exchanges
        Notification.objects.filter(in_banks, message__contains=old_name).update(
            message=Replace("message", Value(old_name), Value(str(_("Former member"))))
        )
    SafeguardingCheck.objects.filter(in_banks, person=person).update(reference="", notes="")
    _referrals_forget(person, timebank_ids)
    # The API revokes the person's tokens here (api/receivers.py): privacy may not import it.
    person_erased.send(sender=None, person=person, timebank_ids=timebank_ids)

    for membership in memberships:
        membership.status = MembershipStatus.LEFT
        membership.area = ""
        membership.application_note = ""
        membership.induction_notes = ""
        membership.save()  # save(), not update(): matching drops a member who left
    accounts = member_accounts_close(
        person=person, timebank_ids=timebank_ids, acting=acting, reason=str(note)
    )
    # Matching's copies of the profile and the person's own matching choices go too.
    MatchProfile.objects.filter(in_banks, person=person).delete()
    MatchingPreference.objects.filter(in_banks, person=person).update(excluded_categories=[])
    return Erasure(
        whole_person=whole_person,
        memberships_ended=len(memberships),
        listings_closed=closed,
        exchanges_cancelled=cancelled,
        accounts_closed=accounts,
    )


def _may_act(acting: Person, person: Person, timebank: TimeBank) -> bool:
    """Whether `acting` may close and cancel for the person in this time bank through the
    services: a coordinator of it, or the person while their membership there is not left."""
    if acting.pk != person.pk:
        return is_coordinator(person=acting, timebank=timebank)
    return (
        Membership.objects.filter(person=person, timebank=timebank)
        .exclude(status=MembershipStatus.LEFT)
        .exists()
    )


def _keep_a_coordinator(memberships: list[Membership]) -> None:
    """A time bank is never left without an active coordinator (as in membership_update)."""
    for membership in memberships:
        if not membership_is_coordinator(membership):
            continue
        others = (
            Membership.objects.select_for_update()
            .filter(timebank_id=membership.timebank_id, status=MembershipStatus.ACTIVE)
            .coordinators()
            .exclude(pk=membership.pk)
        )
        if not list(others):
            raise Conflict(
                _("%(timebank)s needs at least one active coordinator; appoint another first.")
                % {"timebank": membership.timebank.name},
                "last_coordinator",
            )


def person_anonymise(person: Person) -> None:
    """The Person row made anonymous: "Former member", no way to sign in, nothing personal."""
    person.first_name = ERASED_NAME
    person.last_name = ""
    person.username = f"erased-{secrets.token_hex(8)}"
    person.email = ""
    person.phone = ""
    person.gives = ""
    person.needs = ""
    person.about = ""
    person.availability = []
    person.languages = ""
    person.accessibility_needs = ""
    person.contact_preference = ContactPreference.THROUGH_COORDINATOR
    person.notify_by_email = False
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.set_unusable_password()
    person.erased_at = timezone.now()
    photo_forget_on_commit(person.photo.name)  # the file goes once the erasure commits
    person.photo = ""
    person.photo_alt = ""
    person.save()
    # Their two-step sign-in devices (authenticator app, recovery codes) are credentials, and an
    # unused one-time link to choose a password would be a way back in.
    for device in devices_for_user(person, confirmed=None):
        device.delete()
    PasswordLink.objects.filter(
        person=person, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=person.erased_at)


def _referrals_forget(person: Person, timebank_ids: list[int]) -> None:
    """Referrals about the person keep their stages, dates and wellbeing scores (the outcome
    report counts them) but lose everything that says who the person is."""
    referrals = Referral.objects.filter(person=person, timebank_id__in=timebank_ids)
    Outcome.objects.filter(referral__in=referrals).update(own_words="")
    referrals.update(
        first_name=ERASED_NAME,
        last_name="",
        email="",
        phone="",
        area="",
        what_matters="",
        other_goal="",
        support_notes="",
        consent_given_by="",
    )
