"""The requests a member could help with match their words as whole terms (matching.text), the
same terms a request's candidates are ranked by, read from each request's own index rows
(RequestTerm), which follow the request through every change of its words."""

from __future__ import annotations

import pytest

from coproduce.core.categories import Category
from coproduce.exchanges.services.listings import (
    listing_close,
    listing_pause,
    listing_renew,
    listing_resume,
    listing_update,
)
from coproduce.matching.index import timebank_reindex
from coproduce.matching.models import RequestTerm
from coproduce.matching.selectors import candidates_for_request
from coproduce.matching.suggestions import requests_for_person
from coproduce.privacy.erasure import person_erase

from .conftest import ask, offer


def _titles(person) -> list[str]:
    return [s.request.title for s in requests_for_person(person)]


def _terms(request) -> set[str]:
    return set(RequestTerm.objects.filter(request=request).values_list("term", flat=True))


@pytest.mark.django_db
def test_a_word_inside_another_word_is_no_match(alice, bob, riverside):
    """Bob teaches art; "art" is inside "party", "start" and "parts", none of which is art."""
    offer(bob, riverside, "Art classes", category=Category.CREATIVE)
    ask(alice, riverside, "Tidy up after the party", category=Category.HOUSEHOLD)
    ask(alice, riverside, "Car parts to the tip", category=Category.HOUSEHOLD)
    assert _titles(bob) == []


@pytest.mark.django_db
def test_a_gardener_is_not_suggested_digital_help(alice, bob, riverside):
    """ "dig" is one of gardening's words, and inside "digital"."""
    offer(bob, riverside, "Digging and weeding")
    ask(alice, riverside, "Digital photos onto my laptop", category=Category.LEARNING)
    assert _titles(bob) == []


@pytest.mark.django_db
def test_a_request_to_meet_finds_someone_who_offers_meetings(alice, dan, riverside):
    """Whole terms also find what a piece of text missed: "meet" holds no "meeting"."""
    offer(dan, riverside, "Chairing meetings", category=Category.CIVIC)
    ask(alice, riverside, "Someone to meet the housing officer with me", category=Category.ADMIN)
    found = requests_for_person(dan)
    assert [s.request.title for s in found] == ["Someone to meet the housing officer with me"]
    assert "asks for meet" in [r.text for r in found[0].reasons]


@pytest.mark.django_db
def test_a_word_of_the_same_kind_of_help_is_a_match_with_its_reason(alice, erin, riverside):
    """Erin drives; alice's request in another kind of help asks for a lift."""
    offer(erin, riverside, "Driving", category=Category.TRANSPORT)
    ask(alice, riverside, "A lift to my appointment", category=Category.HEALTH)
    found = requests_for_person(erin)
    assert [s.request.title for s in found] == ["A lift to my appointment"]
    assert "asks for lift" in [r.text for r in found[0].reasons]


@pytest.mark.django_db
def test_suggestions_and_candidates_agree_on_the_words(alice, erin, dan, riverside):
    """Whoever is suggested alice's request for its words is among its candidates, and the
    other way round: both directions read the same terms. Dan's art is not in "heart"."""
    offer(erin, riverside, "Driving", category=Category.TRANSPORT)
    offer(dan, riverside, "Art classes", category=Category.CREATIVE)
    request = ask(alice, riverside, "A lift to the heart clinic", category=Category.HEALTH)
    candidates = {c.person.username for c in candidates_for_request(request) if c.person}
    suggested = {p.username for p in (erin, dan) if requests_for_person(p)}
    assert suggested == candidates == {"erin"}


@pytest.mark.django_db
def test_alices_edit_changes_what_her_request_matches(alice, bob, carol, riverside):
    offer(bob, riverside, "Dog walking", category=Category.HEALTH)
    request = ask(alice, riverside, "Shelves put up", category=Category.HOUSEHOLD)
    assert _titles(bob) == []
    listing_update(listing=request, acting=alice, title="Walk my dog", category=Category.HOUSEHOLD)
    assert _terms(request) == {"health", "pet"}
    assert _titles(bob) == ["Walk my dog"]


@pytest.mark.django_db
def test_closing_a_request_keeps_its_terms_and_hides_it(alice, bob, riverside):
    offer(bob, riverside, "Dog walking", category=Category.HEALTH)
    request = ask(alice, riverside, "Walk my dog", category=Category.HOUSEHOLD)
    listing_close(listing=request, acting=alice)
    assert _terms(request) == {"health", "pet"}
    assert _titles(bob) == []


@pytest.mark.django_db
def test_pausing_renewing_or_moving_a_request_leaves_its_terms_as_written(alice, riverside):
    request = ask(alice, riverside, "Walk my dog", category=Category.HOUSEHOLD)

    def rows() -> set[tuple[int, str]]:
        return set(RequestTerm.objects.filter(request=request).values_list("pk", "term"))

    written = rows()
    request = listing_pause(listing=request, acting=alice)
    request = listing_resume(listing=request, acting=alice)
    request = listing_renew(listing=request, acting=alice)
    listing_update(
        listing=request,
        acting=alice,
        title="Walk my dog",
        category=Category.HOUSEHOLD,
        area="Riverside",
    )
    request.refresh_from_db()
    assert (request.status, request.area) == ("active", "Riverside")
    assert rows() == written


@pytest.mark.django_db
def test_alices_erasure_takes_her_requests_terms(alice, bob, riverside):
    request = ask(alice, riverside, "Walk my dog", category=Category.HOUSEHOLD)
    person_erase(person=alice, password="pw-alice")
    assert _terms(request) == set()


@pytest.mark.django_db
def test_the_reindex_writes_the_terms_each_save_wrote(alice, bob, riverside):
    asked = [
        ask(alice, riverside, "Walk my dog", description="Twice a week, he is gentle"),
        ask(bob, riverside, "Lift to the station", tags="car, lifts"),
        ask(bob, riverside, "—"),
    ]
    saved = {r.pk: _terms(r) for r in asked}
    timebank_reindex(timebank=riverside)
    assert {r.pk: _terms(r) for r in asked} == saved
    assert saved[asked[1].pk] == {"transport", "station"}
