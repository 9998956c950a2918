"""Alice gives hours she has earned to the community chest or to bob; carol grants hours from the
chest to bob, who cannot give back yet. Refusals are clear and write nothing."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail

from coproduce.core.errors import ApplicationError, PermissionDenied
from coproduce.core.models import AuditEvent, Notification
from coproduce.ledger.accounts import chest_get_or_open
from coproduce.ledger.models import Account, Transfer, TransferKind
from coproduce.members.services import gift_give, grant_from_chest
from tests.members.conftest import account_of


@pytest.fixture
def alice_has_earned_3_hours(pay, alice, carol):
    pay(carol, alice, 180, memo="Gardening")


@pytest.fixture
def chest_holds_2_hours(riverside, alice_has_earned_3_hours, alice):
    gift_give(
        timebank=riverside,
        giver=alice,
        to_chest=True,
        minutes=120,
        idempotency_key="alice-first-gift",
    )


def ledger_rows() -> tuple[int, dict[int, int]]:
    return Transfer.objects.count(), dict(Account.objects.values_list("id", "balance"))


# --- the service ---------------------------------------------------------------------------------


def test_alice_gives_an_hour_to_the_community_chest(riverside, alice_has_earned_3_hours, alice):
    transfer = gift_give(
        timebank=riverside, giver=alice, to_chest=True, minutes=60, idempotency_key="k1"
    )
    assert transfer.kind == TransferKind.GIFT
    assert chest_get_or_open(timebank=riverside).balance == 60
    assert account_of(alice).balance == 120
    assert AuditEvent.objects.filter(action="ledger.gift_given").count() == 1


def test_bob_is_told_when_alice_gives_him_hours(
    riverside, alice_has_earned_3_hours, alice, bob, django_capture_on_commit_callbacks
):
    bob.email, bob.notify_by_email = "bob@example.org", True
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        gift_give(
            timebank=riverside,
            giver=alice,
            to_chest=False,
            to_person=bob,
            minutes=30,
            note="For the lovely soup",
            idempotency_key="k2",
        )
    assert account_of(bob).balance == 30
    notification = Notification.objects.get(person=bob)
    assert "Alice Ahmed gave you 0:30 hours" in notification.message
    assert "lovely soup" in notification.message
    assert notification.url == "/account/"
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


def test_a_refused_gift_sends_no_email(
    riverside, alice_has_earned_3_hours, alice, bob, django_capture_on_commit_callbacks
):
    bob.email = "bob@example.org"
    bob.save()
    Account.objects.filter(pk=account_of(bob).pk).update(max_balance=0)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        gift_give(
            timebank=riverside,
            giver=alice,
            to_chest=False,
            to_person=bob,
            minutes=30,
            idempotency_key="k3",
        )
    assert mail.outbox == []
    assert not Notification.objects.filter(person=bob).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"to_chest": True, "minutes": 0}, "Give at least one minute."),
        ({"to_chest": True, "minutes": -60}, "Give at least one minute."),
        ({"to_chest": True, "minutes": 240}, "You have 3:00 hours"),
        ({"to_chest": False, "to_person": "alice", "minutes": 60}, "cannot give hours to yourself"),
        ({"to_chest": False, "minutes": 60}, "Choose either the community chest or one member"),
        ({"to_chest": True, "to_person": "bob", "minutes": 60}, "Choose either"),
        ({"to_chest": True, "minutes": 60, "note": "x" * 201}, "keep the note to 200"),
    ],
)
def test_a_gift_is_refused_clearly_and_writes_nothing(
    riverside, alice_has_earned_3_hours, alice, bob, kwargs, message
):
    people = {"alice": alice, "bob": bob}
    if "to_person" in kwargs:
        kwargs["to_person"] = people[kwargs["to_person"]]
    before = ledger_rows()
    with pytest.raises(ApplicationError, match=message):
        gift_give(timebank=riverside, giver=alice, idempotency_key="k", **kwargs)
    assert ledger_rows() == before


def test_a_gift_cannot_go_to_someone_outside_the_time_bank(
    riverside, alice_has_earned_3_hours, alice, harry
):
    with pytest.raises(ApplicationError, match="not an active member"):
        gift_give(
            timebank=riverside,
            giver=alice,
            to_chest=False,
            to_person=harry,
            minutes=60,
            idempotency_key="k",
        )


def test_a_gift_is_refused_past_the_receivers_upper_limit(
    riverside, alice_has_earned_3_hours, alice, bob
):
    Account.objects.filter(pk=account_of(bob).pk).update(max_balance=30)
    with pytest.raises(ApplicationError, match="above its limit"):
        gift_give(
            timebank=riverside,
            giver=alice,
            to_chest=False,
            to_person=bob,
            minutes=60,
            idempotency_key="k",
        )


def test_the_same_gift_sent_twice_is_given_once(riverside, alice_has_earned_3_hours, alice):
    first = gift_give(
        timebank=riverside, giver=alice, to_chest=True, minutes=120, idempotency_key="same"
    )
    # The second would be refused for want of hours, were it not recognised as the same gift.
    again = gift_give(
        timebank=riverside, giver=alice, to_chest=True, minutes=120, idempotency_key="same"
    )
    assert again.pk == first.pk
    assert account_of(alice).balance == 60


def test_carol_grants_hours_from_the_chest_to_bob(riverside, chest_holds_2_hours, carol, bob):
    transfer = grant_from_chest(
        timebank=riverside,
        coordinator=carol,
        to_person=bob,
        minutes=90,
        reason="Bob is recovering from an operation",
        idempotency_key="g1",
    )
    assert (transfer.kind, transfer.memo) == (
        TransferKind.GRANT,
        "Bob is recovering from an operation",
    )
    assert account_of(bob).balance == 90
    assert chest_get_or_open(timebank=riverside).balance == 30
    assert "community chest" in Notification.objects.get(person=bob, kind="grant_received").message
    assert AuditEvent.objects.filter(action="ledger.grant_made", actor=carol).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"minutes": 60, "reason": "  "}, "Say why"),
        ({"minutes": 0, "reason": "Needs help"}, "at least one minute"),
        ({"minutes": 180, "reason": "Needs help"}, "chest holds 2:00 hours"),
    ],
)
def test_a_grant_is_refused_clearly_and_writes_nothing(
    riverside, chest_holds_2_hours, carol, bob, kwargs, message
):
    before = ledger_rows()
    with pytest.raises(ApplicationError, match=message):
        grant_from_chest(
            timebank=riverside, coordinator=carol, to_person=bob, idempotency_key="g", **kwargs
        )
    assert ledger_rows() == before


def test_only_a_coordinator_grants(riverside, chest_holds_2_hours, alice, bob, harry):
    for person in (alice, harry):
        with pytest.raises(PermissionDenied):
            grant_from_chest(
                timebank=riverside,
                coordinator=person,
                to_person=bob,
                minutes=30,
                reason="Because",
                idempotency_key=f"g-{person.username}",
            )


def test_a_coordinator_cannot_grant_to_themselves(riverside, chest_holds_2_hours, carol):
    with pytest.raises(ApplicationError, match="cannot grant hours to themselves"):
        grant_from_chest(
            timebank=riverside,
            coordinator=carol,
            to_person=carol,
            minutes=30,
            reason="Because",
            idempotency_key="g",
        )


# --- the pages ----------------------------------------------------------------------------------


def _gift_form(client) -> dict[str, str]:
    return {
        "idempotency_key": str(
            client.get("/account/gift/").context["form"]["idempotency_key"].value()
        )
    }


def test_alice_gives_hours_to_bob_from_the_gift_page(login, alice_has_earned_3_hours, alice, bob):
    client = login(alice)
    page = client.get("/account/gift/")
    html = page.content.decode()
    assert '<label for="id_minutes">' in html
    assert "<legend>Who would you like to give hours to?</legend>" in html
    assert "Bob Brown" in html
    data = _gift_form(client) | {
        "recipient": "member",
        "person": str(bob.public_id),
        "minutes": "1:30",
        "note": "Thank you",
    }
    response = client.post("/account/gift/", data, follow=True)
    assert response.redirect_chain[-1][0] == "/account/"
    assert b"You gave 1:30 hours to Bob Brown" in response.content
    assert account_of(bob).balance == 90


def test_a_double_clicked_gift_gives_once(login, alice_has_earned_3_hours, alice):
    client = login(alice)
    data = _gift_form(client) | {"recipient": "chest", "minutes": "1"}
    client.post("/account/gift/", data)
    second = client.post("/account/gift/", data)
    assert second.status_code == 302
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 1
    assert account_of(alice).balance == 120


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recipient": "chest", "minutes": "0"}, "Give at least one minute."),
        ({"recipient": "chest", "minutes": "lots"}, "is not a length of time"),
        ({"recipient": "chest", "minutes": ""}, "Say how many hours to give."),
        ({"recipient": "chest", "minutes": "5"}, "You have 3:00 hours"),
        ({"recipient": "member", "minutes": "1"}, "Choose the member you would like to give to."),
        ({"recipient": "member", "person": str(uuid.uuid4()), "minutes": "1"}, "from the list"),
        ({"minutes": "1"}, "Choose who to give hours to."),
    ],
)
def test_a_refused_gift_is_explained_on_the_form(
    login, alice_has_earned_3_hours, alice, data, message
):
    client = login(alice)
    response = client.post("/account/gift/", _gift_form(client) | data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b'role="alert"' in response.content
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 0


def test_a_gift_without_its_form_key_is_refused_and_can_be_sent_again(
    login, alice_has_earned_3_hours, alice
):
    client = login(alice)
    response = client.post("/account/gift/", {"recipient": "chest", "minutes": "1"})
    assert b"This form has expired" in response.content
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 0
    fresh = response.context["form"]["idempotency_key"].value()
    assert fresh
    client.post("/account/gift/", {"recipient": "chest", "minutes": "1", "idempotency_key": fresh})
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 1


def test_harry_cannot_give_to_a_riverside_member(login, alice, harry, hillside):
    client = login(harry)
    data = _gift_form(client) | {
        "recipient": "member",
        "person": str(alice.public_id),
        "minutes": "1",
    }
    response = client.post("/account/gift/", data)
    assert b"Choose a member from the list." in response.content
    assert b"Alice" not in client.get("/account/gift/").content


def test_carol_grants_from_the_grant_page(login, chest_holds_2_hours, carol, bob, alice):
    client = login(carol)
    page = client.get("/account/grant/")
    assert b"The community chest holds 2:00 hours." in page.content
    key = str(page.context["form"]["idempotency_key"].value())
    data = {
        "idempotency_key": key,
        "person": str(bob.public_id),
        "minutes": "1",
        "reason": "Illness",
    }
    response = client.post("/account/grant/", data, follow=True)
    assert b"1:00 hours granted to Bob Brown" in response.content
    client.post("/account/grant/", data)
    assert Transfer.objects.filter(kind=TransferKind.GRANT).count() == 1


def test_a_grant_without_a_reason_is_refused_on_the_form(login, chest_holds_2_hours, carol, bob):
    client = login(carol)
    key = str(client.get("/account/grant/").context["form"]["idempotency_key"].value())
    data = {"idempotency_key": key, "person": str(bob.public_id), "minutes": "1", "reason": ""}
    response = client.post("/account/grant/", data)
    assert b"Say why these hours are granted." in response.content
    assert b'aria-invalid="true"' in response.content
    assert not Transfer.objects.filter(kind=TransferKind.GRANT).exists()


@pytest.mark.parametrize("who", ["alice", "dr_patel", "harry"])
def test_only_riversides_coordinators_can_grant_there(
    login, chest_holds_2_hours, alice, bob, dr_patel, harry, who
):
    person = {"alice": alice, "dr_patel": dr_patel, "harry": harry}[who]
    client = login(person)
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "person": str(bob.public_id),
        "minutes": "1",
        "reason": "Because",
    }
    response = client.post("/account/grant/", data)
    if who == "harry":
        # Harry coordinates Hillside: bob is not a member there, named by id or username.
        assert b"No one in this time bank has the username" in response.content
    else:
        assert response.status_code == 404
    assert not Transfer.objects.filter(kind=TransferKind.GRANT).exists()
    assert mail.outbox == []
