"""The core journey of issue 16 (find an offer, propose, agree, done, confirm), shared by the
keyboard-only and the no-JavaScript browser tests. Alice posts an offer with a name no other
test uses; bob finds it and asks for it; alice agrees and marks it done; bob confirms."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import sign_in


def alice_posts_an_offer(page) -> str:
    """Set-up, by mouse: alice's new offer, with a title found nowhere else. Returns the title."""
    title = f"Reading the paper aloud {uuid.uuid4().hex[:6]}"
    sign_in(page, "alice")
    page.goto("/offers/new/")
    page.get_by_label("What help, in a few words").fill(title)
    page.get_by_label("Kind of help").select_option("companionship")
    page.get_by_role("button", name="Post this offer").click()
    page.get_by_role("heading", name=title).wait_for()
    return title
