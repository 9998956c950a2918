"""Reads about people and time banks, always scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    CheckKind,
    Membership,
    MembershipStatus,
    OrganisationStaff,
    PasswordLink,
    PasswordLinkPurpose,
    Person,
    Role,
    SafeguardingCheck,
    SafeguardingPause,
    TimeBank,
    Visibility,
)
from coproduce.community.permissions import is_site_admin, membership_is_coordinator
from coproduce.community.profile_reads import (
    AGREED_EXCHANGE_STATUSES,
    agreed_part,
    checks_current,
    profile_membership,
    thanks_public,
)
from coproduce.community.safeguarding import is_paused_q
from coproduce.community.tokens import token_hash
from coproduce.core.errors import NotFound


def membership_get(*, person: Person, timebank: TimeBank) -> Membership | None:
    return Membership.objects.filter(person=person, timebank=timebank).first()


def timebanks_for(person: Person) -> list[Membership]:
    """The time banks a person belongs to (any status but left), for the switcher."""
    return list(
        Membership.objects.filter(person=person)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("timebank")
        .order_by("timebank__name")
    )


def timebank_get_for(person: Person, slug: str) -> TimeBank:
    """A time bank the person belongs to; anyone else is told it does not exist."""
    membership = (
        Membership.objects.filter(person=person, timebank__slug=slug)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("timebank")
        .first()
    )
    if membership is None:
        raise NotFound("No such time bank.")
    return membership.timebank


# --- Joining ---------------------------------------------------------------------------------


def timebanks_to_join() -> list[TimeBank]:
    """Every time bank on this installation, for the list a newcomer chooses from."""
    return list(TimeBank.objects.order_by("name"))


def installation_is_empty() -> bool:
    """No time bank yet: the site shows its first-run page (how to make one) and nothing else."""
    return not TimeBank.objects.exists()


def timebank_by_slug(slug: str) -> TimeBank:
    """A time bank anyone may apply to (its name and description are public)."""
    timebank = TimeBank.objects.filter(slug=slug).first()
    if timebank is None:
        raise NotFound(_("There is no time bank at that address."))
    return timebank


def application_get_for(person: Person, timebank: TimeBank) -> Membership:
    """The person's own membership of a time bank, for the thank-you page after applying."""
    membership = Membership.objects.filter(person=person, timebank=timebank).first()
    if membership is None or membership.status == MembershipStatus.LEFT:
        raise NotFound(_("You have not applied to this time bank."))
    return membership


# --- Profiles ---------------------------------------------------------------------------------


def _may_see_members(membership: Membership | None, timebank: TimeBank | None) -> bool:
    """Active and paused members see each other's public profiles; an applicant not yet. A
    professional from a partner organisation does not browse members: they see the people they
    referred through the referral, and nothing else of other members (issue 4's rule)."""
    return (
        membership is not None
        and timebank is not None
        and membership.timebank_id == timebank.pk
        and membership.status in {MembershipStatus.ACTIVE, MembershipStatus.PAUSED}
        and membership.role != Role.PROFESSIONAL
    )


def may_see_profiles(membership: Membership | None, timebank: TimeBank | None) -> bool:
    """Whether this membership may open other members' public profiles (so a page links a name
    to its profile only when the link leads somewhere): coordinators, and active or paused
    members who are not professionals."""
    return membership_is_coordinator(membership) or _may_see_members(membership, timebank)


def profile_get_for(
    viewer: Person,
    timebank: TimeBank | None,
    public_id: UUID | str,
    *,
    viewer_membership: Membership | None = None,
) -> Membership:
    """Someone's membership of the viewer's current time bank, with the person (and the time
    bank), for their public profile. Members see active members (and themselves); coordinators
    see everyone in their time bank. Anyone else, and anyone in another time bank, is told there
    is no such person. `viewer_membership`: the viewer's membership of `timebank` when the
    caller already holds it (a page: the middleware read it), saving a query."""
    if timebank is None:
        raise NotFound(_("No such person."))
    if (
        viewer_membership is None
        or viewer_membership.person_id != viewer.pk
        or viewer_membership.timebank_id != timebank.pk
    ):
        viewer_membership = membership_get(person=viewer, timebank=timebank)
    found = profile_membership(timebank_id=timebank.pk, public_id=public_id)
    target = found[0] if found else None
    if target is None or viewer_membership is None:
        raise NotFound(_("No such person."))
    target.timebank = timebank  # the row's own, already in hand: no query to read it again
    if membership_is_coordinator(viewer_membership):
        return target
    if target.person_id == viewer.pk and target.status != MembershipStatus.LEFT:
        return target
    if (
        _may_see_members(viewer_membership, timebank)
        and target.status == MembershipStatus.ACTIVE
        and not target.safeguarding_paused  # type: ignore[attr-defined]  # annotated above
    ):
        return target
    raise NotFound(_("No such person."))


def members_visible_to(*, viewer: Person, timebank: TimeBank) -> QuerySet[Person]:
    """The other active members of `timebank` whose profiles `viewer` may see, in name order, for
    a page that lets them choose one (a gift's recipient): every one for a coordinator, all but
    those under a safeguarding pause for an active or paused member, no one for an applicant, a
    professional (who does not browse members) or a stranger to the time bank."""
    membership = membership_get(person=viewer, timebank=timebank)
    if membership is None or not (
        membership_is_coordinator(membership) or _may_see_members(membership, timebank)
    ):
        return Person.objects.none()
    people = Person.objects.filter(
        memberships__timebank=timebank, memberships__status=MembershipStatus.ACTIVE
    ).exclude(pk=viewer.pk)
    if not membership.is_coordinator:
        # Someone under a safeguarding pause is out of other members' sight (profile_get_for).
        people = people.exclude(
            pk__in=SafeguardingPause.objects.filter(
                timebank=timebank, ended_at__isnull=True
            ).values("person_id")
        )
    return people.order_by("first_name", "last_name", "username")


@dataclass(frozen=True)
class Badge:
    kind: str
    label: str
    until: date | None


def badges_for(person: Person, timebank: TimeBank, *, today: date | None = None) -> list[Badge]:
    """The checks that are current today, one badge per kind (the one that runs longest).
    Only the kind and the expiry date leave this function: never the reference or notes."""
    today = today or timezone.localdate()
    rows = checks_current(timebank_id=timebank.pk, person_id=person.pk, today=today)
    best: dict[str, date | None] = {}
    for row in rows:
        kind, expires_on = row["kind"], row["expires_on"]
        # No expiry beats any date; otherwise the later date wins.
        held = best.get(kind, date.min)
        if held is not None and (expires_on is None or expires_on > held):
            best[kind] = expires_on
    order = list(CheckKind.values)
    return [
        Badge(kind=kind, label=str(CheckKind(kind).label), until=until)
        for kind, until in sorted(best.items(), key=lambda item: order.index(item[0]))
    ]


def checks_for(person: Person, timebank: TimeBank) -> list[SafeguardingCheck]:
    """All the checks recorded for a person in one time bank, newest first: for the person
    themselves and their coordinators only."""
    return list(
        SafeguardingCheck.objects.filter(timebank=timebank, person=person)
        .select_related("recorded_by")
        .order_by("-checked_on", "-recorded_at")
    )


def public_thanks_for(person: Person, timebank: TimeBank, *, limit: int = 10) -> list[Any]:
    """The thanks other members chose to make public about this person, newest first.

    Thanks are written by the exchanges app, which community may not import; the relation it
    declares onto Person (`feedback_received`) reads them without that import.
    """
    return thanks_public(person_id=person.pk, timebank_id=timebank.pk, limit=limit)


def thanks_received_by(person: Person, timebank: TimeBank, *, limit: int = 20) -> list[Any]:
    """Every thanks written about this person, for their own "My profile": the public ones and
    those the writer kept between the two of them, newest first."""
    return list(
        person.feedback_received.filter(timebank=timebank)  # type: ignore[attr-defined]
        .select_related("author")
        .order_by("-created_at")[:limit]
    )


# --- What a coordinator sees --------------------------------------------------------------------


def coordinator_membership_for(person: Person, timebank: TimeBank | None) -> Membership:
    """The asker's own membership, if it makes them a coordinator of the current time bank.
    Everyone else gets a 404: a coordinator page does not admit that it exists."""
    membership = membership_get(person=person, timebank=timebank) if timebank else None
    if membership is None or not membership_is_coordinator(membership):
        raise NotFound(_("No such page."))
    return membership


def member_get_for(
    coordinator: Person, timebank: TimeBank | None, public_id: UUID | str
) -> Membership:
    """A membership of the coordinator's current time bank, by the person's public id."""
    coordinator_membership_for(coordinator, timebank)
    membership = (
        Membership.objects.filter(timebank=timebank, person__public_id=public_id)
        .select_related("person", "inducted_by")
        .first()
    )
    if membership is None:
        raise NotFound(_("No such person in this time bank."))
    return membership


def applications_waiting(timebank: TimeBank) -> QuerySet[Membership]:
    """Applications the coordinator has not yet decided, the longest waiting first."""
    return (
        Membership.objects.filter(timebank=timebank, status=MembershipStatus.APPLIED)
        .select_related("person")
        .order_by("applied_at", "pk")
    )


def members_filtered(
    timebank: TimeBank,
    *,
    status: str = "",
    role: str = "",
    area: str = "",
    search: str = "",
) -> QuerySet[Membership]:
    """The coordinator's members list: one time bank's memberships with their people, filtered,
    in name order. The web layer adds the account balance to the same query."""
    memberships = (
        Membership.objects.filter(timebank=timebank)
        .select_related("person")
        .annotate(safeguarding_paused=is_paused_q())
    )
    if status:
        memberships = memberships.filter(status=status)
    if role:
        memberships = memberships.filter(role=role)
    if area:
        memberships = memberships.filter(area__iexact=area)
    for word in search.split()[:5]:
        memberships = memberships.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__username__icontains=word)
        )
    return memberships.order_by(
        Lower("person__first_name"), Lower("person__last_name"), "person__username", "pk"
    )


def areas_in(timebank: TimeBank) -> list[str]:
    """The areas members of a time bank have given, for the list's filter (one query)."""
    return list(
        Membership.objects.filter(timebank=timebank)
        .exclude(area="")
        .order_by("area")
        .values_list("area", flat=True)
        .distinct()
    )


# --- Handing a member a way to sign in ----------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """Whether a coordinator may give someone a link to choose their password, and if not, why
    (`reason`, for the coordinator's page; `code`, for tests and the refusal's error code)."""

    allowed: bool
    code: str = ""
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def password_handover_allowed(*, person: Person, timebank: TimeBank) -> Handover:
    """May a coordinator of `timebank` hand `person` a link to choose a new password?

    A person has one login across every time bank, so choosing its password is taking it over.
    A coordinator may do it only for a login that is nothing but a plain member of their own
    time bank and has never been used: no membership of any other time bank (whatever its
    status), no coordinator, administrator or professional role, no place on an organisation's
    staff, not a site administrator, and never signed in. Anyone else chooses their own password.
    The reasons never say which other time bank or organisation (the coordinator may not know).
    """
    memberships = list(
        Membership.objects.filter(person=person).values_list("timebank_id", "role", "status")
    )
    if person.last_login is not None:
        return Handover(
            False,
            "signed_in",
            _(
                "They have signed in before, so only they can choose their password. If they "
                "have forgotten it, the site administrator can help."
            ),
        )
    own = [m for m in memberships if m[0] == timebank.pk]
    if own and own[0][1] != Role.MEMBER:
        return Handover(
            False,
            "role",
            _("Coordinators, administrators and professionals choose their own passwords."),
        )
    if (
        len(memberships) != 1
        or not own
        or person.is_staff
        or person.is_superuser
        or OrganisationStaff.objects.filter(person=person).exists()
    ):
        return Handover(
            False,
            "elsewhere",
            _(
                "Their login has other roles or memberships on this site, so only they, or the "
                "site administrator, can change its password."
            ),
        )
    status = own[0][2]
    if status == MembershipStatus.LEFT:
        return Handover(False, "left", _("They have left this time bank."))
    return Handover(True)


def password_link_usable(link: PasswordLink, *, now: datetime | None = None) -> bool:
    """Does this link still work? Unused, not revoked, not expired, and, for a link a
    coordinator made, the rule it was made under still holds: a member who has since signed in,
    joined another time bank or taken on a role chooses their own password; for a site
    administrator's, they still are one."""
    if not link.is_live(now or timezone.now()):
        return False
    if link.purpose == PasswordLinkPurpose.HANDOVER:
        return link.timebank is not None and bool(
            password_handover_allowed(person=link.person, timebank=link.timebank)
        )
    if link.purpose == PasswordLinkPurpose.ADMIN_SETUP:
        # Only while they are still a site administrator (not erased, not switched off).
        return link.person.erased_at is None and is_site_admin(link.person)
    return False


def password_link_by_token(token: str) -> PasswordLink | None:
    """The link a token opens, if it still works; None for any other token, so the page
    cannot tell an unknown token from a spent one."""
    hashed = token_hash(token)
    if hashed is None:
        return None
    link = (
        PasswordLink.objects.filter(token_hash=hashed).select_related("person", "timebank").first()
    )
    if link is None or not password_link_usable(link):
        return None
    return link


def password_link_live_for(person: Person) -> PasswordLink | None:
    """The newest unused, unexpired link a coordinator made for this person, if any."""
    return (
        PasswordLink.objects.filter(
            person=person,
            purpose=PasswordLinkPurpose.HANDOVER,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("created_by")
        .order_by("-created_at")
        .first()
    )


# --- Privacy: who sees a member's contact details (issue 10) ----------------------------------


@dataclass(frozen=True)
class VisibleContact:
    """What a viewer may see of one member's contact details: None means "not shared with
    you". `everything` is True for the person themselves and their coordinators."""

    phone: str | None
    email: str | None
    area: str | None
    everything: bool = False


def have_agreed_exchange(*, person: Person, other: Person, timebank: TimeBank) -> bool:
    """Whether two people take part in one exchange of this time bank that was agreed (or went
    further). Read through Person.exchange_parts so community never imports exchanges."""
    return bool(agreed_part(person_id=person.pk, other_id=other.pk, timebank_id=timebank.pk))


def contact_visible_to(
    viewer: Person,
    membership: Membership,
    *,
    viewer_membership: Membership | None = None,
    agreed: bool | None = None,
) -> VisibleContact:
    """The one place that decides what `viewer` sees of the phone, email and area of the person
    of `membership` (the profile page now, exchange pages later). The person themselves and the
    time bank's active coordinators see everything (coordinators for safeguarding, whatever the
    choice). Other active or paused members see what the person chose to show: nobody, people
    they have an agreed exchange with in this time bank, or all members. Professionals do not
    browse members, applicants see no one, and no one sees a member who has left or applied.
    At most two queries: the viewer's membership (unless given) and one exchange look-up (unless
    the caller knows they have an agreed exchange: `agreed=True`, the exchange page)."""
    person = membership.person
    everything = VisibleContact(
        phone=person.phone, email=person.email, area=membership.area, everything=True
    )
    if viewer.pk == person.pk:
        return everything
    if viewer_membership is None or viewer_membership.timebank_id != membership.timebank_id:
        viewer_membership = membership_get(person=viewer, timebank=membership.timebank)
    if membership_is_coordinator(viewer_membership):
        return everything
    nothing = VisibleContact(phone=None, email=None, area=None)
    if (
        not _may_see_members(viewer_membership, membership.timebank)
        or membership.status not in {MembershipStatus.ACTIVE, MembershipStatus.PAUSED}
        or person.erased_at is not None
    ):
        return nothing
    choices = {
        "phone": membership.phone_visible_to,
        "email": membership.email_visible_to,
        "area": membership.area_visible_to,
    }
    shown: dict[str, bool] = {}
    for detail, choice in choices.items():
        if choice == Visibility.MEMBERS:
            shown[detail] = True
        elif choice == Visibility.EXCHANGES:
            if agreed is None:
                agreed = have_agreed_exchange(
                    person=person, other=viewer, timebank=membership.timebank
                )
            shown[detail] = agreed
        else:
            shown[detail] = False
    return VisibleContact(
        phone=person.phone if shown["phone"] else None,
        email=person.email if shown["email"] else None,
        area=membership.area if shown["area"] else None,
    )


def areas_visible_to(
    viewer: Person, viewer_membership: Membership | None, memberships: list[Membership]
) -> dict[int, str | None]:
    """{person id: the area `viewer` may see of them, or None}: the area rule of
    `contact_visible_to` for a list of memberships of one time bank (who could help with a
    request), in one query whatever their number (the people among them the viewer has an
    agreed exchange with), or none when no one limits their area to those."""
    if not memberships:
        return {}
    timebank = memberships[0].timebank
    if viewer_membership is not None and membership_is_coordinator(viewer_membership):
        return {m.person_id: m.area for m in memberships}
    shown: dict[int, str | None] = {m.person_id: None for m in memberships}
    if not _may_see_members(viewer_membership, timebank):
        return {m.person_id: m.area if m.person_id == viewer.pk else None for m in memberships}
    visible = [
        m
        for m in memberships
        if m.status in {MembershipStatus.ACTIVE, MembershipStatus.PAUSED}
        and m.person.erased_at is None
    ]
    asked = [m.person_id for m in visible if m.area_visible_to == Visibility.EXCHANGES]
    agreed: set[int] = set()
    if asked:
        agreed = set(
            viewer.exchange_parts.filter(  # type: ignore[attr-defined]
                timebank=timebank,
                exchange__status__in=AGREED_EXCHANGE_STATUSES,
                exchange__participants__person_id__in=asked,
            ).values_list("exchange__participants__person_id", flat=True)
        )
    for m in visible:
        if (
            m.person_id == viewer.pk
            or m.area_visible_to == Visibility.MEMBERS
            or (m.area_visible_to == Visibility.EXCHANGES and m.person_id in agreed)
        ):
            shown[m.person_id] = m.area
    return shown


def members_found(
    *, viewer: Person, timebank: TimeBank, query: str, limit: int = 10
) -> list[Person]:
    """The member picker's search: up to `limit` of the members `viewer` may see
    (`members_visible_to`) whose username or name contains each word typed, in name order.
    Nothing for fewer than two characters. One query."""
    words = query.split()
    if len("".join(words)) < 2:
        return []
    people = members_visible_to(viewer=viewer, timebank=timebank)
    for word in words[:3]:
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    return list(people[:limit])
