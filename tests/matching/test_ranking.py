"""candidates_for_request and requests_for_person as a whole: hard filters, determinism,
explanations that match the signals used."""

from __future__ import annotations

from datetime import date

import pytest

from coproduce.community.models import Membership, SafeguardingCheck
from coproduce.core.categories import Category
from coproduce.matching.index import timebank_reindex
from coproduce.matching.models import MatchingSettings, MatchProfile
from coproduce.matching.selectors import candidates_for_request
from coproduce.matching.services import preference_set
from coproduce.matching.suggestions import requests_for_person

from .conftest import ask, offer


def names(candidates):
    return [c.person.username for c in candidates]


@pytest.mark.django_db
def test_the_best_gardener_nearby_comes_first_with_reasons(
    alice, bob, dan, erin, garden_request, riverside
):
    offer(bob, riverside, "Gardening and weeding")
    offer(dan, riverside, "Gardening")
    offer(erin, riverside, "Lifts", category=Category.TRANSPORT)
    found = candidates_for_request(garden_request)
    assert names(found)[:2] == ["bob", "dan"]
    texts = [r.text for r in found[0].reasons]
    assert "offers gardening" in texts
    assert "lives in the same area" in texts
    assert "has not yet had a chance to give" in texts
    assert "would be a new connection for Alice Ahmed" in texts
    assert "alice" not in names(found)


@pytest.mark.django_db
def test_ranking_is_deterministic(alice, bob, dan, erin, garden_request, riverside):
    for person in (bob, dan, erin):
        offer(person, riverside, "Gardening")
    first = [(c.person.pk, c.score) for c in candidates_for_request(garden_request)]
    assert first == [(c.person.pk, c.score) for c in candidates_for_request(garden_request)]
    # equal scores are ordered by the person's id
    assert [pk for pk, _s in first if _s == first[0][1]] == sorted(
        pk for pk, _s in first if _s == first[0][1]
    )


@pytest.mark.django_db
def test_no_score_beats_a_paused_membership(bob, dan, garden_request, riverside):
    offer(bob, riverside, "Gardening weeding lawn hedges")
    Membership.objects.filter(person=bob).update(status="paused")
    timebank_reindex(timebank=riverside)
    assert "bob" not in names(candidates_for_request(garden_request))


@pytest.mark.django_db
def test_no_score_beats_dont_match_me_for(bob, garden_request, riverside):
    offer(bob, riverside, "Gardening weeding lawn hedges")
    preference_set(person=bob, timebank=riverside, excluded_categories=[Category.GARDENING])
    assert "bob" not in names(candidates_for_request(garden_request))


@pytest.mark.django_db
def test_no_score_beats_a_missing_safeguarding_check(alice, bob, dan, carol, riverside):
    offer(bob, riverside, "Childcare, babysitting", category=Category.CHILDREN)
    offer(dan, riverside, "Babysitting", category=Category.CHILDREN)
    SafeguardingCheck.objects.create(
        timebank=riverside, person=dan, kind="enhanced", checked_on=date(2024, 1, 1),
        recorded_by=carol,
    )  # fmt: skip
    request = ask(alice, riverside, "Babysitter for an evening", category=Category.CHILDREN)
    assert names(candidates_for_request(request)) == ["dan"]


@pytest.mark.django_db
def test_other_time_banks_are_never_suggested(alice, harry, hillside, garden_request):
    offer(harry, hillside, "Gardening and weeding")
    assert "harry" not in names(candidates_for_request(garden_request))


@pytest.mark.django_db
def test_explanations_leave_out_signals_weighted_zero(bob, garden_request, riverside):
    offer(bob, riverside, "Gardening")
    MatchingSettings.objects.update_or_create(
        timebank=riverside, defaults={"weight_fairness": 0, "weight_place": 0}
    )
    reasons = candidates_for_request(garden_request)[0].reasons
    assert {r.signal for r in reasons} == {"skill", "new_ties"}


@pytest.mark.django_db
def test_fairness_reasons_are_private(bob, garden_request, riverside):
    offer(bob, riverside, "Gardening")
    best = candidates_for_request(garden_request)[0]
    assert any(r.signal == "fairness" for r in best.reasons)
    assert not any(r.signal == "fairness" for r in best.public_reasons())


@pytest.mark.django_db
def test_members_of_the_area_fill_the_list_after_skill(alice, bob, erin, riverside):
    offer(bob, riverside, "Gardening")
    request = ask(alice, riverside, "Weeding")
    assert names(candidates_for_request(request)) == ["bob", "erin"]


@pytest.mark.django_db
def test_the_index_follows_offers_and_profiles(bob, garden_request, riverside):
    assert "bob" not in names(candidates_for_request(garden_request)[:0])
    gardening = offer(bob, riverside, "Gardening")
    assert MatchProfile.objects.get(person=bob).terms.filter(term="c:gardening").exists()
    gardening.status = "closed"
    gardening.save()
    assert not MatchProfile.objects.get(person=bob).terms.exists()
    bob.gives = "I love mowing lawns"
    bob.save()
    assert MatchProfile.objects.get(person=bob).terms.filter(term="garden").exists()


@pytest.mark.django_db
def test_requests_for_bob_are_those_he_can_help_with(alice, bob, dan, erin, riverside):
    offer(bob, riverside, "Gardening")
    ask(alice, riverside, "Weeding my front garden", days_ago=20)
    ask(erin, riverside, "A lift to town", category=Category.TRANSPORT)
    ask(bob, riverside, "My own garden")
    found = requests_for_person(bob)
    assert [s.request.title for s in found] == ["Weeding my front garden"]
    texts = [r.text for r in found[0].reasons]
    assert "you offer gardening" in texts
    assert "in your area" in texts
    assert "has been waiting for more than two weeks" in texts


@pytest.mark.django_db
def test_requests_for_a_person_respect_their_list(alice, bob, riverside):
    offer(bob, riverside, "Gardening")
    ask(alice, riverside, "Weeding")
    preference_set(person=bob, timebank=riverside, excluded_categories=[Category.GARDENING])
    assert requests_for_person(bob) == []


@pytest.mark.django_db
def test_reindex_command_reports_what_it_built(alice, bob, riverside):
    from django.core.management import call_command

    offer(bob, riverside, "Gardening")
    from io import StringIO

    out = StringIO()
    call_command("matching_reindex", timebank="riverside", stdout=out)
    assert "2 members" in out.getvalue()


@pytest.mark.django_db
def test_a_neighbour_beyond_the_whole_bank_list_is_still_found(
    alice, bob, dan, erin, garden_request, riverside, monkeypatch
):
    """Each pre-sorted list is short; the same-area list finds bob though dan and erin, across
    town, fill the whole time bank's list (they come first there: lower person ids)."""
    from coproduce.matching import ranking

    monkeypatch.setattr(ranking, "LIST_SIZE", 2)
    Membership.objects.filter(person=erin).update(area="Southside")
    timebank_reindex(timebank=riverside)
    for person in (dan, erin, bob):
        offer(person, riverside, "Gardening")
    MatchProfile.objects.filter(person=bob).update(given_recently=9)  # last in list order
    timebank_reindex(timebank=riverside)
    assert "bob" in names(candidates_for_request(garden_request))


@pytest.mark.django_db
def test_being_asked_often_this_week_moves_bob_below_dan(
    alice, bob, carol, dan, garden_request, riverside
):
    from tests.exchanges.conftest import propose

    Membership.objects.filter(person=dan).update(area="Northbank")
    for person in (bob, dan):
        offer(person, riverside, "Gardening")
    timebank_reindex(timebank=riverside)
    assert names(candidates_for_request(garden_request))[:2] == ["bob", "dan"]
    for _ in range(3):
        propose(riverside, bob, carol, category=Category.HOUSEHOLD)
    found = candidates_for_request(garden_request)
    assert names(found)[:2] == ["dan", "bob"]
    assert "already asked 3 times this week" in [r.text for r in found[1].reasons]


@pytest.mark.django_db
def test_an_invitation_for_this_request_is_not_a_penalty_for_it(
    alice, bob, carol, dan, garden_request, riverside
):
    from coproduce.matching.services import candidate_invite

    Membership.objects.filter(person=dan).update(area="Northbank")
    for person in (bob, dan):
        offer(person, riverside, "Gardening")
    timebank_reindex(timebank=riverside)
    candidate_invite(request=garden_request, candidate=bob, acting=carol)
    found = candidates_for_request(garden_request)
    assert names(found)[:2] == ["bob", "dan"]
    assert found[0].already_invited
    assert not any("already asked" in r.text for r in found[0].reasons)
