"""Every main page fits the narrowest phone (320 px) without sideways scrolling, the "More" menu
opens fully on screen at 390 px, and no page gives two elements the same id (issue 13, defects
1 and 3)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sqlite_only(reason="checks layout, not data (CI budget)"),
]

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# The page a list links to first, for the pages that show one thing.
FIRST_OF = {
    "a listing": ("/offers/", rf"^/offers/{UUID}/$"),
    "an exchange": ("/exchanges/", rf"^/exchanges/{UUID}/$"),
    "a pool": ("/partners/pools/", rf"^/partners/pools/{UUID}/$"),
    "a co-design project": ("/codesign/", rf"^/codesign/{UUID}/$"),
}
PAGES = [
    "/",
    "/offers/",
    "/account/",
    "/account/statement/print/",
    "/partners/pools/",
    "/partners/referrals/",
    "/codesign/",
    "/insights/",
    "/coordinator/",
]


def _first_link(page, path: str, pattern: str) -> str:
    page.goto(path)
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.pathname)")
    found = [href for href in hrefs if re.match(pattern, href)]
    assert found, f"{path} links to nothing like {pattern}"
    return found[0]


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _duplicate_ids(page) -> list[str]:
    return page.evaluate(
        """() => {
            const seen = new Map();
            for (const el of document.querySelectorAll('[id]')) {
                seen.set(el.id, (seen.get(el.id) || 0) + 1);
            }
            return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
        }"""
    )


def test_no_main_page_is_wider_than_a_320px_phone(page):
    sign_in(page, "carol")
    paths = list(PAGES)
    for path, pattern in FIRST_OF.values():
        paths.append(_first_link(page, path, pattern))
    page.set_viewport_size({"width": 320, "height": 700})
    too_wide = {}
    duplicates = {}
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        if (overflow := _overflow(page)) > 0:
            too_wide[path] = overflow
        if ids := _duplicate_ids(page):
            duplicates[path] = ids
    assert not too_wide, f"pages wider than a 320px phone, by px: {too_wide}"
    assert not duplicates, f"ids used twice: {duplicates}"


@pytest.mark.parametrize("path", ["/", "/account/", "/partners/pools/", "/coordinator/"])
def test_the_open_more_menu_is_fully_on_a_390px_screen(page, path):
    sign_in(page, "carol")
    page.goto(path)
    page.get_by_text("More", exact=True).click()
    menu = page.locator("header details.dropdown[open] > ul")
    menu.wait_for()
    box = menu.bounding_box()
    assert box is not None
    assert box["x"] >= 0, f"the menu starts {-box['x']:.0f}px off the left edge"
    assert box["x"] + box["width"] <= 390, "the menu runs off the right edge"
    # Every item in it can be seen and reached.
    for item in menu.locator("a, button").all():
        item_box = item.bounding_box()
        assert item_box is not None and item_box["x"] >= 0
        assert item_box["x"] + item_box["width"] <= 390
    assert _overflow(page) <= 0


def _outline(locator) -> tuple[str, float]:
    return tuple(
        locator.evaluate(
            "el => { const s = getComputedStyle(el); "
            "return [s.outlineStyle, parseFloat(s.outlineWidth)] }"
        )
    )


def test_the_induction_date_shows_where_the_keyboard_is(page):
    sign_in(page, "carol")
    page.goto("/members/applications/")
    page.locator("main a[href$='/induct/']").first.click()
    date = page.get_by_label("Date of the induction")
    assert _outline(date)[0] == "none"  # no ring until it has the focus
    date.focus()
    style, width = _outline(date)
    assert style != "none" and width >= 2, "no focus ring on the date"


def test_the_statement_table_scrolls_by_keyboard_on_a_phone(page):
    sign_in(page, "alice")
    page.goto("/account/")
    box = page.get_by_role("region", name="Account history")
    box.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    style, width = _outline(box)
    assert style != "none" and width >= 2
    if page.evaluate("document.activeElement.scrollWidth > document.activeElement.clientWidth"):
        page.keyboard.press("ArrowRight")
        # The page's Content-Security-Policy forbids eval, so poll from here (smooth scrolling).
        for _ in range(30):
            if page.evaluate("document.activeElement.scrollLeft") > 0:
                break
            page.wait_for_timeout(100)
        assert page.evaluate("document.activeElement.scrollLeft") > 0
