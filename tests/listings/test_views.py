"""The offers and requests pages, as alice, bob, carol, dr_patel and harry use them."""

from __future__ import annotations

import re

import pytest

from coproduce.community.models import Membership
from coproduce.core.models import Notification
from coproduce.exchanges.models import ListingStatus, Offer, Request
from coproduce.exchanges.services.listings import listing_pause

FORM = {"title": "Help with weeding", "category": "gardening", "description": "Any garden."}


@pytest.fixture
def weeding(alice, post):
    return post(alice, "offer", "Help with weeding", category="gardening", availability=["mon_am"])


def private_pages(offer):
    pid = offer.public_id
    return [
        ("get", f"/offers/{pid}/edit/"),
        ("post", f"/offers/{pid}/edit/"),
        *[("post", f"/offers/{pid}/{action}/") for action in ("pause", "resume", "close", "renew")],
    ]


# Who may see what ----------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in_everywhere(client, weeding):
    pid = weeding.public_id
    pages = ["/offers/", "/requests/", "/offers/new/", "/requests/new/", f"/offers/{pid}/"]
    for method, url in [("get", url) for url in pages] + private_pages(weeding):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_bob_cannot_edit_or_pause_alices_offer(login, bob, weeding):
    client = login(bob)
    for method, url in private_pages(weeding):
        assert getattr(client, method)(url, FORM).status_code == 404, url
    weeding.refresh_from_db()
    assert (weeding.title, weeding.status) == ("Help with weeding", ListingStatus.ACTIVE)


def test_bob_sees_alices_offer_but_no_way_to_change_it(login, bob, weeding):
    response = login(bob).get(f"/offers/{weeding.public_id}/")
    assert response.status_code == 200
    assert b"Help with weeding" in response.content
    assert b"/edit/" not in response.content
    assert b"/pause/" not in response.content


def test_harry_sees_none_of_riversides_listings(login, harry, weeding, post, alice):
    post(alice, "request", "A lift to the surgery")
    client = login(harry)
    assert client.get(f"/offers/{weeding.public_id}/").status_code == 404
    for method, url in private_pages(weeding):
        assert getattr(client, method)(url, FORM).status_code == 404, url
    assert b"Help with weeding" not in client.get("/offers/?q=weeding").content
    assert b"A lift" not in client.get("/requests/").content


def test_an_offer_is_not_found_under_requests(login, bob, weeding):
    assert login(bob).get(f"/requests/{weeding.public_id}/").status_code == 404


def test_a_paused_offer_is_hidden_from_bob_but_not_from_alice_or_carol(
    client, alice, bob, carol, weeding
):
    listing_pause(listing=weeding, acting=alice)
    url = f"/offers/{weeding.public_id}/"
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    assert b"Resume it" in client.get(url).content
    client.force_login(carol)
    assert b"Resume it" in client.get(url).content


# Browsing and searching ----------------------------------------------------------------------


def test_bob_finds_alices_offer_by_a_word_and_a_day(login, bob, weeding, post):
    post(bob, "offer", "Ironing", category="household", availability=["tue_pm"])
    client = login(bob)
    page = client.get("/offers/", {"q": "garden weeds", "day": "mon"}).content.decode()
    assert "Help with weeding" in page
    assert "Ironing" not in page
    assert "1 offer" in page
    page = client.get("/offers/", {"day": "tue"}).content.decode()
    assert "Ironing" in page
    assert "Help with weeding" not in page


def test_the_filter_form_is_labelled_and_its_choices_come_from_the_time_bank(
    login, bob, weeding, post
):
    post(bob, "offer", "Ironing", area="Southbank")
    page = login(bob).get("/offers/").content.decode()
    for field in ("q", "category", "area", "day"):
        assert f'<label for="id_{field}"' in page
    assert '<option value="Southbank">Southbank</option>' in page
    assert 'hx-get="/offers/"' in page
    assert 'hx-target="#results"' in page
    assert 'hx-push-url="true"' in page


def test_a_bad_filter_value_is_explained_and_the_rest_still_applies(login, bob, weeding):
    response = login(bob).get("/offers/", {"category": "astrology", "q": "weeding"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_category_error"' in page
    assert "Help with weeding" in page


def test_an_htmx_search_gets_only_the_results(login, bob, weeding):
    response = login(bob).get(
        "/offers/", {"q": "weeding"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="results"')
    assert "<html" not in page
    assert "Help with weeding" in page
    assert "HX-Request" in response["Vary"]


def test_requests_are_listed_apart_from_offers(login, bob, weeding, post, alice):
    post(alice, "request", "A lift to the surgery")
    client = login(bob)
    assert b"A lift to the surgery" in client.get("/requests/").content
    assert b"A lift to the surgery" not in client.get("/offers/").content
    assert b"Help with weeding" not in client.get("/requests/").content


@pytest.mark.parametrize("how_many", [5, 60])
def test_the_list_takes_a_bounded_number_of_queries(
    login, riverside, alice, bob, how_many, django_assert_max_num_queries
):
    from django.utils import timezone

    now = timezone.now()
    Offer.objects.bulk_create(
        Offer(
            timebank=riverside,
            person=alice if i % 2 else bob,
            title=f"Gardening help {i}",
            category="gardening",
            area="Northbank",
            availability=["mon_am"] if i % 3 else [],
            created_at=now,
        )
        for i in range(how_many)
    )
    client = login(bob)
    for params in ({}, {"q": "garden", "day": "mon", "area": "Northbank", "page": "2"}):
        with django_assert_max_num_queries(12):
            response = client.get("/offers/", params)
        assert response.status_code == 200
    # Page 2 of sixty, or the last (only) page of five.
    assert response.content.decode().count("<h3>") == min(how_many, 20)


def test_sixty_offers_make_three_pages(login, riverside, bob):
    from django.utils import timezone

    Offer.objects.bulk_create(
        Offer(
            timebank=riverside,
            person=bob,
            title=f"Offer {i}",
            category="care",
            created_at=timezone.now(),
        )
        for i in range(60)
    )
    client = login(bob)
    first = client.get("/offers/").content.decode()
    assert first.count("<h3>") == 20
    assert "Page 1 of 3" in first
    assert 'href="?page=2"' in first
    last = client.get("/offers/", {"page": "3"}).content.decode()
    assert last.count("<h3>") == 20
    assert "Next page" not in last
    assert client.get("/offers/", {"page": "nonsense"}).status_code == 200


# Posting -------------------------------------------------------------------------------------


def test_alice_posts_an_offer_and_sees_it(login, alice):
    client = login(alice)
    form = client.get("/offers/new/").content.decode()
    assert 'value="Northbank"' in form  # her area, as a starting point
    assert "for_member" not in form
    response = client.post("/offers/new/", {**FORM, "availability": ["mon_am", "sat_pm"]})
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/offers/{offer.public_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "Thank you: your offer is posted." in page
    assert "Monday morning, Saturday afternoon" in page
    assert "Northbank" in page


def test_a_form_with_mistakes_says_what_to_fix_and_saves_nothing(login, alice):
    response = login(alice).post("/requests/new/", {"title": "", "category": "astrology"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-describedby="id_title_helptext id_title_error"' in page
    assert 'id="id_title_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'role="alert"' in page
    assert not Request.objects.exists()


def test_an_applicant_is_told_why_they_cannot_post_yet(login, applicant):
    client = login(applicant)
    page = client.get("/offers/new/").content.decode()
    assert "once your membership is active" in page
    assert '<form method="post" novalidate>' not in page
    assert client.post("/offers/new/", FORM).status_code == 403
    assert not Offer.objects.exists()


def test_carol_posts_a_request_for_bob_from_her_form(login, carol, bob, alice):
    client = login(carol)
    form = client.get("/requests/new/").content.decode()
    assert '<label for="id_for_member"' in form
    assert f'<option value="{bob.public_id}">Bob Brown</option>' in form
    response = client.post(
        "/requests/new/",
        {"title": "A lift to the surgery", "category": "transport", "for_member": bob.public_id},
    )
    request = Request.objects.get()
    assert (request.person, request.created_by, request.area) == (bob, carol, "Northbank")
    assert Notification.objects.filter(person=bob, kind="request_posted_for_you").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Posted for Bob Brown" in page
    assert "posted by Carol Jones" in page


def test_carol_cannot_post_for_someone_outside_riverside(login, carol, harry):
    response = login(carol).post("/offers/new/", {**FORM, "for_member": harry.public_id})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not Offer.objects.exists()


def test_dr_patel_the_professional_can_offer_help(login, dr_patel):
    response = login(dr_patel).post("/offers/new/", FORM)
    assert response.status_code == 302
    assert Offer.objects.get().person == dr_patel


def test_a_service_refusal_is_shown_on_the_form(login, carol, bob):
    Membership.objects.filter(person=bob).update(status="paused")
    # bob is no longer in the list once paused, so the choice itself is refused first.
    response = login(carol).post("/offers/new/", {**FORM, "for_member": bob.public_id})
    assert b"Select a valid choice" in response.content


# Changing ------------------------------------------------------------------------------------


def test_alice_changes_her_offer(login, alice, weeding):
    client = login(alice)
    form = client.get(f"/offers/{weeding.public_id}/edit/").content.decode()
    assert 'value="Help with weeding"' in form
    assert re.search(r'value="mon_am"[^>]*checked', form)
    response = client.post(
        f"/offers/{weeding.public_id}/edit/",
        {"title": "Weeding and mowing", "category": "gardening", "availability": ["sun_am"]},
    )
    assert response.status_code == 302
    weeding.refresh_from_db()
    assert (weeding.title, weeding.availability) == ("Weeding and mowing", ["sun_am"])
    assert b"Your changes are saved." in client.get(response["Location"]).content


def test_alice_pauses_resumes_renews_and_closes_her_offer(login, alice, weeding):
    client = login(alice)
    base = f"/offers/{weeding.public_id}"
    assert client.get(f"{base}/pause/").status_code == 405
    for action, status in (
        ("pause", "paused"),
        ("resume", "active"),
        ("renew", "active"),
        ("close", "closed"),
    ):
        response = client.post(f"{base}/{action}/")
        assert response.status_code == 302
        assert response["Location"] == f"{base}/"
        weeding.refresh_from_db()
        assert weeding.status == status
    response = client.post(f"{base}/pause/", follow=True)
    assert b"cannot be changed that way" in response.content


def test_carol_can_pause_alices_request(login, carol, alice, post):
    request = post(alice, "request", "Shopping")
    assert login(carol).post(f"/requests/{request.public_id}/pause/").status_code == 302
    request.refresh_from_db()
    assert request.status == ListingStatus.PAUSED


# Proposing an exchange -----------------------------------------------------------------------


def test_the_propose_link_carries_the_offer(login, bob, weeding):
    page = login(bob).get(f"/offers/{weeding.public_id}/").content.decode()
    assert f'href="/exchanges/new/?offer={weeding.public_id}"' in page


def test_there_is_no_propose_link_on_my_own_offer(login, alice, weeding):
    page = login(alice).get(f"/offers/{weeding.public_id}/").content.decode()
    assert "Propose an exchange" not in page


def test_a_link_from_a_members_page_chooses_them_on_carols_form(login, carol, bob):
    form = login(carol).get("/offers/new/", {"for": bob.public_id}).content.decode()
    assert f'<option value="{bob.public_id}" selected>Bob Brown</option>' in form
