"""A first visit stays light on a slow phone connection (issue 16): home and browse, with an
empty browser cache, weigh under 150 KB in all, as sent over the wire (compressed), counting
every response: the page, its stylesheets, scripts, icons and pictures.

The figures are printed (pytest -s) and recorded in docs/DESIGN.md ("Page weight").
"""

from __future__ import annotations

import pytest

from tests.conftest import ON_POSTGRES
from tests.e2e.conftest import sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        ON_POSTGRES, reason="measures bytes, not data: run on SQLite only (issue 16, CI budget)"
    ),
]

BUDGET = 150 * 1024


def first_visit(browser, base_url: str, path: str, state: dict | None) -> dict[str, int]:
    """Bytes sent for each response of one visit to `path` from an empty cache (headers and
    compressed body), with the signed-in cookies of `state`."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, storage_state=state
    )
    page = context.new_page()
    sizes: dict[str, int] = {}

    def count(request) -> None:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]

    page.on("requestfinished", count)
    try:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    return sizes


@pytest.fixture(scope="module")
def member_state(browser, base_url) -> dict:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    sign_in(page, "alice")
    state = context.storage_state()
    context.close()
    return state


@pytest.mark.parametrize(
    ("who", "path"),
    [("visitor", "/"), ("visitor", "/login/"), ("member", "/"), ("member", "/offers/")],
)
def test_a_first_visit_weighs_under_150_kb(browser, base_url, member_state, who, path):
    state = member_state if who == "member" else None
    sizes = first_visit(browser, base_url, path, state)
    total = sum(sizes.values())
    listing = ", ".join(
        f"{url.rsplit('/', 1)[-1] or url}: {size / 1024:.1f}" for url, size in sizes.items()
    )
    print(f"first visit to {path} as a {who}: {total / 1024:.1f} KB ({listing})")
    assert len(sizes) >= 2, f"only {sizes} was fetched"
    assert total < BUDGET, f"{path} weighs {total / 1024:.1f} KB on a first visit: {listing}"
