"""axe-core finds no critical or serious accessibility problem on any main page, in any language,
on a phone (390 px) or a desktop (1280 px) screen (issue 16).

axe-core is vendored from npm (tests/e2e/vendor, pinned in its VERSIONS; never served to users)
and injected into each page by Playwright; the contexts bypass the Content-Security-Policy for
that one script only. It checks markup, not data, so it runs on SQLite only: the PostgreSQL run
would prove nothing more in a minute or two of CI.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES
from tests.e2e.main_pages import LANGUAGES, MAIN_PAGES, WIDTHS, resolve, use_language

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        ON_POSTGRES, reason="checks markup, not data: run on SQLite only (issue 16, CI budget)"
    ),
]

AXE = Path(__file__).parent / "vendor" / "axe-core-axe.min.js"
FAILING = {"critical", "serious"}
# Every rule axe runs by default (WCAG 2.0-2.2 A and AA and its best practices).
RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
    }));
}"""


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN)


def with_axe(context) -> None:
    """Load axe into every page the context opens, before the page's own scripts."""
    context.add_init_script(path=str(AXE))


def check_pages(page, context, base_url, pages, failures, counts, languages=LANGUAGES) -> None:
    """Run axe on each of `pages` in each of `languages`, at each width of WIDTHS (the page is
    loaded once, at the first width, and the window resized); add what axe finds to the counts
    and each critical or serious violation to the failures."""
    for code in languages:
        use_language(context, base_url, code)
        for name, path in pages:
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, code)
            lang = page.evaluate("document.documentElement.lang")
            assert lang == code, f"{name} in {code} says <html lang={lang!r}>"
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for violation in axe_violations(page):
                    counts[width, violation["impact"]] += 1
                    if violation["impact"] in FAILING:
                        failures.append(
                            f"{violation['impact']} {violation['id']} on {name} ({path}), "
                            f"{code}, {width}px: {violation['help']}; "
                            f"{', '.join(violation['targets'])}"
                        )


def test_no_main_page_has_a_critical_or_serious_accessibility_problem(browser, base_url):
    started = time.monotonic()
    failures: list[str] = []
    counts: Counter = Counter()
    visits = 0
    for persona in MAIN_PAGES:
        context = browser.new_context(base_url=base_url, bypass_csp=True)
        with_axe(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            pages = resolve(page, persona)
            visits += len(pages) * len(LANGUAGES)
            check_pages(page, context, base_url, pages, failures, counts)
        finally:
            context.close()
    print(
        f"axe: {visits} page visits ({len(LANGUAGES)} languages) at {WIDTHS} px: "
        f"{dict(counts) or 'no violations'} ({time.monotonic() - started:.0f} s)"
    )
    assert not failures, "axe found:\n" + "\n".join(failures)
