"""My notices through the API: the same list as /notifications/ (mine only, not message
notices), paged by cursor, and marking them all read."""

from __future__ import annotations

import pytest

from coproduce.core.models import Notification
from coproduce.core.notifications import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_notices(alice, bob, riverside, hillside):
    for number in range(3):
        notify(
            person=alice, kind="exchange.proposed", message=f"Notice {number}", timebank=riverside
        )
    notify(person=alice, kind="conversation.message", message="A new message", timebank=riverside)
    notify(person=bob, kind="exchange.proposed", message="Bob's notice", timebank=riverside)


def test_alice_pages_through_her_notices_newest_first(api_as, alice, alices_notices):
    as_alice = api_as(alice)

    first = as_alice.get("/notifications", limit=2).json()
    second = as_alice.get("/notifications", limit=2, cursor=first["next_cursor"]).json()

    messages = [n["message"] for n in first["items"] + second["items"]]
    assert messages == ["Notice 2", "Notice 1", "Notice 0"]
    assert second["next_cursor"] is None
    assert first["unread"] == 3


def test_marking_all_read_marks_only_alices_notices_not_her_messages(
    api_as, alice, bob, alices_notices
):
    response = api_as(alice).post("/notifications/read")

    assert response.status_code == 200
    assert response.json() == {"marked": 3}
    assert not Notification.objects.filter(person=alice, kind="exchange.proposed", read_at=None)
    assert Notification.objects.filter(person=alice, kind="conversation.message", read_at=None)
    assert Notification.objects.filter(person=bob, read_at=None).count() == 1
    assert api_as(alice).get("/notifications").json()["unread"] == 0


def test_a_read_only_token_cannot_mark_notices_read(api_as, alice, alices_notices):
    response = api_as(alice, write=False).post("/notifications/read")

    assert response.status_code == 403
    assert Notification.objects.filter(person=alice, read_at=None).count() == 4


def test_harry_sees_none_of_riverside_notices(api_as, harry, alices_notices):
    assert api_as(harry).get("/notifications").json()["items"] == []
