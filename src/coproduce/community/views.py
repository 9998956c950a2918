"""Pages about people: joining a time bank, profiles (my own, and other members'), and the
page where a one-time link from a coordinator lets a member choose their password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from coproduce.community import contact_reads, safeguarding, selectors, services
from coproduce.community.authentication import PERSON_BACKEND
from coproduce.community.availability import DAYS, PARTS
from coproduce.community.forms import JoinForm, ProfileForm
from coproduce.community.locales import person_language_set
from coproduce.community.models import MembershipStatus, PasswordLinkPurpose
from coproduce.community.permissions import is_site_admin, membership_is_coordinator
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_person
from coproduce.core.throttle import (
    JOIN_PER_ADDRESS,
    PASSWORD_LINK_PER_ADDRESS,
    client_address,
    throttle_record,
    throttle_refuses,
)


def first_run(request: HttpRequest) -> HttpResponse:
    """What an installation with no time bank shows at / and /join/: how to make one."""
    context = {"site_admin": is_site_admin(request.user)}
    return render(request, "community/first_run.html", context)


def join_list(request: HttpRequest) -> HttpResponse:
    memberships = {}
    if request.user.is_authenticated:
        memberships = {m.timebank_id: m for m in selectors.timebanks_for(request.user)}
    timebanks = [
        {"timebank": timebank, "membership": memberships.get(timebank.pk)}
        for timebank in selectors.timebanks_to_join()
    ]
    if not timebanks:
        return first_run(request)
    return render(request, "community/join_list.html", {"timebanks": timebanks})


def join(request: HttpRequest, slug: str) -> HttpResponse:
    timebank = selectors.timebank_by_slug(slug)
    person = request.user if request.user.is_authenticated else None
    existing = selectors.membership_get(person=person, timebank=timebank) if person else None
    if existing is not None and existing.status != MembershipStatus.LEFT:
        return render(
            request, "community/join_already.html", {"timebank": timebank, "membership": existing}
        )
    form = JoinForm(request.POST or None, person=person, areas=timebank.areas)
    address = client_address(request)
    if request.method == "POST" and throttle_refuses(JOIN_PER_ADDRESS, address):
        form.is_valid()  # show the answers back as they were given
        form.add_error(
            None,
            _(
                "Many applications have come from this connection in the last hour. Please try "
                "again in an hour, or contact the coordinator."
            ),
        )
        context = {"timebank": timebank, "form": form}
        return render(request, "community/join.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = service_on_form(
            form,
            services.membership_apply,
            timebank=timebank,
            person=person,
            first_name=data["first_name"],
            last_name=data["last_name"],
            username=data.get("username", ""),
            password=data.get("password", ""),
            email=data["email"],
            phone=data["phone"],
            area=data["area"],
            gives=data["gives"],
            needs=data["needs"],
            contact_preference=data["contact_preference"],
            note=data["note"],
        )
        if membership is not None:
            throttle_record(JOIN_PER_ADDRESS, address)
            if person is None:
                login(request, membership.person, backend=PERSON_BACKEND)
            return redirect("community:join_thanks", slug=timebank.slug)
    return render(request, "community/join.html", {"timebank": timebank, "form": form})


@login_required
def join_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    timebank = selectors.timebank_by_slug(slug)
    membership = selectors.application_get_for(current_person(request), timebank)
    return render(
        request, "community/join_thanks.html", {"timebank": timebank, "membership": membership}
    )


def _availability_rows(slots: list[str]) -> list[dict[str, object]]:
    """Availability as one row per day that has any free time: "Monday: morning, evening"."""
    chosen = set(slots or [])
    rows = []
    for day, day_label in DAYS:
        parts = [label for part, label in PARTS if f"{day}_{part}" in chosen]
        if parts:
            rows.append({"day": day_label, "parts": parts})
    return rows


@login_required
def profile_me(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    timebank = request.timebank  # type: ignore[attr-defined]
    context = {
        "person": person,
        "membership": request.membership,  # type: ignore[attr-defined]
        "availability": _availability_rows(person.availability),
        "checks": selectors.checks_for(person, timebank) if timebank else [],
        "thanks": selectors.thanks_received_by(person, timebank) if timebank else [],
        "today": timezone.localdate(),
        # The member is told their membership is on hold, never why.
        "on_hold": safeguarding.is_paused(person=person, timebank=timebank),
    }
    return render(request, "community/profile_me.html", context)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    membership = request.membership  # type: ignore[attr-defined]
    area = membership.area if membership is not None else None
    form = ProfileForm(
        request.POST or None,
        person=person,
        area=area,
        areas=membership.timebank.areas if membership is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        language = fields.pop("language", "")
        saved = service_on_form(
            form, services.profile_update, person=person, membership=membership, **fields
        )
        if saved is not None:
            person_language_set(person=saved, language=language)
        if saved is not None:
            messages.success(request, _("Your profile is saved."))
            new_email = form.cleaned_data.get("email") or ""
            if new_email and new_email.casefold() != saved.email.casefold():
                messages.info(
                    request,
                    _(
                        "We have emailed a link to %(email)s: your address changes when you "
                        "open it. Until then we keep using %(old)s."
                    )
                    % {"email": new_email, "old": saved.email or "—"},
                )
            return redirect("community:profile_me")
    return render(request, "community/profile_edit.html", {"form": form})


@login_required
def profile(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = request.timebank  # type: ignore[attr-defined]
    membership = selectors.profile_get_for(
        current_person(request),
        timebank,
        public_id,
        viewer_membership=request.membership,  # type: ignore[attr-defined]
    )
    person = membership.person
    viewer_is_coordinator = membership_is_coordinator(request.membership)  # type: ignore[attr-defined]
    if viewer_is_coordinator:  # the page shows them contact details and access needs
        contact_reads.member_contact_viewed(
            viewer=current_person(request),
            timebank=timebank,
            person=person,
            page="community:profile",
        )
    context = {
        "person": person,
        "membership": membership,
        "contact": selectors.contact_visible_to(
            current_person(request),
            membership,
            viewer_membership=request.membership,  # type: ignore[attr-defined]
        ),
        "availability": _availability_rows(person.availability),
        "badges": selectors.badges_for(person, timebank),
        "thanks": selectors.public_thanks_for(person, timebank),
        "is_coordinator": viewer_is_coordinator,
        "checks": selectors.checks_for(person, timebank) if viewer_is_coordinator else [],
        "safeguarding_pause": safeguarding.pause_current(person=person, timebank=timebank)
        if viewer_is_coordinator
        else None,
        "is_me": person.pk == request.user.pk,
    }
    return render(request, "community/profile.html", context)


def _password_link_gone(request: HttpRequest, *, status: int = 404) -> HttpResponse:
    # One page for every link that does not work (unknown, used, expired, stopped), naming no one.
    context = {"throttled": status == 429, "days": services.PASSWORD_LINK_LIFETIME.days}
    return render(request, "community/password_link_gone.html", context, status=status)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def password_link(request: HttpRequest, token: str) -> HttpResponse:
    """A member opens the link their coordinator gave them, chooses a password and is signed in."""
    address = client_address(request)
    if throttle_refuses(PASSWORD_LINK_PER_ADDRESS, address):
        return _password_link_gone(request, status=429)
    link = selectors.password_link_by_token(token)
    if link is None:
        throttle_record(PASSWORD_LINK_PER_ADDRESS, address)
        return _password_link_gone(request)
    form = SetPasswordForm(link.person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.password_link_use(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except NotFound:
            return _password_link_gone(request)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, person, backend=PERSON_BACKEND)
            if link.purpose == PasswordLinkPurpose.ADMIN_SETUP:
                # A site administrator must use two-step sign-in: straight on to setting it up.
                messages.success(
                    request,
                    _(
                        "Your password is set. Your username is %(username)s. Now set up "
                        "two-step sign-in: site administrators must use it."
                    )
                    % {"username": person.username},
                )
                return redirect("two_factor:setup")
            messages.success(
                request,
                _(
                    "Welcome, %(name)s. Your password is set. Next time, sign in with the "
                    "username %(username)s and your new password."
                )
                % {"name": person.display_name, "username": person.username},
            )
            return redirect("web:home")
    signed_in_as = request.user if request.user.is_authenticated else None
    context = {"link": link, "form": form, "signed_in_as": signed_in_as}
    return render(request, "community/password_link.html", context)
