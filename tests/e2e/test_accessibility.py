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
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN)


def _check(browser, base_url: str, width: int, easy_read: bool = False) -> tuple[list, Counter]:
    failures: list[str] = []
    counts: Counter = Counter()
    for persona in MAIN_PAGES:
        context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": 900}, bypass_csp=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            pages = resolve(page, persona)
            if easy_read and persona is not None:
                set_easy_read(page, True)
            for code in LANGUAGES:
                use_language(context, base_url, code)
                for name, path in pages:
                    response = page.goto(path)
                    assert response is not None and response.status == 200, (path, code)
                    lang = page.evaluate("document.documentElement.lang")
                    assert lang == code, f"{name} in {code} says <html lang={lang!r}>"
                    for violation in axe_violations(page):
                        counts[violation["impact"]] += 1
                        if violation["impact"] in FAILING:
                            failures.append(
                                f"{violation['impact']} {violation['id']} on {name} ({path}), "
                                f"{code}, {width}px: {violation['help']}; "
                                f"{', '.join(violation['targets'])}"
                            )
        finally:
            if easy_read and persona is not None:
                set_easy_read(page, False)
            context.close()
    return failures, counts


def set_easy_read(page, on: bool) -> None:
    page.goto("/profile/")
    button = page.locator("form.easy-read-toggle button")
    if (button.get_attribute("aria-pressed") == "true") != on:
        button.click()
        page.wait_for_load_state()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_main_page_has_a_critical_or_serious_accessibility_problem(browser, base_url, width):
    started = time.monotonic()
    failures, counts = _check(browser, base_url, width)
    print(
        f"axe at {width}px over {len(LANGUAGES)} languages: {dict(counts) or 'no violations'} "
        f"({time.monotonic() - started:.0f} s)"
    )
    assert not failures, "axe found:\n" + "\n".join(failures)
