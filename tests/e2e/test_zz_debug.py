import pytest
from tests.e2e.conftest import sign_in
pytestmark = pytest.mark.e2e
def test_debug(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 900})
    page = context.new_page()
    sign_in(page, "alice")
    page.goto("/")
    page.screenshot(path="/tmp/home390.png")
    page.goto("/profile/edit/")
    page.screenshot(path="/tmp/edit390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/offers/")
    page.screenshot(path="/tmp/offers1280.png")
