"""The Content-Security-Policy in a real browser: nothing the pages need is refused.

A visitor opens the home page; carol opens the insights report (chart.js and cytoscape) and the
funder's page and prints from it; alice searches the offers (htmx swaps the results in) and
opens her printable statement. Chromium reports every refused script, style or request as a
`securitypolicyviolation` event and a console error: there must be none.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

# Runs before any page script, so it sees violations from the first byte (Playwright injects it
# through the DevTools protocol, which the page's policy does not govern).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  `${e.effectiveDirective} refused ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`
));
"""


# Stands in for the print dialog and counts the calls (a page evaluating to a function runs it,
# hence the wrapper).
COUNT_PRINTS = "() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }"


def watch(page) -> list[str]:
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    def console(msg) -> None:
        # The browser's own guess at /favicon.ico is not the page's doing.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"console: {msg.text} ({msg.location.get('url')})")

    page.on("console", console)
    return problems


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def test_the_home_page_loads_with_its_policy_and_no_violation(page):
    problems = watch(page)
    response = page.goto("/")
    policy = response.request.redirected_from.response().headers["content-security-policy"]
    assert "script-src 'self'" in policy
    page.get_by_role("button", name="Sign in").wait_for()
    assert violations(page) == [] and problems == []

    sign_in(page, "alice")
    page.get_by_role("link", name="Home").first.wait_for()
    assert violations(page) == [] and problems == []


def test_carols_insights_charts_and_network_draw_under_the_policy(page):
    problems = watch(page)
    sign_in(page, "carol")
    page.goto("/insights/")
    page.wait_for_function(
        "() => ['chart-hours', 'chart-members', 'chart-give-take']"
        ".every(id => window.Chart && Chart.getChart(id))"
    )
    page.wait_for_function("() => document.querySelectorAll('#network canvas').length > 0")
    # cytoscape found its stylesheet already there and added no <style> of its own.
    assert page.locator("style").count() == 0
    assert violations(page) == [] and problems == []

    page.goto("/insights/funder/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-hours')")
    page.evaluate(COUNT_PRINTS)
    page.get_by_role("button", name="Print this report").click()
    assert page.evaluate("window.__printed") == 1
    assert violations(page) == [] and problems == []


def test_alices_search_is_swapped_in_by_htmx_and_her_statement_prints(page):
    problems = watch(page)
    sign_in(page, "alice")
    page.goto("/offers/")
    with page.expect_request(lambda r: r.headers.get("hx-request") == "true") as search:
        page.get_by_role("button", name="Search").click()
    assert search.value.url.split("?")[0].endswith("/offers/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#results").count() == 1
    # htmx was told not to inject its indicator <style>.
    assert page.locator("style").count() == 0
    assert violations(page) == [] and problems == []

    page.goto("/account/statement/print/")
    page.evaluate(COUNT_PRINTS)
    page.get_by_role("button", name="Print this statement").click()
    assert page.evaluate("window.__printed") == 1
    assert violations(page) == [] and problems == []
