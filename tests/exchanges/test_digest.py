"""The weekly digest: alice, who wants email, hears about the week's new offers and requests in
Riverside, the ones in Northbank (her area) first; people with nothing new get nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from coproduce.community.models import Membership
from coproduce.exchanges.digest import weekly_digest_send, weekly_digests
from coproduce.exchanges.models import Offer, Request
from tests.conftest import _join, _person


def listing(model, timebank, person, title, *, area="", days_ago=1, status="active"):
    return model.objects.create(
        timebank=timebank,
        person=person,
        title=title,
        category="gardening",
        area=area,
        status=status,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def alice_wants_email(alice):
    alice.email = "alice@example.org"
    alice.save()
    return alice


def test_alice_hears_of_the_weeks_offers_and_requests_her_area_first(
    riverside, alice_wants_email, alice, bob, carol
):
    listing(Offer, riverside, carol, "Dog walking", area="Southbank")
    listing(Offer, riverside, bob, "Help with a garden", area="Northbank", days_ago=3)
    listing(Request, riverside, carol, "A lift to the market", area="Northbank")
    listing(Offer, riverside, carol, "Old news", days_ago=8)
    listing(Offer, riverside, carol, "Closed already", status="closed")
    listing(Offer, riverside, alice, "My own offer", area="Northbank")

    summary = weekly_digest_send()

    assert summary == "Sent 1 weekly digest email(s); skipped 0 member(s) with nothing new."
    (email,) = mail.outbox
    assert email.to == ["alice@example.org"]
    assert email.subject == "[Riverside Time Bank] New this week: 2 offers and 1 request"
    body = email.body
    assert body.index("Help with a garden") < body.index("Dog walking")
    assert "A lift to the market (Gardening, Northbank, Carol)" in body
    for absent in ("Old news", "Closed already", "My own offer"):
        assert absent not in body


def test_at_most_ten_of_each_are_listed(riverside, alice_wants_email, bob):
    for i in range(12):
        listing(Offer, riverside, bob, f"Offer {i}")
    (digest,) = weekly_digests().digests
    assert len(digest.offers) == 10


def test_people_who_do_not_want_email_or_have_none_get_nothing(
    riverside, alice_wants_email, bob, carol
):
    carol.email, carol.digest_by_email = "carol@example.org", False
    carol.save()
    paused = _join(riverside, _person("pat", "Pat", "Paused"), status="paused")
    paused.email = "pat@example.org"
    paused.save()
    listing(Offer, riverside, bob, "Help with a garden")
    weekly_digest_send()
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_someone_with_nothing_new_is_skipped(riverside, alice_wants_email, bob):
    bob.email = "bob@example.org"
    bob.save()
    listing(Offer, riverside, alice_wants_email, "Alice's own offer")
    assert weekly_digest_send() == (
        "Sent 1 weekly digest email(s); skipped 1 member(s) with nothing new."
    )
    assert mail.outbox[0].to == ["bob@example.org"]


def test_one_email_per_person_per_time_bank(riverside, hillside, alice_wants_email, bob, harry):
    Membership.objects.create(timebank=hillside, person=alice_wants_email, status="active")
    listing(Offer, riverside, bob, "Riverside offer")
    listing(Request, hillside, harry, "Hillside request")
    weekly_digest_send()
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert subjects[0].startswith("[Hillside Time Bank]")
    assert "Riverside offer" not in next(m.body for m in mail.outbox if "Hillside" in m.subject)


def test_a_dry_run_sends_nothing(riverside, alice_wants_email, bob):
    listing(Offer, riverside, bob, "Help with a garden")
    out = call_command("send_weekly_digest", "--dry-run")
    assert "Would send 1 weekly digest email(s)" in out
    assert mail.outbox == []


def test_the_command_sends_and_says_so(riverside, alice_wants_email, bob):
    listing(Offer, riverside, bob, "Help with a garden")
    assert "Sent 1 weekly digest" in call_command("send_weekly_digest")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("members", [3, 30])
def test_the_digest_uses_a_fixed_number_of_queries(
    riverside, bob, members, django_assert_max_num_queries
):
    for i in range(members):
        person = _join(riverside, _person(f"m{i}", f"Member{i}", "Smith"), area=f"Area{i % 4}")
        person.email = f"m{i}@example.org"
        person.save()
        listing(Offer, riverside, person, f"Offer {i}", area=f"Area{i % 4}")
        listing(Request, riverside, person, f"Request {i}", area=f"Area{i % 3}")
    # The people who want email, the week's offers, its requests, one audit row per time bank;
    # then the emails recorded in one statement, claimed in one, read back, marked sent in one
    # (core.mail), and a savepoint's two statements around the recording.
    with django_assert_max_num_queries(10):
        summary = weekly_digest_send()
    assert summary.startswith(f"Sent {members} weekly digest")


def test_a_safeguarding_pause_keeps_bobs_listings_out_and_his_digest_back(
    riverside, alice_wants_email, alice, bob, carol
):
    from coproduce.community.safeguarding import safeguarding_pause

    bob.email = "bob@example.org"
    bob.save()
    listing(Offer, riverside, bob, "Help with a garden", area="Northbank")
    listing(Offer, riverside, carol, "Dog walking", area="Southbank")
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason="Under review")

    weekly_digest_send()

    (email,) = mail.outbox
    assert email.to == ["alice@example.org"]
    assert "Dog walking" in email.body and "Help with a garden" not in email.body
