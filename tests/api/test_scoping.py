"""Every lookup is scoped to the token's person and time bank: other people's exchanges and other
communities' listings do not exist for them."""

from __future__ import annotations

import pytest

from coproduce.exchanges.services.listings import listing_create, listing_pause

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_exchange_with_carol(api_as, alice, carol):
    response = api_as(alice).post(
        "/exchanges",
        {
            "role": "receiving",
            "others": ["carol"],
            "title": "Help with my benefits form",
            "category": "admin",
            "minutes": 60,
        },
    )
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def alices_offer(alice, riverside):
    return listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Dog walking", category="household"
    )


def test_bob_cannot_read_alices_exchange(api_as, bob, alices_exchange_with_carol):
    response = api_as(bob).get(f"/exchanges/{alices_exchange_with_carol['public_id']}")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such exchange.", "code": "not_found"}


@pytest.mark.parametrize("action", ["agree", "cancel", "confirm"])
def test_bob_cannot_act_on_alices_exchange(api_as, bob, alices_exchange_with_carol, action):
    response = api_as(bob).post(f"/exchanges/{alices_exchange_with_carol['public_id']}/{action}")

    assert response.status_code == 404


def test_harry_sees_nothing_of_riverside(api_as, harry, alices_exchange_with_carol, alices_offer):
    as_harry = api_as(harry)

    assert as_harry.get(f"/exchanges/{alices_exchange_with_carol['public_id']}").status_code == 404
    assert (
        as_harry.post(f"/exchanges/{alices_exchange_with_carol['public_id']}/agree").status_code
        == 404
    )
    assert as_harry.get(f"/offers/{alices_offer.public_id}").status_code == 404
    assert as_harry.get("/offers").json()["items"] == []
    assert as_harry.get("/exchanges").json()["items"] == []
    assert as_harry.get("/me").json()["timebank"]["slug"] == "hillside"


def test_harry_cannot_arrange_help_with_a_riverside_member(api_as, harry, alice):
    response = api_as(harry).post(
        "/exchanges",
        {
            "role": "giving",
            "others": ["alice"],
            "title": "Tea",
            "category": "companionship",
            "minutes": 30,
        },
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_member"


def test_harry_cannot_answer_a_riverside_offer(api_as, harry, alices_offer):
    response = api_as(harry).post(
        "/exchanges", {"offer": str(alices_offer.public_id), "minutes": 60}
    )

    assert response.status_code == 404


def test_carol_the_coordinator_can_read_an_exchange_she_is_not_in(api_as, alice, bob, carol):
    exchange = (
        api_as(alice)
        .post(
            "/exchanges",
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 30,
            },
        )
        .json()
    )

    response = api_as(carol).get(f"/exchanges/{exchange['public_id']}")

    assert response.status_code == 200
    assert "agree" in response.json()["actions"]


def test_a_paused_offer_is_hidden_from_bob_but_not_from_alice(api_as, alice, bob, alices_offer):
    listing_pause(listing=alices_offer, acting=alice)

    assert api_as(bob).get(f"/offers/{alices_offer.public_id}").status_code == 404
    assert api_as(alice).get(f"/offers/{alices_offer.public_id}").json()["status"] == "paused"
    assert api_as(bob).get("/offers").json()["items"] == []


def test_a_token_for_one_time_bank_sees_only_that_one(api_as, alice, hillside, alices_offer):
    from coproduce.community.models import Membership

    Membership.objects.create(timebank=hillside, person=alice, role="member", status="active")

    as_alice_in_hillside = api_as(alice, timebank=hillside)

    assert as_alice_in_hillside.get("/offers").json()["items"] == []
    assert as_alice_in_hillside.get(f"/offers/{alices_offer.public_id}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        "/offers",
        "/requests",
        "/exchanges",
        "/account/statement",
        "/exchanges/00000000-0000-0000-0000-000000000000",
    ],
)
def test_an_anonymous_visitor_gets_401_everywhere(anonymous, path):
    assert anonymous.get(path).status_code == 401


@pytest.mark.parametrize("path", ["/offers", "/requests", "/exchanges", "/gifts"])
def test_an_anonymous_visitor_cannot_post(anonymous, path):
    assert anonymous.post(path, {}).status_code == 401


def test_a_malformed_id_in_the_path_is_a_clear_422_not_a_500(api_as, alice):
    response = api_as(alice).get("/exchanges/not-a-uuid")

    assert response.status_code in (404, 422)


# --- the operations at parity with the web (issue 14) ------------------------------------------


@pytest.fixture
def bob_and_carols_conversation(api_as, riverside, bob, carol):
    offer = listing_create(
        kind="offer", timebank=riverside, acting=carol, title="Sewing", category="creative"
    )
    response = api_as(bob).post("/conversations", {"offer": str(offer.public_id), "body": "Hi"})
    assert response.status_code == 201
    return response.json()["public_id"]


def test_alice_cannot_read_bobs_conversation(api_as, alice, harry, bob_and_carols_conversation):
    for person in (alice, harry):
        response = api_as(person).get(f"/conversations/{bob_and_carols_conversation}/messages")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


COORDINATOR_ONLY = [
    ("get", "/coordinator/dashboard", None),
    ("get", "/coordinator/applications", None),
    ("get", "/coordinator/members", None),
    ("get", "/reports/coordinator", None),
    ("get", "/reports/funder", None),
    ("post", "/coordinator/grants", {"member": "bob", "minutes": 30, "reason": "Welcome"}),
]


@pytest.mark.parametrize(("method", "path", "body"), COORDINATOR_ONLY)
def test_a_member_cannot_use_a_coordinators_operations(api_as, alice, bob, method, path, body):
    from coproduce.ledger.models import Transfer

    before = Transfer.objects.count()

    response = api_as(alice).call(method, path, body, key="k-1" if method == "post" else None)

    assert response.status_code == 404
    assert Transfer.objects.count() == before


def test_dr_patel_sees_only_his_organisations_referrals(api_as, riverside, dr_patel, carol):
    from django.utils import timezone

    from coproduce.community.models import Organisation, OrganisationStaff
    from coproduce.partners.services.referrals import referral_create
    from tests.conftest import _join, _person
    from tests.partners.conftest import REFERRAL

    council = Organisation.objects.create(
        timebank=riverside, slug="riverside-council", name="Riverside Council", kind="council"
    )
    sam = _join(riverside, _person("sam", "Sam", "Hughes"), role="professional")
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=council, person=sam, role="admin"
    )
    fields = {**REFERRAL, "consent_given_on": timezone.localdate()}
    surgery = Organisation.objects.get(slug="riverside-surgery")
    edna = referral_create(timebank=riverside, acting=dr_patel, organisation=surgery, **fields)
    enid = referral_create(
        timebank=riverside, acting=sam, organisation=council, **{**fields, "first_name": "Enid"}
    )

    his = api_as(dr_patel).get("/referrals").json()["items"]
    all_of_them = api_as(carol).get("/referrals").json()["items"]

    assert [r["public_id"] for r in his] == [str(edna.public_id)]
    assert api_as(dr_patel).get(f"/referrals/{enid.public_id}").status_code == 404
    assert {r["public_id"] for r in all_of_them} == {str(edna.public_id), str(enid.public_id)}


def test_another_banks_coordinator_sees_nothing_of_riverside(
    api_as, riverside, harry, alice, bob_and_carols_conversation
):
    from coproduce.partners.services.pools import pool_create

    pool = pool_create(
        timebank=riverside, acting=alice, name="Garden", unit="hour", holders=[alice]
    )
    as_harry = api_as(harry)

    assert as_harry.get(f"/pools/{pool.public_id}").status_code == 404
    assert as_harry.get(f"/people/{alice.public_id}").status_code == 404
    assert as_harry.get("/referrals").json()["items"] == []
    assert as_harry.get("/pools").json()["items"] == []
    assert as_harry.get("/conversations").json()["items"] == []
    members = as_harry.get("/coordinator/members").json()["items"]
    assert "alice" not in {m["person"]["username"] for m in members}
    assert as_harry.get("/reports/coordinator").json()["timebank"] == "hillside"
