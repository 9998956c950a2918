"""Pages for offers and requests. One set of views serves both: the URL passes `kind`.

Every lookup goes through `listings.listing_get_for[_change]`, scoped to the person and to
the current time bank, so someone who may not see a listing gets the same 404 as for one that does
not exist.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from threading import Lock
from typing import cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.community.availability import slot_choices
from coproduce.community.permissions import membership_is_coordinator
from coproduce.community.selectors import may_see_profiles
from coproduce.core.categories import category_icon_html
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_membership, current_person, current_timebank
from coproduce.exchanges.forms.listings import ListingCreateForm, ListingFilterForm, ListingForm
from coproduce.exchanges.models import ListingStatus
from coproduce.exchanges.selectors import listings as selectors
from coproduce.exchanges.selectors.search import Kind, ListingPages, listings_counted
from coproduce.exchanges.services import listings as services
from coproduce.federation.selectors import partner_listings

PAGE_SIZE = 20
FORM_FIELDS = ("title", "category", "description", "tags", "area", "availability")


@login_required
def listing_list(request: HttpRequest, kind: Kind) -> HttpResponse:
    timebank = current_timebank(request)
    viewer = current_person(request)
    # The area filter's choices and the number found come from one read of the bank's active
    # listings (`listings_counted`), which needs the other filters first: the form is checked
    # without areas, then again with them (checking is cheap; the read is not).
    form = ListingFilterForm(request.GET, areas=[], timebank=timebank)
    form.is_valid()
    narrowing = {
        name: value for name, value in form.cleaned_data.items() if value and name != "area"
    }
    counted = listings_counted(timebank=timebank, kind=kind, viewer=viewer, **narrowing)
    form.set_areas(counted.areas)
    form.is_valid()
    # A filter that did not validate is shown with its error and left out of the search.
    filters = {name: value for name, value in form.cleaned_data.items() if value}
    found = ListingPages(timebank=timebank, kind=kind, viewer=viewer, **filters)
    paginator = Paginator(found, PAGE_SIZE)
    # Already counted above: the paginator does not count the same rows again.
    paginator.count = counted.count(filters.get("area"))  # type: ignore[misc]
    page = paginator.get_page(request.GET.get("page"))
    cards = _cards(page.object_list, kind, easy_read=getattr(request.user, "easy_read", False))
    context: dict[str, object] = {
        "kind": kind,
        "form": form,
        "fields": _filter_fields(form),
        "page": page,
        "cards": cards,
        "cards_html": cards_html(cards),
        "searching": bool(filters),
    }
    if page.number == 1:
        # Active partner banks' listings, marked with their bank, under the bank's own.
        context["partner"] = partner_listings(
            viewer=viewer, timebank=timebank, kind=kind, **filters
        )
    partial = request.htmx and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    template = "exchanges/listings/_results.html" if partial else "exchanges/listings/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def listing_detail(request: HttpRequest, kind: Kind, public_id: UUID) -> HttpResponse:
    timebank = current_timebank(request)
    listing = selectors.listing_get_for(current_person(request), timebank, kind, public_id)
    membership = current_membership(request)
    labels = dict(slot_choices())
    # Someone already asked to help (or helping) agrees to that exchange, not to a second one;
    # the one who posted it sees whom they asked under "Who could help?" (matching).
    under_way = None
    if listing.person_id != request.user.pk:
        under_way = selectors.open_exchange_for(person=request.user, listing=listing)  # type: ignore[arg-type]
    context = {
        "kind": kind,
        "listing": listing,
        "when": [labels[slot] for slot in listing.availability if slot in labels],
        "can_change": selectors.can_change(
            person=current_person(request),
            membership=membership,
            listing=listing,
        ),
        "under_way": under_way,
        "can_propose": listing.status == ListingStatus.ACTIVE
        and membership is not None
        and membership.can_trade
        and listing.person_id != request.user.pk
        and under_way is None,
        "may_see_profiles": may_see_profiles(membership, timebank),
    }
    return render(request, "exchanges/listings/detail.html", context)


@login_required
def listing_new(request: HttpRequest, kind: Kind) -> HttpResponse:
    timebank = current_timebank(request)
    membership = current_membership(request)
    if membership is None or not membership.can_trade:
        status = 403 if request.method == "POST" else 200
        return render(
            request,
            "exchanges/listings/form.html",
            {"kind": kind, "cannot_trade": True},
            status=status,
        )
    coordinator = membership_is_coordinator(membership)
    form = ListingCreateForm(
        request.POST or None,
        timebank=timebank,
        members=selectors.members_to_post_for(timebank=timebank) if coordinator else None,
        # A coordinator's form is often for someone else (a member's page links here with
        # ?for=<their public id>): blank means the member's own area.
        initial={"for_member": request.GET.get("for")}
        if coordinator
        else {"area": membership.area},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        listing = service_on_form(
            form,
            services.listing_create,
            kind=kind,
            timebank=timebank,
            acting=current_person(request),
            for_member=data.get("for_member"),
            **{name: data[name] for name in FORM_FIELDS},
        )
        if listing is not None:
            messages.success(request, _created_message(kind, listing))
            return redirect(selectors.listing_url(listing))
    return render(request, "exchanges/listings/form.html", {"kind": kind, "form": form})


@login_required
def listing_edit(request: HttpRequest, kind: Kind, public_id: UUID) -> HttpResponse:
    timebank = current_timebank(request)
    listing = selectors.listing_get_for_change(current_person(request), timebank, kind, public_id)
    form = ListingForm(
        request.POST or None,
        initial={name: getattr(listing, name) for name in FORM_FIELDS},
        timebank=timebank,
    )
    if request.method == "POST" and form.is_valid():
        service_on_form(
            form,
            services.listing_update,
            listing=listing,
            acting=current_person(request),
            **{name: form.cleaned_data[name] for name in FORM_FIELDS},
        )
        if not form.errors:
            messages.success(request, _("Your changes are saved."))
            return redirect(selectors.listing_url(listing))
    context = {"kind": kind, "form": form, "listing": listing}
    return render(request, "exchanges/listings/form.html", context)


ACTIONS = {
    "pause": services.listing_pause,
    "resume": services.listing_resume,
    "close": services.listing_close,
    "renew": services.listing_renew,
}


@login_required
@require_POST
def listing_action(request: HttpRequest, kind: Kind, public_id: UUID, action: str) -> HttpResponse:
    timebank = current_timebank(request)
    listing = selectors.listing_get_for_change(current_person(request), timebank, kind, public_id)
    try:
        listing = ACTIONS[action](listing=listing, acting=current_person(request))
    except ApplicationError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _action_message(action))
    return redirect(selectors.listing_url(listing))


# The filter form's four fields, as rendered, for the last few distinct (language, choices,
# submitted values): rendering them through Django's form templates was half of the page's
# template time (about 2 ms). The HTML is a function of exactly these inputs (the fields'
# definitions are fixed, and the errors follow from the values and the choices), so a kept
# copy is the same HTML. Per process, like Django's own template cache.
_FIELDS_KEPT = 256
_fields_html: OrderedDict[tuple[object, ...], dict[str, str]] = OrderedDict()
_fields_lock = Lock()


def _choices(field: forms.ChoiceField) -> list[tuple[object, object]]:
    return cast("list[tuple[object, object]]", field.choices)


def _filter_fields(form: ListingFilterForm) -> dict[str, str]:
    key = (
        get_language(),
        *(
            (name, tuple((str(v), str(label)) for v, label in _choices(field)))
            for name, field in form.fields.items()
            if isinstance(field, forms.ChoiceField)
        ),
        *((name, form.data.get(name)) for name in form.fields),
    )
    with _fields_lock:
        html = _fields_html.get(key)
        if html is not None:
            _fields_html.move_to_end(key)
            return html
    html = {name: form[name].as_field_group() for name in form.fields}
    with _fields_lock:
        _fields_html[key] = html
        while len(_fields_html) > _FIELDS_KEPT:
            _fields_html.popitem(last=False)
    return html


@dataclass(frozen=True)
class Card:
    """One listing as the list shows it, worked out in Python: the same text the template's
    `{% url %}`, `get_category_display`, `{% category_icon %}` and `truncatewords` gave, at a
    fraction of the cost of running them for each of the twenty cards."""

    url: str
    title: str
    icon: str
    category: str
    who: str
    area: str
    summary: str | None  # the description, cut to 30 words (15 in easy read); None: none


# A listing's address is its kind's address with its public id in it: reversed once with a
# stand-in id, which is then replaced (a UUID's text needs no quoting in a path).
_STAND_IN = UUID(int=0)


def _cards(listings: Iterable[selectors.Listing], kind: Kind, *, easy_read: bool) -> list[Card]:
    pattern = reverse(
        "exchanges:offer" if kind == "offer" else "exchanges:request", args=[_STAND_IN]
    )
    words = 15 if easy_read else 30
    labels: dict[str, str] = {}
    icons: dict[str, str] = {}
    cards = []
    for listing in listings:
        key = listing.category
        if key not in labels:
            labels[key] = str(listing.get_category_display())
            icons[key] = category_icon_html(key) if easy_read else ""
        if listing.person is not None:
            who = listing.person.display_name
        elif listing.organisation is not None:
            who = listing.organisation.name
        else:
            who = ""
        description = listing.description
        cards.append(
            Card(
                url=pattern.replace(str(_STAND_IN), str(listing.public_id)),
                title=listing.title,
                icon=icons[key],
                category=labels[key],
                who=who,
                area=listing.area,
                summary=Truncator(description).words(words, truncate=" …") if description else None,
            )
        )
    return cards


def cards_html(cards: Iterable[Card]) -> SafeString:
    """The cards' `<li>`s as `exchanges/listings/_results.html` showed them with a loop in the
    template, byte for byte: every value escaped as the template's `{{ }}` escapes it (an icon
    is already safe HTML). Twenty cards through the template language were most of the list
    page's template time (issue 17, round 24)."""
    html = []
    for card in cards:
        area = f" · {conditional_escape(card.area)}" if card.area else ""
        summary = "" if card.summary is None else f"<p>{conditional_escape(card.summary)}</p>"
        html.append(
            f'\n    <li>\n      <h3><a href="{conditional_escape(card.url)}">'
            f"{conditional_escape(card.title)}</a></h3>\n"
            f'      <span class="tag">{conditional_escape(card.icon)}'
            f"{conditional_escape(card.category)}</span>\n"
            f"      {conditional_escape(card.who)}{area}\n"
            f"      {summary}\n    </li>\n    "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above


def _created_message(kind: Kind, listing: selectors.Listing) -> str:
    if listing.created_by_id is not None and listing.person is not None:
        return _("Posted for %(name)s. They will be told about it.") % {
            "name": listing.person.display_name
        }
    if kind == "offer":
        return _("Thank you: your offer is posted. People can now ask you for help.")
    return _("Your request is posted. People who can help will see it.")


def _action_message(action: str) -> str:
    return {
        "pause": _("Paused: nobody will see it until you resume it."),
        "resume": _("Resumed: people can see it again."),
        "close": _("Closed. Thank you for keeping the list up to date."),
        "renew": _("Renewed: it will stay up for longer."),
    }[action]
