"""The list endpoints use a bounded number of queries, however many rows they return."""

from __future__ import annotations

import pytest

from coproduce.exchanges.services.exchanges import exchange_propose
from coproduce.exchanges.services.listings import listing_create
from tests.api.conftest import earn

pytestmark = pytest.mark.django_db

# Token (with its person, time bank and membership) and its last_used_at: 2.
AUTH = 2


@pytest.fixture
def busy_riverside(riverside, alice, bob, carol, dr_patel):
    for n in range(12):
        owner = [alice, bob, carol][n % 3]
        for kind in ("offer", "request"):
            listing_create(
                kind=kind,
                timebank=riverside,
                acting=owner,
                title=f"Garden job {n}",
                category="gardening",
            )
    for n in range(8):
        exchange_propose(
            timebank=riverside,
            acting=alice,
            providers=[alice],
            receivers=[[bob, carol][n % 2]],
            title=f"Tea {n}",
            category="companionship",
            expected_minutes=30,
        )
    for _n in range(8):
        earn(riverside, earner=alice, payer=bob, minutes=5)
        earn(riverside, earner=alice, payer=carol, minutes=5)
    return riverside


@pytest.mark.parametrize(
    ("path", "params", "most"),
    [
        ("/offers", {"limit": 50}, AUTH + 1),
        ("/requests", {"limit": 50, "q": "garden"}, AUTH + 1),
        ("/requests", {"limit": 50, "day": "mon", "category": "gardening"}, AUTH + 1),
        # + the organisations the person works for, read before their exchanges (and, on
        # PostgreSQL, the ids of their exchanges: one more, below).
        ("/exchanges", {"limit": 50}, AUTH + 3),
        ("/exchanges", {"limit": 50, "bucket": "active"}, AUTH + 3),
        ("/account/statement", {"limit": 50}, AUTH + 4),
        ("/me", {}, AUTH + 1),
    ],
)
def test_list_endpoints_use_a_bounded_number_of_queries(
    api_as, alice, busy_riverside, django_assert_max_num_queries, path, params, most, on_postgres
):
    as_alice = api_as(alice)
    if path == "/exchanges" and on_postgres:
        most += 1  # the person's exchange ids, read first (exchanges_for_person)

    with django_assert_max_num_queries(most):
        response = as_alice.get(path, **params)

    assert response.status_code == 200
    assert path == "/me" or len(response.json()["items"]) >= 8


@pytest.fixture
def busy_everything(busy_riverside, riverside, alice, bob, carol, dr_patel):
    """Several of everything the new lists show: conversations, blocks, pools with spends,
    projects, referrals, applications."""
    from django.utils import timezone

    from coproduce.codesign.services import project_create, project_join
    from coproduce.community.blocks import block_create
    from coproduce.community.invitations import invitation_create
    from coproduce.community.models import Organisation, OrganisationStaff
    from coproduce.conversations.models import Message, MessageReport
    from coproduce.conversations.services import conversation_start
    from coproduce.core.notifications import notify
    from coproduce.exchanges.models import Offer
    from coproduce.partners.services.pools import (
        pool_contribute,
        pool_create,
        pool_spend_propose,
    )
    from coproduce.partners.services.referrals import referral_create
    from tests.conftest import _join, _person
    from tests.partners.conftest import REFERRAL

    for offer in Offer.objects.exclude(person=bob)[:6]:
        conversation_start(timebank=riverside, acting=bob, listing=offer, body="Hello")
    surgery = Organisation.objects.get(slug="riverside-surgery")
    for n in range(4):
        pool = pool_create(
            timebank=riverside, acting=alice, name=f"Pool {n}", unit="hour", holders=[alice, bob]
        )
        earn(riverside, earner=alice, payer=carol, minutes=60)
        pool_contribute(pool=pool, acting=alice, amount=60)
        for _k in range(3):
            pool_spend_propose(pool=pool, acting=alice, payee=bob, amount=5, purpose="Seeds")
        project = project_create(
            acting=carol, timebank=riverside, organisation=surgery, title=f"P{n}", question="Q?"
        )
        project_join(acting=alice, project=project)
        referral_create(
            timebank=riverside,
            acting=dr_patel,
            organisation=surgery,
            **{**REFERRAL, "consent_given_on": timezone.localdate()},
        )
        person = _join(riverside, _person(f"applicant{n}", "Ann", f"Lee{n}"), status="applied")
        block_create(blocker=alice, blocked=person)
        notify(person=alice, kind="exchange.proposed", message=f"Notice {n}", timebank=riverside)
        invitation_create(timebank=riverside, kind="member", acting=carol, name=f"Guest {n}")
        staff = _join(riverside, _person(f"nurse{n}", "Nia", f"Nurse{n}"), role="professional")
        OrganisationStaff.objects.create(
            timebank=riverside, organisation=surgery, person=staff, role="professional"
        )
    for message in Message.objects.filter(author=bob)[:4]:
        MessageReport.objects.create(
            timebank=riverside, message=message, reported_by=alice, reason="Not kind"
        )
    return riverside


# Who asks, which list, and the most queries it may take (the token is 1 of them; it is read
# again for each request): the same for a page of 1 and of 50.
NEW_LISTS = [
    ("alice", "/conversations", 3),
    ("bob", "/conversations", 3),
    ("alice", "/conversations/{conversation}/messages", 6),
    ("alice", "/blocks", 2),
    ("alice", "/pools", 5),
    ("alice", "/pools/{pool}/spends", 6),
    ("alice", "/projects", 3),
    ("dr_patel", "/referrals", 4),
    ("carol", "/referrals", 4),
    ("carol", "/coordinator/applications", 3),
    ("carol", "/coordinator/members", 3),
    ("alice", "/notifications", 3),
    ("carol", "/coordinator/invitations", 4),
    ("carol", "/coordinator/reported-messages", 4),
    ("alice", "/organisations", 4),
    ("carol", "/organisations/{surgery}/staff", 5),
    ("carol", "/coordinator/members/{bob}/statement", 6),
]


@pytest.mark.parametrize(("who", "path", "most"), NEW_LISTS)
def test_new_lists_cost_the_same_however_long_the_page(
    api_as, request, busy_everything, who, path, most
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coproduce.community.models import Organisation
    from coproduce.conversations.models import Conversation
    from coproduce.partners.models import Pool

    person = request.getfixturevalue(who)
    path = path.format(
        pool=Pool.objects.first().public_id,
        surgery=Organisation.objects.get(slug="riverside-surgery").public_id,
        bob=request.getfixturevalue("bob").public_id,
        conversation=Conversation.objects.filter(members__person=person).first().public_id
        if "{conversation}" in path
        else "",
    )
    api = api_as(person)
    api.get(path, limit=50)  # the token's last use and a thread's read marker, written once
    counts = []
    for limit in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(path, limit=limit)
        assert response.status_code == 200, response.content
        counts.append(len(queries))
    assert counts[0] == counts[1], (path, counts)
    assert counts[1] <= most, (path, counts)
    assert response.json()["items"], path
