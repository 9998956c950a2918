"""No main page is wider than the narrowest phone (320 px), and everything a finger presses on
is at least 44 by 44 px (issue 16).

What counts as a touch target (docs/DESIGN.md, "Touch targets"): every visible button, form
field, menu opener (<summary>) and link styled as a button, and every link that stands on its own
(a menu item). A checkbox or radio button is measured with its label, since pressing the label
ticks it. A link inside a sentence, a paragraph, a table cell or a list of links in running text
is exempt, as WCAG 2.5.8 exempts inline targets: making it 44 px tall would break the line
spacing of the text it sits in.
"""

from __future__ import annotations

import pytest

from tests.conftest import ON_POSTGRES
from tests.e2e.main_pages import MAIN_PAGES, resolve

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        ON_POSTGRES, reason="checks layout, not data: run on SQLite only (issue 16, CI budget)"
    ),
]

SMALLEST = 44
# Returns [description, width, height] of each target smaller than `min` px either way.
SMALL_TARGETS = """(min) => {
    const visible = el => {
        const r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
            && !el.closest('.visually-hidden, .skip-link, [hidden]')
            && !el.closest('details:not([open]) > :not(summary)');
    };
    const standsAlone = a => {
        if (a.getAttribute('role') === 'button' || a.classList.contains('brand')) return true;
        if (a.closest('header nav, .pagination, .pages')) return true;
        return false;
    };
    const box = el => {
        if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels.length) {
            const a = el.getBoundingClientRect(), b = el.labels[0].getBoundingClientRect();
            const left = Math.min(a.left, b.left), right = Math.max(a.right, b.right);
            const top = Math.min(a.top, b.top), bottom = Math.max(a.bottom, b.bottom);
            return {width: right - left, height: bottom - top};
        }
        return el.getBoundingClientRect();
    };
    const targets = [...document.querySelectorAll(
        'button, summary, select, textarea, input:not([type=hidden]), a[href]'
    )].filter(el => visible(el) && (el.tagName !== 'A' || standsAlone(el)));
    return targets.map(el => [el, box(el)])
        .filter(([, r]) => r.width < min - 0.5 || r.height < min - 0.5)
        .map(([el, r]) => [
            el.tagName.toLowerCase() + (el.type ? '[' + el.type + ']' : '') + ' "'
                + (el.innerText || el.value || el.name || el.getAttribute('aria-label') || '')
                    .trim().slice(0, 30) + '"',
            Math.round(r.width), Math.round(r.height),
        ]);
}"""


def _every_main_page(browser, base_url: str, width: int):
    for persona in MAIN_PAGES:
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 700})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            for name, path in resolve(page, persona):
                response = page.goto(path)
                assert response is not None and response.status == 200, path
                yield page, name, path
        finally:
            context.close()


def test_no_main_page_is_wider_than_a_320px_phone(browser, base_url):
    too_wide = {}
    for page, name, path in _every_main_page(browser, base_url, 320):
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide[f"{name} ({path})"] = overflow
    assert not too_wide, f"pages wider than a 320px phone, by px: {too_wide}"


@pytest.mark.parametrize("width", [390, 1280])
def test_every_touch_target_is_at_least_44px(browser, base_url, width):
    small = {}
    for page, name, path in _every_main_page(browser, base_url, width):
        if found := page.evaluate(SMALL_TARGETS, SMALLEST):
            small[f"{name} ({path})"] = found
    assert not small, "touch targets smaller than 44x44px:\n" + "\n".join(
        f"{where}: {targets}" for where, targets in small.items()
    )
