"""A coordinator runs the time bank through the API: its settings (checked and recorded as on
the page), invitations (the link shown once), and the reported messages (each read recorded).
Members and other time banks' coordinators are told there is no such thing."""

from __future__ import annotations

import pytest

from coproduce.api.models import IdempotencyRecord
from coproduce.community.models import Invitation, TimeBank
from coproduce.core.models import AuditEvent
from coproduce.exchanges.services.listings import listing_create

pytestmark = pytest.mark.django_db

COORDINATOR_PATHS = [
    ("get", "/coordinator/settings", None),
    ("patch", "/coordinator/settings", {"name": "Taken over"}),
    ("get", "/coordinator/invitations", None),
    ("post", "/coordinator/invitations", {"kind": "member"}),
    ("get", "/coordinator/reported-messages", None),
]


def test_carol_changes_the_welcome_text_and_the_change_is_recorded(api_as, carol, riverside):
    as_carol = api_as(carol)
    before = as_carol.get("/coordinator/settings").json()

    response = as_carol.call("patch", "/coordinator/settings", {"welcome_text": "Come in!"})

    assert response.status_code == 200, response.content
    assert response.json() == {**before, "welcome_text": "Come in!"}
    assert TimeBank.objects.get(pk=riverside.pk).welcome_text == "Come in!"
    assert AuditEvent.objects.filter(timebank_id=riverside.pk, actor=carol).exists()


def test_a_wrong_setting_is_refused_and_nothing_changes(api_as, carol, riverside):
    response = api_as(carol).call(
        "patch", "/coordinator/settings", {"name": "New name", "time_zone": "Mars/Olympus"}
    )

    assert response.status_code == 400
    assert TimeBank.objects.get(pk=riverside.pk).name == riverside.name


@pytest.mark.parametrize(("method", "path", "body"), COORDINATOR_PATHS)
@pytest.mark.parametrize("who", ["alice", "dr_patel", "harry"])
def test_only_the_banks_coordinator_runs_it(request, api_as, riverside, who, method, path, body):
    person = request.getfixturevalue(who)
    invitations = Invitation.objects.count()
    name = TimeBank.objects.get(pk=riverside.pk).name

    response = api_as(person).call(method, path, body)

    if who == "harry" and method == "get":
        assert response.status_code == 200  # his own time bank's
    elif who == "harry":
        assert response.status_code in (200, 201)  # his own, never riverside's
        assert TimeBank.objects.get(pk=riverside.pk).name == name
    else:
        assert response.status_code == 404
        assert Invitation.objects.count() == invitations
        assert TimeBank.objects.get(pk=riverside.pk).name == name


def test_carol_invites_resends_and_withdraws(api_as, carol, riverside):
    as_carol = api_as(carol)

    made = as_carol.post("/coordinator/invitations", {"kind": "member", "name": "Dora"})
    assert made.status_code == 201, made.content
    public_id = made.json()["public_id"]
    assert made.json()["url"].startswith("http")
    listed = as_carol.get("/coordinator/invitations").json()["items"]
    assert [i["public_id"] for i in listed] == [public_id]
    assert "url" not in listed[0]

    again = as_carol.post(f"/coordinator/invitations/{public_id}/resend")
    assert again.status_code == 200
    assert again.json()["url"] != made.json()["url"]

    withdrawn = as_carol.post(f"/coordinator/invitations/{public_id}/revoke")
    assert withdrawn.status_code == 200
    assert Invitation.objects.get(public_id=public_id).revoked_at is not None
    assert as_carol.get("/coordinator/invitations").json()["items"] == []
    assert as_carol.post(f"/coordinator/invitations/{public_id}/revoke").status_code == 409


def test_an_invitation_link_is_never_kept_even_when_carol_sends_a_retry_key(
    api_as, carol, riverside
):
    as_carol = api_as(carol)

    made = as_carol.post("/coordinator/invitations", {"kind": "member"}, key="dora-1")
    again = as_carol.post(f"/coordinator/invitations/{made.json()['public_id']}/resend", key="r-1")

    assert made.status_code == 201 and again.status_code == 200
    kept = list(IdempotencyRecord.objects.values_list("response_body", flat=True))
    assert not any(
        link in body for body in kept for link in (made.json()["url"], again.json()["url"])
    )


def test_harry_cannot_touch_riversides_invitation(api_as, carol, harry):
    made = api_as(carol).post("/coordinator/invitations", {"kind": "member"}).json()

    for action in ("resend", "revoke"):
        response = api_as(harry).post(f"/coordinator/invitations/{made['public_id']}/{action}")
        assert response.status_code == 404
    assert Invitation.objects.get(public_id=made["public_id"]).revoked_at is None


def test_carol_reads_the_reported_messages_and_the_read_is_recorded(
    api_as, alice, bob, carol, riverside
):
    offer = listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Garden", category="gardening"
    )
    talk = api_as(bob).post("/conversations", {"offer": str(offer.public_id), "body": "Rude"})
    talk_id = talk.json()["public_id"]
    message = api_as(alice).get(f"/conversations/{talk_id}/messages").json()["items"][0]
    api_as(alice).post(
        f"/conversations/{talk_id}/messages/{message['public_id']}/report", {"reason": "Not kind"}
    )

    items = api_as(carol).get("/coordinator/reported-messages").json()["items"]

    assert [(i["body"], i["reason"], i["author"]["username"]) for i in items] == [
        ("Rude", "Not kind", "bob")
    ]
    assert AuditEvent.objects.filter(action="conversation.reports_viewed", actor=carol).exists()
