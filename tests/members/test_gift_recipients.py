"""Who a gift page lets you choose: alice sees Riverside's other active members, never Hillside's
hilda nor nina, who has applied and is not yet inducted; dr_patel the GP, who does not browse
members, gives to the community chest only; nina gives nothing and sees no one. A crafted POST
naming someone the giver may not see is refused and changes nothing."""

from __future__ import annotations

import pytest

from coproduce.core.errors import PermissionDenied
from coproduce.ledger.models import Account, Transfer
from coproduce.members.services import gift_give
from tests.conftest import _join, _person
from tests.members.conftest import account_of


@pytest.fixture
def hilda(hillside):
    """A member of Hillside, another community."""
    return _join(hillside, _person("hilda", "Hilda", "Hughes"))


@pytest.fixture
def nina(riverside):
    """Has applied to join Riverside and waits for her induction."""
    return _join(riverside, _person("nina", "Nina", "Newcombe"), status="applied")


@pytest.fixture
def everyone(alice, bob, carol, dr_patel, hilda, nina, harry):
    return [alice, bob, carol, dr_patel, hilda, nina, harry]


@pytest.fixture
def earned(pay, carol):
    """`earned(person)`: carol pays them three hours, so they have hours to give."""

    def earn(person):
        pay(carol, person, 180, memo="Gardening")

    return earn


def ledger_rows() -> tuple[int, dict[int, int]]:
    return Transfer.objects.count(), dict(Account.objects.values_list("id", "balance"))


def _key(client) -> str:
    return str(client.get("/account/gift/").context["form"]["idempotency_key"].value())


def test_alice_chooses_among_riversides_other_active_members_only(login, everyone):
    alice, bob, carol, dr_patel, *_others = everyone
    page = login(alice).get("/account/gift/")
    choices = set(page.context["form"].fields["person"].queryset)
    assert choices == {bob, carol, dr_patel}
    html = page.content.decode()
    assert "Bob Brown" in html
    for stranger in ("Hilda", "Harry", "Nina"):
        assert stranger not in html


def test_dr_patel_is_shown_no_member_and_gives_to_the_chest(login, everyone, earned):
    _alice, _bob, _carol, dr_patel, *_others = everyone
    earned(dr_patel)
    client = login(dr_patel)
    page = client.get("/account/gift/")
    html = page.content.decode()
    assert "<select" not in html
    for name in ("Alice", "Bob", "Carol", "Hilda", "Nina"):
        assert name not in html
    assert "A member I choose" not in html
    data = {"idempotency_key": _key(client), "recipient": "chest", "minutes": "1"}
    response = client.post("/account/gift/", data, follow=True)
    assert b"You gave 1:00 hours to the community chest" in response.content


def test_dr_patel_cannot_give_to_bob_by_crafting_the_form(login, everyone, earned):
    _alice, bob, _carol, dr_patel, *_others = everyone
    earned(dr_patel)
    client = login(dr_patel)
    before = ledger_rows()
    data = {
        "idempotency_key": _key(client),
        "recipient": "member",
        "person": str(bob.public_id),
        "minutes": "1",
    }
    response = client.post("/account/gift/", data)
    assert response.status_code == 200
    assert "Choose who to give hours to." in response.content.decode()
    assert ledger_rows() == before


def test_the_gift_service_refuses_a_professionals_gift_to_a_member(riverside, everyone, earned):
    _alice, bob, _carol, dr_patel, *_others = everyone
    earned(dr_patel)
    before = ledger_rows()
    with pytest.raises(PermissionDenied) as refused:
        gift_give(
            timebank=riverside,
            giver=dr_patel,
            to_chest=False,
            to_person=bob,
            minutes=60,
            idempotency_key="crafted",
        )
    assert refused.value.code == "professional_gift"
    assert ledger_rows() == before


def test_nina_the_applicant_sees_no_one_and_cannot_give(login, everyone):
    *_others, nina, _harry = everyone
    client = login(nina)
    page = client.get("/account/gift/")
    html = page.content.decode()
    assert page.context["form"] is None
    assert "<form" not in html.split("<main", 1)[-1]
    for name in ("Alice", "Bob", "Carol", "Priya"):
        assert name not in html
    assert "once the coordinator has welcomed you in" in html


def test_nina_cannot_give_by_posting_the_form_anyway(login, everyone):
    alice, *_others, nina, _harry = everyone
    before = ledger_rows()
    data = {
        "idempotency_key": "6b1f6a52-3c64-4f5e-9a4b-2f0f5b0c1d2e",
        "recipient": "member",
        "person": str(alice.public_id),
        "minutes": "1",
    }
    response = login(nina).post("/account/gift/", data)
    assert response.status_code == 403
    assert ledger_rows() == before


@pytest.mark.parametrize("who", ["hilda", "nina"])
def test_alice_cannot_give_to_someone_she_may_not_see_by_crafting_the_form(
    login, everyone, earned, who
):
    alice, *_others = everyone
    hidden = {"hilda": everyone[4], "nina": everyone[5]}[who]
    earned(alice)
    client = login(alice)
    before = ledger_rows()
    data = {
        "idempotency_key": _key(client),
        "recipient": "member",
        "person": str(hidden.public_id),
        "minutes": "1",
    }
    response = client.post("/account/gift/", data)
    assert "Choose a member from the list." in response.content.decode()
    assert ledger_rows() == before
    assert account_of(alice).balance == 180
