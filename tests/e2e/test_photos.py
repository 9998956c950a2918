"""Photos in a real browser (issue 13): bob adds a profile photo from his phone, sees it on his
profile with its description, and a file that is not a picture is refused with nothing kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 1200), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def test_bob_adds_a_photo_and_a_file_that_is_not_a_picture_is_refused(page):
    sign_in(page, "bob")
    page.goto("/profile/photo/")
    page.get_by_label("Photo", exact=False).first.set_input_files(
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"just some notes"}
    )
    page.get_by_label("What the photo shows").fill("Bob on his allotment")
    page.get_by_role("button", name="Save the photo").click()
    expect(page.get_by_text("must be a picture").first).to_be_visible()

    page.get_by_label("Photo", exact=False).first.set_input_files(
        {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    page.get_by_label("What the photo shows").fill("Bob on his allotment")
    page.get_by_role("button", name="Save the photo").click()
    photo = page.get_by_role("img", name="Bob on his allotment")
    expect(photo).to_be_visible()
    # The avatar loads lazily: "visible" comes before the picture's bytes have arrived.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    size = photo.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [320, 320]
