"""Which language a page speaks, and the switcher on every page that changes it.

The order, first that applies: the signed-in person's own choice (`Person.language`, saved by the
switcher and the profile page); the choice this browser made on the switcher (a cookie, so a
visitor's choice holds too and survives signing in); the time bank's default (the bank the person
works in, or for a visitor the installation's only bank); the browser's Accept-Language when it
names a language we have; English. A time bank's default comes before the browser's because it is
the coordinators' deliberate choice for their community (a Welsh bank shows Welsh first, as public
services in Wales do) and every page offers the other languages one press away.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.community.locales import person_language_set
from coproduce.community.models import TimeBank
from coproduce.core.errors import ApplicationError


def _ours(code: str | None) -> str | None:
    codes = {code for code, _name in settings.LANGUAGES}
    return code if code in codes else None


# Answers for programs, not pages: the API speaks the client's Accept-Language (its token's
# person is known only inside the API), and these never look up a time bank for a visitor.
_NOT_PAGES = ("/api/", "/healthz", "/static/", "/media/")


def _visitor_timebank_language(request: HttpRequest) -> str | None:
    """The installation's only time bank's language, for a visitor on a page; None when there
    are several (a visitor is in none of them) or none."""
    if request.path_info.startswith(_NOT_PAGES):
        return None
    try:
        languages = list(TimeBank.objects.values_list("language", flat=True)[:2])
    except DatabaseError:  # the database is down: the page that says so still speaks
        return None
    return languages[0] if len(languages) == 1 else None


def language_for(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    timebank = getattr(request, "timebank", None)
    if timebank is not None:
        bank_default = timebank.language
    else:
        bank_default = None if signed_in else _visitor_timebank_language(request)
    for candidate in (
        getattr(user, "language", "") if signed_in else "",
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        bank_default,
        translation.get_language_from_request(request),
    ):
        if chosen := _ours(candidate):
            return chosen
    return settings.LANGUAGE_CODE


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (Content-Language, Vary) with the order above; it follows
    CurrentTimeBankMiddleware, which it reads."""

    def process_request(self, request: HttpRequest) -> None:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The switcher's form: remembers the choice for this browser, and for the signed-in person
    also on their profile (so emails follow it). Goes back to the page it came from."""
    code = _ours(request.POST.get("language", ""))
    if code is None:
        raise ApplicationError(_("Choose one of the languages offered."), "bad_language")
    user = request.user
    if user.is_authenticated:
        person_language_set(person=user, language=code)  # type: ignore[arg-type]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    translation.activate(code)
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
