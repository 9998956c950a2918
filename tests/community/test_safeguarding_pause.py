"""A safeguarding pause: carol pauses bob at once. He can still sign in and see his exchanges,
but takes part in no new exchange, matching forgets him and his offers vanish for everyone but
carol and himself. The reason stays with coordinators; alice and harry can never pause anyone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.community.models import SafeguardingPause
from coproduce.community.safeguarding import safeguarding_pause, safeguarding_resume
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.models import AuditEvent
from coproduce.exchanges.models import Exchange, Offer
from coproduce.exchanges.selectors.search import listings_search
from coproduce.exchanges.services import exchanges as services
from coproduce.matching.models import MatchProfile
from tests.conftest import _join, _person
from tests.exchanges.conftest import propose

REASON = "Concern reported by a neighbour on 3 December; under review"


def pause_url(person) -> str:
    return reverse("community:safeguarding", args=[person.public_id])


@pytest.fixture
def bobs_offer(riverside, bob):
    return Offer.objects.create(
        timebank=riverside, person=bob, title="Dog walking", category="neighbourhood",
        created_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def paused_bob(riverside, carol, bob):
    return safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason=REASON)


def test_carol_pauses_bob_from_his_page_and_it_is_audited_without_the_reason(login, carol, bob):
    client = login(carol)
    assert client.get(pause_url(bob)).status_code == 200
    response = client.post(pause_url(bob), {"action": "pause", "reason": REASON})
    assert response.status_code == 302
    pause = SafeguardingPause.objects.get()
    assert (pause.person, pause.started_by, pause.ended_at) == (bob, carol, None)
    event = AuditEvent.objects.get(action="membership.safeguarding_paused")
    assert event.actor == carol and event.target == f"person:{bob.public_id}"
    assert REASON not in str(event.data)
    page = client.get(pause_url(bob)).content.decode()
    assert REASON in page
    profile = client.get(reverse("community:profile", args=[bob.public_id])).content.decode()
    assert "Under a safeguarding pause" in profile


@pytest.fixture
def pending(riverside, alice, bob):
    return propose(riverside, alice, bob)  # bob asked alice, before the pause


def test_a_paused_member_keeps_signing_in_and_seeing_his_exchanges(
    login, riverside, carol, bob, pending
):
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason=REASON)
    client = login(bob)
    assert client.get(reverse("web:home")).status_code == 200
    assert client.get(reverse("exchanges:exchange", args=[pending.public_id])).status_code == 200
    me = client.get(reverse("community:profile_me")).content.decode()
    assert "Your membership is on hold" in me
    assert REASON not in me


def test_a_paused_member_cannot_propose_agree_or_be_proposed_to(riverside, carol, alice, bob):
    dan = _join(riverside, _person("dan", "Dan", "Davies"))
    offered = propose(riverside, bob, dan, acting=dan, title="Fix the gate")  # dan asks bob
    waiting = propose(riverside, alice, bob)
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason=REASON)
    before = Exchange.objects.count()
    with pytest.raises(PermissionDenied, match="on hold"):
        propose(riverside, dan, bob, title="Lift")  # bob asks
    with pytest.raises(ApplicationError, match="Bob Brown cannot take part in new exchanges"):
        propose(riverside, bob, alice, acting=alice, title="Shopping")  # alice asks bob
    with pytest.raises(PermissionDenied, match="on hold"):
        services.exchange_agree(exchange=offered, acting=bob)
    with pytest.raises(ApplicationError, match="cannot take part"):
        services.exchange_agree(exchange=waiting, acting=alice)
    with pytest.raises(ApplicationError, match="cannot take part"):
        services.exchange_log_finished(
            timebank=riverside, acting=carol, provider=alice, receiver=bob, title="Tea",
            category="companionship", minutes=60, done_on=timezone.localdate(),
        )  # fmt: skip
    assert Exchange.objects.count() == before
    # His open exchanges were not cancelled: carol sees them to handle one by one.
    assert set(Exchange.objects.values_list("status", flat=True)) == {"proposed"}
    # He may still call one off.
    services.exchange_cancel(exchange=offered, acting=bob, reason="On hold")


def test_the_web_form_tells_bob_his_membership_is_on_hold(login, alice, bob, paused_bob):
    response = login(bob).post(
        reverse("exchanges:exchange_new"),
        {"my_role": "receiving", "others": "alice", "title": "Tea", "category": "companionship",
         "hours": "1", "paid_by": "receivers"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Your membership is on hold" in response.content.decode()
    assert not Exchange.objects.exists()


def test_his_listings_are_hidden_from_others_but_not_from_carol_or_himself(
    login, riverside, alice, bob, carol, bobs_offer
):
    assert list(listings_search(timebank=riverside, kind="offer", viewer=alice)) == [bobs_offer]
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason=REASON)
    assert list(listings_search(timebank=riverside, kind="offer", viewer=alice)) == []
    assert list(listings_search(timebank=riverside, kind="offer", viewer=carol)) == [bobs_offer]
    assert list(listings_search(timebank=riverside, kind="offer", viewer=bob)) == [bobs_offer]
    detail = reverse("exchanges:offer", args=[bobs_offer.public_id])
    assert login(alice).get(detail).status_code == 404
    assert "Dog walking" not in login(alice).get(reverse("exchanges:offers")).content.decode()
    assert login(carol).get(detail).status_code == 200
    assert login(alice).get(reverse("community:profile", args=[bob.public_id])).status_code == 404


def test_matching_forgets_him_until_the_pause_ends(riverside, carol, bob, bobs_offer):
    assert MatchProfile.objects.get(person=bob).active
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason=REASON)
    assert not MatchProfile.objects.get(person=bob).active
    safeguarding_resume(timebank=riverside, person=bob, acting=carol, note="Cleared after review")
    assert MatchProfile.objects.get(person=bob).active


def test_carol_resumes_him_and_he_can_trade_again(login, riverside, carol, alice, bob, paused_bob):
    client = login(carol)
    response = client.post(pause_url(bob), {"action": "resume", "note": "Cleared after review"})
    assert response.status_code == 302
    pause = SafeguardingPause.objects.get()
    assert pause.ended_by == carol and pause.end_note == "Cleared after review"
    assert AuditEvent.objects.filter(action="membership.safeguarding_resumed").exists()
    assert propose(riverside, alice, bob).status == "proposed"


def test_the_dashboard_lists_him_and_his_page_lists_his_open_exchanges(
    login, riverside, carol, alice, bob
):
    pending = propose(riverside, alice, bob, title="Weed the beds")
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason=REASON)
    client = login(carol)
    dashboard = client.get(reverse("coordinator:dashboard")).content.decode()
    assert "Members under a safeguarding pause" in dashboard and "Bob Brown" in dashboard
    page = client.get(pause_url(bob)).content.decode()
    assert reverse("exchanges:exchange", args=[pending.public_id]) in page
    members = client.get(reverse("members:list")).content.decode()
    assert members.count("Safeguarding pause") == 1


@pytest.mark.parametrize("who", ["alice", "harry", "dr_patel", "bob"])
def test_nobody_but_riversides_coordinators_sees_or_pauses(
    login, request, riverside, carol, alice, bob, dr_patel, harry, who
):
    person = request.getfixturevalue(who)
    target = alice if who == "bob" else bob
    client = login(person)
    assert client.get(pause_url(target)).status_code == 404
    assert client.post(pause_url(target), {"action": "pause", "reason": REASON}).status_code == 404
    with pytest.raises(NotFound):
        safeguarding_pause(timebank=riverside, person=target, acting=person, reason=REASON)
    assert not SafeguardingPause.objects.exists()


def test_carol_cannot_pause_herself_or_another_coordinator(riverside, carol):
    other = _join(riverside, _person("cora", "Cora", "Coord"), role="coordinator")
    with pytest.raises(PermissionDenied, match="yourself"):
        safeguarding_pause(timebank=riverside, person=carol, acting=carol, reason=REASON)
    with pytest.raises(PermissionDenied, match="administrator first changes their role"):
        safeguarding_pause(timebank=riverside, person=other, acting=carol, reason=REASON)
    assert not SafeguardingPause.objects.exists()


def test_a_pause_needs_a_reason_and_cannot_be_doubled(login, riverside, carol, bob):
    response = login(carol).post(pause_url(bob), {"action": "pause", "reason": " "})
    assert response.status_code == 200
    assert not SafeguardingPause.objects.exists()
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason=REASON)
    with pytest.raises(Conflict, match="already paused"):
        safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason=REASON)
    assert SafeguardingPause.objects.count() == 1


def test_the_api_refuses_him_too(riverside, alice, bob, paused_bob, settings, client):
    from coproduce.api.services import token_create

    settings.ROOT_URLCONF = "tests.api.urls"
    _token, plaintext = token_create(
        person=bob, timebank=riverside, name="bob's app", scopes=["read", "write"]
    )
    headers = {"Authorization": f"Bearer {plaintext}"}
    # His token still works for what he has: his statement.
    assert client.get("/api/v1/account/statement", headers=headers).status_code == 200
    response = client.post(
        "/api/v1/exchanges",
        {"role": "receiving", "others": ["alice"], "title": "Tea", "category": "companionship",
         "minutes": 60},
        content_type="application/json",
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["code"] == "on_hold"
    assert not Exchange.objects.exists()


def test_other_members_cannot_pick_him_as_a_gifts_recipient_but_carol_can(
    riverside, carol, alice, bob, paused_bob
):
    from coproduce.community.selectors import members_visible_to

    assert bob not in members_visible_to(viewer=alice, timebank=riverside)
    assert bob in members_visible_to(viewer=carol, timebank=riverside)
