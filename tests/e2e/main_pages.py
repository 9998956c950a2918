"""The main pages of the site, each seen by the person who would open it (issue 16): what the
accessibility, keyboard and width tests walk through. Pages that show one thing (an offer, an
exchange, a referral) are found by following the first link of their list, as a person would."""

from __future__ import annotations

import re

from django.conf import settings

from tests.e2e.conftest import sign_in

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
WIDTHS = [390, 1280]

# persona (None: a visitor) -> [(name, path, or (list path, pattern of the first link))]; a list
# path "@name" is the page of that name found before.
MAIN_PAGES: dict[str | None, list[tuple[str, str | tuple[str, ...]]]] = {
    None: [
        ("sign-in", "/login/"),
        ("join", "/join/"),
        ("a time bank's join form", ("/join/", r"^/join/[-\w]+/$")),
    ],
    "alice": [
        ("home", "/"),
        ("browse offers", "/offers/"),
        ("search offers", "/offers/?q=garden"),
        ("browse requests", "/requests/"),
        # Someone else's offer: one alice can write about.
        ("an offer", ("/offers/", rf"^/offers/{UUID}/$", rf"^/messages/offers/{UUID}/$")),
        ("a request", ("/requests/", rf"^/requests/{UUID}/$")),
        ("a profile", ("@an offer", rf"^/people/{UUID}/$")),
        ("my profile", "/profile/"),
        ("the statement", "/account/"),
        ("the printable statement", "/account/statement/print/"),
        ("exchanges", "/exchanges/"),
        ("an exchange", ("/exchanges/", rf"^/exchanges/{UUID}/$")),
        ("conversations", "/messages/"),
        ("writing a message", ("@an offer", rf"^/messages/offers/{UUID}/$")),
        ("settings", "/profile/edit/"),
        ("privacy settings", "/privacy/"),
    ],
    "carol": [
        ("the coordinator dashboard", "/coordinator/"),
        ("insights", "/insights/"),
        ("the funders' insights", "/insights/funder/"),
        ("members", "/members/"),
        ("a member's statement", ("/members/", rf"^/account/members/{UUID}/$")),
        ("pools", "/partners/pools/"),
        ("a pool", ("/partners/pools/", rf"^/partners/pools/{UUID}/$")),
        ("co-design projects", "/codesign/"),
        ("a co-design project", ("/codesign/", rf"^/codesign/{UUID}/$")),
    ],
    "dr_patel": [
        ("referrals", "/partners/referrals/"),
        ("a referral", ("/partners/referrals/", rf"^/partners/referrals/{UUID}/$")),
    ],
}
# A proposal is found on a project's page, so it is resolved after the project.
PROPOSAL = ("a co-design proposal", rf"^/codesign/proposals/{UUID}/$")


def _links(page, pattern: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "main a[href]", "links => links.map(a => a.pathname + a.search)"
    )
    return [href for href in hrefs if re.match(pattern, href.split("?")[0])]


def first_link(page, path: str, pattern: str, having: str | None = None) -> str:
    """The first link on `path` like `pattern` (whose page links to something like `having`)."""
    page.goto(path)
    found = _links(page, pattern)
    assert found, f"{path} links to nothing like {pattern}"
    if having is None:
        return found[0]
    for href in found[:10]:
        page.goto(href)
        if _links(page, having):
            return href
    raise AssertionError(f"no page linked from {path} like {pattern} links to {having}")


def resolve(page, persona: str | None) -> list[tuple[str, str]]:
    """Sign in as `persona` (unless a visitor) and return (name, path) of each of their pages."""
    if persona is not None:
        sign_in(page, persona)
    pages: list[tuple[str, str]] = []
    for name, where in MAIN_PAGES[persona]:
        if isinstance(where, tuple):
            source, *pattern = where
            if source.startswith("@"):  # a link on a page found before
                source = dict(pages)[source[1:]]
            where = first_link(page, source, *pattern)
        pages.append((name, where))
        if name == "a co-design project":
            pages.append((PROPOSAL[0], first_link(page, where, PROPOSAL[1])))
    return pages


def use_language(context, base_url: str, code: str) -> None:
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": base_url}])
