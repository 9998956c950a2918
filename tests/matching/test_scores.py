"""Each signal on crafted cases: annotate the profiles and read the score."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from coproduce.community.models import SafeguardingCheck
from coproduce.core.categories import Category
from coproduce.matching import scores
from coproduce.matching.index import slot_mask
from coproduce.matching.models import MatchProfile
from coproduce.matching.selectors import need_of
from coproduce.matching.services import location_set

from .conftest import ask, offer


def score(need, person, expression, **alias):
    return (
        MatchProfile.objects.filter(timebank_id=need.timebank_id, person=person)
        .annotate(**alias)
        .annotate(value=expression)
        .get()
        .value
    )


@pytest.mark.django_db
def test_skill_fit_finds_weeding_in_a_gardening_offer(bob, dan, erin, garden_request, riverside):
    offer(bob, riverside, "Gardening and lawn mowing")
    offer(dan, riverside, "Tidy your borders", description="Happy to pull weeds")
    offer(erin, riverside, "Lifts to the hospital", category=Category.TRANSPORT)
    need = need_of(garden_request)
    bobs, dans, erins = (score(need, p, scores.skill_fit(need)) for p in (bob, dan, erin))
    assert bobs > dans > erins == 0


@pytest.mark.django_db
def test_an_expired_offer_stops_counting(bob, garden_request, riverside):
    offer(bob, riverside, "Gardening", expires_at=timezone.now() - timedelta(days=1))
    need = need_of(garden_request)
    assert score(need, bob, scores.skill_fit(need)) == 0


@pytest.mark.django_db
def test_place_prefers_the_same_area(bob, dan, garden_request):
    need = need_of(garden_request)  # alice lives in Northbank, like bob
    assert score(need, bob, scores.place(need)) == 100
    assert score(need, dan, scores.place(need)) == 0


@pytest.mark.django_db
def test_place_uses_distance_where_both_have_coordinates(alice, dan, garden_request, riverside):
    location_set(timebank=riverside, person=alice, latitude=51.5000, longitude=-0.1200)
    location_set(timebank=riverside, person=dan, latitude=51.5090, longitude=-0.1200)  # ~1 km
    need = need_of(garden_request)
    assert 0.9 < scores.haversine_km(need.origin, (51.509, -0.12)) < 1.1
    expression = scores.place(need)
    assert score(need, dan, expression, **scores.place_annotations(need)) == 70


@pytest.mark.django_db
def test_time_overlap_free_on_the_same_morning(alice, bob, dan, riverside):
    bob.availability = ["tue_am"]
    bob.save()
    dan.availability = ["fri_eve"]
    dan.save()
    need = need_of(ask(alice, riverside, "Weeding", availability=["tue_am", "wed_am"]))
    assert need.slots_mask == slot_mask(["tue_am", "wed_am"])
    assert score(need, bob, scores.time_overlap(need)) == 100
    assert score(need, dan, scores.time_overlap(need)) == 0


@pytest.mark.django_db
def test_time_any_time_is_half_a_match(bob, garden_request):
    need = need_of(garden_request)
    assert score(need, bob, scores.time_overlap(need)) == scores.ANY_TIME_SCORE


@pytest.mark.django_db
def test_someone_who_has_never_given_gets_a_lift(bob, dan, garden_request):
    MatchProfile.objects.filter(person=dan).update(given_recently=7)
    need = need_of(garden_request)
    assert score(need, bob, scores.given_little(need)) == 100
    assert score(need, dan, scores.given_little(need)) == 0


@pytest.mark.django_db
def test_a_low_balance_gets_a_lift(bob, dan, garden_request):
    from coproduce.ledger.models import Account

    Account.objects.filter(person=bob).update(balance=-120)
    need = need_of(garden_request)
    lifted = {"balance": scores.balance(need)}
    assert score(need, bob, scores.low_balance(need), **lifted) == 100
    assert score(need, dan, scores.low_balance(need), **lifted) == 0


@pytest.mark.django_db
def test_being_asked_this_week_lowers_the_score(alice, bob, carol, riverside, garden_request):
    from tests.exchanges.conftest import propose

    propose(riverside, bob, alice)
    need = need_of(garden_request)
    assert score(need, bob, scores.asked_this_week(need), asked=scores.asked_count(need)) == 35


@pytest.mark.django_db
def test_a_new_connection_scores_more_than_an_old_one(alice, bob, dan, riverside, garden_request):
    from tests.exchanges.conftest import propose, step

    step(propose(riverside, bob, alice), "confirmed")
    need = need_of(garden_request)
    tie = {"exchanged_before": scores.exchanged_before(need)}
    assert score(need, dan, scores.new_tie(need), **tie) == scores.NEW_TIE_SCORE
    assert score(need, bob, scores.new_tie(need), **tie) == scores.PAST_TIE_SCORE


@pytest.mark.django_db
def test_safeguarding_check_must_be_current(carol, bob, riverside):
    SafeguardingCheck.objects.create(
        timebank=riverside,
        person=bob,
        kind="enhanced",
        checked_on=date(2020, 1, 1),
        expires_on=timezone.localdate(),
        recorded_by=carol,
    )
    from coproduce.matching.ranking import eligible_profiles
    from coproduce.matching.selectors import settings_for

    need = need_of(ask(carol, riverside, "Sit with my mum", category=Category.CARE))
    assert not eligible_profiles(need, settings_for(riverside)).filter(person=bob).exists()
