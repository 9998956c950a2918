"""Partner organisations with an active offer that fits are suggested beside people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.community.models import Organisation
from coproduce.core.categories import Category
from coproduce.exchanges.models import ListingStatus, Offer
from coproduce.matching.selectors import candidates_for_request

from .conftest import ask, offer


def organisation(timebank, name, slug) -> Organisation:
    return Organisation.objects.create(timebank=timebank, slug=slug, name=name, kind="charity")


def org_offer(org, title, category=Category.GARDENING, **extra) -> Offer:
    return Offer.objects.create(
        timebank=org.timebank,
        organisation=org,
        title=title,
        category=category,
        created_at=timezone.now(),
        **extra,
    )


def orgs(candidates):
    return [c.organisation.name for c in candidates if c.organisation is not None]


@pytest.mark.django_db
def test_an_organisation_with_a_fitting_active_offer_is_suggested_with_its_reason(
    alice, bob, garden_request, riverside
):
    offer(bob, riverside, "Gardening")
    friends = organisation(riverside, "Friends of the Park", "friends")
    org_offer(friends, "Garden clearance days")
    found = candidates_for_request(garden_request)
    assert orgs(found) == ["Friends of the Park"]
    suggested = next(c for c in found if c.organisation is not None)
    assert suggested.person is None and not suggested.already_invited
    assert [r.text for r in suggested.public_reasons()] == [
        "Friends of the Park offers garden clearance days"
    ]
    assert 0 < suggested.score <= 100
    assert [c.person.username for c in found if c.person is not None] == ["bob"]


@pytest.mark.django_db
def test_words_can_match_an_offer_of_another_kind(alice, riverside):
    walk = ask(alice, riverside, "Health walks for my recovery", category=Category.COMPANIONSHIP)
    surgery = organisation(riverside, "Riverside Surgery", "surgery")
    org_offer(surgery, "Health walks", category=Category.HEALTH)
    found = candidates_for_request(walk)
    assert orgs(found) == ["Riverside Surgery"]
    assert found[0].reasons[0].text == "Riverside Surgery offers health walks"


@pytest.mark.django_db
def test_paused_expired_or_unrelated_offers_are_not_suggested(alice, garden_request, riverside):
    paused = organisation(riverside, "Paused", "paused")
    org_offer(paused, "Gardening", status=ListingStatus.PAUSED)
    expired = organisation(riverside, "Expired", "expired")
    org_offer(expired, "Gardening", expires_at=timezone.now() - timedelta(days=1))
    marked = organisation(riverside, "Marked expired", "marked")
    org_offer(marked, "Gardening", status=ListingStatus.EXPIRED)
    other = organisation(riverside, "Lifts", "lifts")
    org_offer(other, "Lifts to the shops", category=Category.TRANSPORT)
    assert orgs(candidates_for_request(garden_request)) == []
    later = organisation(riverside, "Still open", "open")
    org_offer(later, "Gardening", expires_at=timezone.now() + timedelta(days=5))
    assert orgs(candidates_for_request(garden_request)) == ["Still open"]


@pytest.mark.django_db
def test_another_time_banks_organisation_is_never_suggested(
    alice, garden_request, hillside, riverside
):
    theirs = organisation(hillside, "Hillside Gardeners", "gardeners")
    org_offer(theirs, "Gardening and weeding")
    # Even an offer wrongly filed under Riverside by an organisation of Hillside.
    Offer.objects.create(
        timebank=riverside,
        organisation=theirs,
        title="Weeding",
        category=Category.GARDENING,
        created_at=timezone.now(),
    )
    assert orgs(candidates_for_request(garden_request)) == []


@pytest.mark.django_db
def test_the_organisation_that_asked_is_not_suggested_to_itself(dr_patel, riverside):
    surgery = Organisation.objects.get(slug="riverside-surgery")
    org_offer(surgery, "Garden therapy")
    request = ask(None, riverside, "Weeding the surgery garden", organisation=surgery)
    other = organisation(riverside, "Friends of the Park", "friends")
    org_offer(other, "Gardening")
    assert orgs(candidates_for_request(request)) == ["Friends of the Park"]


@pytest.mark.django_db
def test_people_and_organisations_merge_deterministically(
    alice, bob, dan, erin, garden_request, riverside
):
    for person in (bob, dan, erin):
        offer(person, riverside, "Gardening")
    made = [organisation(riverside, f"Org {i}", f"org-{i}") for i in range(3)]
    for org in reversed(made):
        org_offer(org, "Gardening")
    org_offer(made[2], "Gardening beds")  # fits better: ranked first among organisations

    def key(c):
        return ("p", c.person.pk) if c.person is not None else ("o", c.organisation.pk)

    first = [(key(c), c.score) for c in candidates_for_request(garden_request)]
    assert first == [(key(c), c.score) for c in candidates_for_request(garden_request)]
    assert [score for _k, score in first] == sorted((s for _k, s in first), reverse=True)
    assert orgs(candidates_for_request(garden_request)) == ["Org 2", "Org 0", "Org 1"]
    assert len(candidates_for_request(garden_request, limit=2)) == 2


@pytest.mark.django_db
def test_the_page_shows_an_organisation_with_a_link_and_no_invite(
    login, carol, alice, bob, garden_request, riverside
):
    offer(bob, riverside, "Gardening")
    friends = organisation(riverside, "Friends of the Park", "friends")
    org_offer(friends, "Gardening")
    page = login(carol).get(reverse("matching:candidates", args=[garden_request.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Friends of the Park offers gardening" in html
    assert reverse("partners:organisation", args=[friends.public_id]) in html
    invite = reverse("matching:invite", args=[garden_request.public_id, friends.public_id])
    assert invite not in html
    assert reverse("matching:invite", args=[garden_request.public_id, bob.public_id]) in html
    refused = login(carol).post(invite)
    assert refused.status_code == 404
