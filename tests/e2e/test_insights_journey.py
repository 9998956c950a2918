"""The insights report in a real browser (issue 6), on the demo community, offline.

carol the coordinator opens the report on her phone: the vendored chart.js draws the charts and
the vendored cytoscape draws the network, with no request leaving the machine and no script
error; she colours the points by kind of help and the key changes; the isolation list takes
her to the person's page; the funder's page names no one, and its PDF downloads. alice, a
member, gets no report at all.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def watch(page) -> tuple[list[str], list[str]]:
    """Record script errors, and refuse (and record) any request to another host."""
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def only_this_machine(route):
        if urlparse(route.request.url).hostname in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_machine)
    return errors, outside


def test_carol_reads_the_report_with_its_charts_and_network_offline(page):
    errors, outside = watch(page)
    sign_in(page, "carol")
    page.goto("/insights/")
    page.get_by_role("heading", name="The exchange network").wait_for()

    # chart.js drew each chart on its canvas.
    page.wait_for_function(
        "() => ['chart-hours', 'chart-members', 'chart-give-take']"
        ".every(id => window.Chart && Chart.getChart(id))"
    )
    # cytoscape laid out the network and drew it into the container.
    page.wait_for_function("() => document.querySelectorAll('#network canvas').length > 0")
    legend = page.locator("#network-legend li")
    assert legend.count() > 0
    by_area = legend.all_inner_texts()

    page.get_by_label("Colour the points by").select_option("category")
    page.wait_for_function(
        "areas => JSON.stringify([...document.querySelectorAll('#network-legend li')]"
        ".map(li => li.innerText)) !== JSON.stringify(areas)",
        arg=by_area,
    )
    assert errors == []
    assert outside == []


def test_the_isolation_list_takes_carol_to_the_persons_page(page):
    sign_in(page, "carol")
    page.goto("/insights/")
    at_risk = page.get_by_role("region", name="Members at risk of isolation")
    first = at_risk.get_by_role("link").first
    name = first.inner_text()
    first.click()
    page.wait_for_url("**/people/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith(name.split()[0])


def test_the_funder_page_names_no_one_and_its_pdf_downloads(page):
    sign_in(page, "carol")
    page.goto("/insights/funder/")
    page.get_by_role("link", name="Download as PDF").wait_for()
    assert "Alice" not in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_alice_a_member_gets_no_report(page):
    sign_in(page, "alice")
    response = page.goto("/insights/")
    assert response.status == 404
