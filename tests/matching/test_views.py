"""The matching pages: who may see them, the one-click invite, and their query counts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from coproduce.core.models import AuditEvent, Notification
from coproduce.exchanges.models import Exchange
from coproduce.exchanges.services.listings import listing_close
from coproduce.matching.models import MatchingPreference, MatchingSettings

from .conftest import ask, offer


def candidates_url(request):
    return reverse("matching:candidates", args=[request.public_id])


def invite_url(request, person):
    return reverse("matching:invite", args=[request.public_id, person.public_id])


@pytest.mark.django_db
def test_carol_sees_explained_candidates(login, carol, bob, garden_request, riverside):
    offer(bob, riverside, "Gardening")
    response = login(carol).get(candidates_url(garden_request))
    assert response.status_code == 200
    assert "Bob Brown" in response.content.decode()
    assert "has not yet had a chance to give" in response.content.decode()


@pytest.mark.django_db
def test_alice_is_sent_to_her_own_request_page_unless_the_time_bank_turned_it_off(
    login, alice, bob, garden_request, riverside
):
    offer(bob, riverside, "Gardening")
    client = login(alice)
    response = client.get(candidates_url(garden_request))
    request_page = reverse("exchanges:request", args=[garden_request.public_id])
    assert response.status_code == 302
    assert response["Location"] == request_page + "#who-could-help"
    page = client.get(request_page).content.decode()
    assert "Bob Brown" in page
    assert "out of 100" not in page  # no scores for members
    assert "has not yet had a chance to give" not in page  # fairness reasons stay private
    MatchingSettings.objects.update_or_create(
        timebank=riverside, defaults={"requester_sees_candidates": False}
    )
    assert client.get(candidates_url(garden_request)).status_code == 404


@pytest.mark.django_db
def test_bob_cannot_see_candidates_for_alices_request(login, bob, garden_request, riverside):
    MatchingSettings.objects.create(timebank=riverside, requester_sees_candidates=True)
    assert login(bob).get(candidates_url(garden_request)).status_code == 404
    assert login(bob).post(invite_url(garden_request, bob)).status_code == 404


@pytest.mark.django_db
def test_harry_cannot_see_riversides_candidates_or_queue(login, harry, garden_request, bob):
    client = login(harry)
    assert client.get(candidates_url(garden_request)).status_code == 404
    assert client.post(invite_url(garden_request, bob)).status_code == 404
    # his own queue is Hillside's, without Riverside's requests
    queue = client.get(reverse("matching:queue"))
    assert queue.status_code == 200 and garden_request.title not in queue.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, garden_request, bob):
    for url in (
        candidates_url(garden_request),
        reverse("matching:queue"),
        reverse("matching:preferences"),
        reverse("matching:settings"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(invite_url(garden_request, bob)).status_code == 302
    assert not Exchange.objects.exists()


@pytest.mark.django_db
def test_members_cannot_open_the_queue_or_settings(login, alice):
    assert login(alice).get(reverse("matching:queue")).status_code == 404
    assert login(alice).get(reverse("matching:settings")).status_code == 404


@pytest.mark.django_db
def test_carol_invites_bob_in_one_click_and_a_double_click_changes_nothing(
    login, carol, alice, bob, garden_request, riverside, django_capture_on_commit_callbacks
):
    bob.email = "bob@example.org"
    bob.save()
    offer(bob, riverside, "Gardening")
    client = login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(invite_url(garden_request, bob))
        second = client.post(invite_url(garden_request, bob))
    assert first.status_code == second.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.request == garden_request and exchange.status == "proposed"
    assert exchange.proposed_by == alice and exchange.logged_by == carol
    assert Notification.objects.filter(person=bob, kind="exchange_proposed").count() == 1
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="matching.invited").count() == 1
    page = client.get(candidates_url(garden_request)).content.decode()
    assert "Already asked to help with this request." in page


@pytest.mark.django_db
def test_inviting_someone_who_asked_not_to_be_matched_is_refused(
    login, carol, bob, garden_request, riverside
):
    offer(bob, riverside, "Gardening")
    MatchingPreference.objects.create(
        timebank=riverside, person=bob, excluded_categories=["gardening"]
    )
    from coproduce.matching.index import profile_refresh

    profile_refresh(timebank_id=riverside.pk, person_id=bob.pk)
    response = login(carol).post(invite_url(garden_request, bob), follow=True)
    assert "cannot be asked to help" in response.content.decode()
    assert not Exchange.objects.exists()


@pytest.mark.django_db
def test_the_broker_queue_lists_the_longest_waiting_first_in_bounded_queries(
    login, carol, alice, bob, dan, riverside, django_assert_max_num_queries
):
    offer(bob, riverside, "Gardening")
    for days in range(12):
        ask(alice, riverside, f"Weeding job {days}", days_ago=days)
    client = login(carol)
    # 13 for any number of requests (test_broker_queue), 3 to index what was just made.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("matching:queue"))
    page = response.content.decode()
    assert page.index("Weeding job 11") < page.index("Weeding job 10")
    assert "Weeding job 0" not in page  # on the second page
    assert "Page 1 of 2" in page


@pytest.mark.django_db
def test_the_candidates_page_runs_in_bounded_queries(
    login, carol, alice, bob, dan, erin, garden_request, riverside, django_assert_max_num_queries
):
    for person in (bob, dan, erin):
        offer(person, riverside, "Gardening")
    client = login(carol)
    # 19 for the people (ranking reads the people it ranked in a query of their own, since
    # it scores a page of requests at once: matching.ranking), one for the requester's blocks
    # (matching.blocks), one for the partner organisations with a fitting offer.
    with django_assert_max_num_queries(21):
        assert client.get(candidates_url(garden_request)).status_code == 200


@pytest.mark.django_db
def test_bob_chooses_not_to_be_suggested_for_care(login, bob, riverside):
    client = login(bob)
    assert client.get(reverse("matching:preferences")).status_code == 200
    response = client.post(reverse("matching:preferences"), {"excluded_categories": ["care"]})
    assert response.status_code == 302
    assert MatchingPreference.objects.get(person=bob).excluded_categories == ["care"]
    bad = client.post(reverse("matching:preferences"), {"excluded_categories": ["juggling"]})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.content.decode()


@pytest.mark.django_db
def test_carol_changes_the_weights_and_bad_values_are_refused(login, carol, riverside):
    client = login(carol)
    assert client.get(reverse("matching:settings")).status_code == 200
    data = {
        "weight_skill": 8,
        "weight_place": 1,
        "weight_time": 1,
        "weight_fairness": 4,
        "weight_new_ties": 0,
        "check_care": "enhanced",
    }
    assert client.post(reverse("matching:settings"), data).status_code == 302
    settings = MatchingSettings.objects.get(timebank=riverside)
    assert settings.weight_skill == 8 and settings.safeguarding == {"care": "enhanced"}
    assert AuditEvent.objects.filter(action="matching.settings_changed").exists()
    bad = client.post(reverse("matching:settings"), {**data, "weight_skill": 11})
    assert bad.status_code == 200
    assert MatchingSettings.objects.get(timebank=riverside).weight_skill == 8


@pytest.mark.django_db
def test_the_home_page_include_shows_requests_bob_could_help_with(
    alice, bob, riverside, django_assert_max_num_queries
):
    offer(bob, riverside, "Gardening")
    ask(alice, riverside, "Weeding my front garden")
    http = RequestFactory().get("/")
    http.user, http.timebank = bob, riverside
    http.membership = bob.memberships.get()
    template = Template('{% include "matching/_requests_for_you.html" %}')
    with django_assert_max_num_queries(9):
        html = template.render(Context({"request": http}))
    assert "Weeding my front garden" in html
    assert "you offer gardening" in html
    # The ranking is kept a few minutes (matching.for_you): the next view only checks it again.
    with django_assert_max_num_queries(2):
        assert "Weeding my front garden" in template.render(Context({"request": http}))


def test_a_request_closed_since_the_ranking_leaves_the_home_page_box_at_once(alice, bob, riverside):
    offer(bob, riverside, "Gardening")
    weeding = ask(alice, riverside, "Weeding my front garden")
    http = RequestFactory().get("/")
    http.user, http.timebank = bob, riverside
    http.membership = bob.memberships.get()
    template = Template('{% include "matching/_requests_for_you.html" %}')
    assert "Weeding my front garden" in template.render(Context({"request": http}))
    listing_close(listing=weeding, acting=alice)
    assert "Weeding my front garden" not in template.render(Context({"request": http}))
