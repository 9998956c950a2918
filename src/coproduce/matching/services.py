"""Writes for matching: inviting a suggested person to help (a proposed exchange), a person's
"don't match me for" list, a time bank's matching settings, and a member's coordinates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.community.models import Membership, OrganisationStaff, Person, TimeBank
from coproduce.community.permissions import membership_is_coordinator, require_coordinator
from coproduce.community.safeguarding import givers_check_require, pause_refuses
from coproduce.core.audit import audit_record
from coproduce.core.categories import Category
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.exchanges.models import Exchange, ListingStatus, Request, Side
from coproduce.exchanges.services.exchanges import exchange_propose
from coproduce.matching.asking import ASKS_PER_REQUEST_PER_DAY
from coproduce.matching.blocks import need_without_blocked
from coproduce.matching.index import profile_refresh
from coproduce.matching.models import MatchingPreference, MatchingSettings, MatchProfile
from coproduce.matching.ranking import OPEN_EXCHANGE, eligible_profiles
from coproduce.matching.selectors import can_see_candidates, need_of, settings_for

INVITE_MINUTES = 60
MAX_WEIGHT = 10
SETTINGS_WEIGHTS = (
    "weight_skill",
    "weight_place",
    "weight_time",
    "weight_fairness",
    "weight_new_ties",
)


@transaction.atomic
def candidate_invite(*, request: Request, candidate: Person, acting: Person) -> Exchange:
    """Ask a suggested person to help: a proposed exchange for the request, with the candidate
    giving and the person who asked receiving; exchange_propose tells the candidate.

    Idempotent: a second click (or a second coordinator) finds the exchange already proposed to
    that person for this request and returns it."""
    # Lock the request row: two clicks arriving together would otherwise both see no exchange
    # yet and propose two. The second waits here, then finds the first one's exchange.
    request = (
        Request.objects.select_for_update(of=("self",))
        .select_related("timebank", "person", "organisation")
        .get(pk=request.pk)
    )
    timebank = request.timebank
    settings = settings_for(timebank)
    membership = Membership.objects.filter(person=acting, timebank=timebank).first()
    if not can_see_candidates(
        person=acting, membership=membership, request=request, settings=settings
    ):
        raise PermissionDenied(
            _("Only a coordinator, or the person who asked, can invite someone to help."),
            "not_allowed",
        )
    if request.status != ListingStatus.ACTIVE:
        raise Conflict(_("This request is no longer open."), "request_closed")
    coordinator = membership_is_coordinator(membership)
    existing = (
        Exchange.objects.filter(
            request=request,
            status__in=OPEN_EXCHANGE,
            participants__side=Side.PROVIDER,
            participants__person=candidate,
        )
        .order_by("created_at")
        .first()
    )
    if existing is not None:
        return existing
    if not coordinator:
        _asks_today_require(request=request, acting=acting)
    # The same safeguarding refusals, in the same words, as any other way of arranging help.
    pause_refuses(timebank=timebank, people=[candidate], acting=acting)
    givers_check_require(timebank=timebank, category=request.category, givers=[candidate])
    need = need_without_blocked(need_of(request))
    if not eligible_profiles(need, settings).filter(person=candidate).exists():
        raise ApplicationError(
            _(
                "%(name)s cannot be asked to help with this request: they may not be active, "
                "may have asked not to be matched for this kind of help, or may need a "
                "safeguarding check first."
            )
            % {"name": candidate.display_name},
            "not_eligible",
        )
    receiver = request.person or request.organisation
    # Every request is posted by a person or by an organisation.
    assert receiver is not None
    on_behalf_of = None
    if request.person_id is not None and request.person_id != acting.pk:
        on_behalf_of = request.person
    elif request.organisation_id is not None:
        staff = (
            OrganisationStaff.objects.filter(organisation_id=request.organisation_id)
            .select_related("person")
            .order_by("pk")
        )
        mine = [s.person for s in staff if s.person_id == acting.pk]
        if not mine and staff:
            on_behalf_of = staff[0].person
    minutes = min(INVITE_MINUTES, timebank.max_exchange_minutes)
    exchange = exchange_propose(
        timebank=timebank,
        acting=acting,
        providers=[candidate],
        receivers=[receiver],
        title=request.title,
        category=request.category,
        expected_minutes=minutes,
        listing=request,
        on_behalf_of=on_behalf_of,
        notes=_("Suggested by matching."),
    )
    audit_record(
        action="matching.invited",
        actor=acting,
        timebank_id=timebank.pk,
        on_behalf_of=on_behalf_of,
        target=f"request:{request.public_id}",
        data={"candidate": str(candidate.public_id), "exchange": str(exchange.public_id)},
    )
    return exchange


def _asks_today_require(*, request: Request, acting: Person) -> None:
    """A member asks at most ASKS_PER_REQUEST_PER_DAY people a day to help with one request
    (cancelled asks count too, so asking and cancelling cannot go round it). The request's row
    is locked by the caller, so two asks at once are counted one after the other."""
    since = timezone.now() - timedelta(days=1)
    asked = Exchange.objects.filter(
        request=request, proposed_by=acting, logged_by__isnull=True, created_at__gte=since
    ).count()
    if asked >= ASKS_PER_REQUEST_PER_DAY:
        raise Conflict(
            ngettext(
                "You have asked %(n)d person to help with this request today. Please wait for "
                "an answer, or ask again tomorrow.",
                "You have asked %(n)d people to help with this request today. Please wait for "
                "their answers, or ask again tomorrow.",
                asked,
            )
            % {"n": asked},
            "too_many_asks",
        )


@transaction.atomic
def preference_set(
    *, person: Person, timebank: TimeBank, excluded_categories: Iterable[str]
) -> MatchingPreference:
    """A person's "please don't suggest me for" list; it takes effect at once."""
    chosen = list(dict.fromkeys(excluded_categories or []))
    unknown = [c for c in chosen if c not in Category.values]
    if unknown:
        raise ApplicationError(
            _("“%(kind)s” is not a kind of help.") % {"kind": unknown[0]}, "bad_category"
        )
    if not Membership.objects.filter(person=person, timebank=timebank).exists():
        raise PermissionDenied(_("You are not a member of this time bank."), "not_member")
    preference, _created = MatchingPreference.objects.select_for_update().get_or_create(
        person=person, timebank=timebank
    )
    old = list(preference.excluded_categories)
    preference.excluded_categories = [c for c in Category.values if c in chosen]
    preference.save()
    profile_refresh(timebank_id=timebank.pk, person_id=person.pk)
    audit_record(
        action="matching.preferences_changed",
        actor=person,
        timebank_id=timebank.pk,
        target=f"person:{person.public_id}",
        data={"old": old, "new": preference.excluded_categories},
    )
    return preference


@transaction.atomic
def settings_update(
    *, timebank: TimeBank, acting: Person, safeguarding: dict[str, str], **changes: object
) -> MatchingSettings:
    """A coordinator changes how their time bank weighs the signals, whether people asking for
    help may see who could help them, and which kinds of help need which check."""
    require_coordinator(
        person=acting, timebank=timebank, message=_("Only a coordinator can change matching.")
    )
    from coproduce.community.models import CheckKind

    settings = MatchingSettings.objects.select_for_update().get(pk=settings_for(timebank).pk)
    settings.timebank = timebank
    old = {
        name: getattr(settings, name) for name in (*SETTINGS_WEIGHTS, "requester_sees_candidates")
    }
    old["safeguarding"] = settings.safeguarding
    for name in SETTINGS_WEIGHTS:
        if name in changes:
            value = changes[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= MAX_WEIGHT
            ):
                raise ApplicationError(
                    _("Each weight is a whole number from 0 to %(max)s.") % {"max": MAX_WEIGHT},
                    "bad_weight",
                )
            setattr(settings, name, value)
    if "requester_sees_candidates" in changes:
        settings.requester_sees_candidates = bool(changes["requester_sees_candidates"])
    # The time bank's own kinds of help keep their rules (set on its settings page).
    rules = {c: k for c, k in (timebank.checks_needed or {}).items() if c not in Category.values}
    for category, kind in (safeguarding or {}).items():
        if not kind:
            continue
        if category not in Category.values or kind not in CheckKind.values:
            raise ApplicationError(_("Choose a kind of check from the list."), "bad_check")
        rules[category] = kind
    if not any(getattr(settings, name) for name in SETTINGS_WEIGHTS):
        raise ApplicationError(_("At least one weight must be more than 0."), "all_zero")
    settings.save()
    # The rule is the time bank's (every exchange obeys it, see community.safeguarding).
    TimeBank.objects.filter(pk=timebank.pk).update(checks_needed=rules)
    timebank.checks_needed = rules
    settings.timebank = timebank
    new = {
        name: getattr(settings, name) for name in (*SETTINGS_WEIGHTS, "requester_sees_candidates")
    }
    new["safeguarding"] = rules
    audit_record(
        action="matching.settings_changed",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"timebank:{timebank.slug}",
        data={"old": old, "new": new},
    )
    return settings


@transaction.atomic
def location_set(
    *, timebank: TimeBank, person: Person, latitude: float | None, longitude: float | None
) -> MatchProfile:
    """Record (or clear) where a member lives, in degrees, for distances in matching."""
    if (latitude is None) != (longitude is None):
        raise ApplicationError(_("Give both latitude and longitude, or neither."), "half_location")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # type: ignore[operator]
        raise ApplicationError(_("That is not a place on Earth."), "bad_location")
    profile = profile_refresh(timebank_id=timebank.pk, person_id=person.pk)
    if profile is None:
        raise ApplicationError(_("They are not a member of this time bank."), "not_member")
    profile.latitude, profile.longitude = latitude, longitude
    profile.save(update_fields=["latitude", "longitude", "updated_at"])
    return profile
