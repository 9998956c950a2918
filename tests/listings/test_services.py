"""Posting, changing and moving offers and requests through their services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.models import AuditEvent, Notification
from coproduce.exchanges.models import ListingStatus, Offer
from coproduce.exchanges.selectors.listings import listing_get_for, listing_get_for_change
from coproduce.exchanges.services.listings import (
    listing_close,
    listing_create,
    listing_pause,
    listing_renew,
    listing_resume,
    listing_update,
    tags_normalise,
)


def test_alice_posts_an_offer_in_her_own_area_that_expires_in_time(riverside, alice, post):
    riverside.listing_expiry_days = 30
    riverside.save()
    offer = post(
        alice, "offer", "  Help with weeding ", category="gardening", tags="Garden,  weeds"
    )
    assert offer.person == alice
    assert offer.created_by is None
    assert offer.title == "Help with weeding"
    assert offer.area == "Northbank"
    assert offer.tags == "garden, weeds"
    assert offer.status == ListingStatus.ACTIVE
    assert abs(offer.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    event = AuditEvent.objects.get(action="offer.create")
    assert event.actor == alice
    assert event.on_behalf_of is None
    assert event.target == f"offer:{offer.public_id}"


def test_availability_is_kept_in_the_weeks_order_without_repeats(alice, post):
    offer = post(alice, "offer", "Lifts", availability=["sat_pm", "mon_am", "sat_pm"])
    assert offer.availability == ["mon_am", "sat_pm"]


def test_an_unknown_time_slot_is_refused(alice, post):
    with pytest.raises(ApplicationError, match="not a time of the week"):
        post(alice, "offer", "Lifts", availability=["someday"])
    assert not Offer.objects.exists()


def test_an_unknown_category_is_refused(alice, post):
    with pytest.raises(ApplicationError, match="kind of help"):
        post(alice, "offer", "Lifts", category="astrology")


def test_tags_are_tidied_and_limited():
    assert tags_normalise(" Garden , garden,  WEED  killing ,") == "garden, weed killing"
    with pytest.raises(ApplicationError):
        tags_normalise(",".join(f"tag{i}" for i in range(60)))


def test_an_applicant_cannot_post_yet(applicant, post):
    with pytest.raises(PermissionDenied, match="once your membership is active"):
        post(applicant, "offer", "Anything")


def test_carol_posts_a_request_for_bob_who_is_told(riverside, carol, bob, post):
    bob.email = "bob@example.org"
    bob.save()
    request = post(carol, "request", "A lift to the surgery", for_member=bob)
    assert request.person == bob
    assert request.created_by == carol
    assert request.area == "Northbank"  # bob's area, not carol's
    event = AuditEvent.objects.get(action="request.create")
    assert (event.actor, event.on_behalf_of) == (carol, bob)
    note = Notification.objects.get(person=bob)
    assert note.kind == "request_posted_for_you"
    assert "Carol Jones posted a request for you" in note.message
    assert note.url == f"/requests/{request.public_id}/"


def test_only_a_coordinator_can_post_for_someone_else(alice, bob, post):
    with pytest.raises(PermissionDenied, match="Only a coordinator"):
        post(alice, "offer", "Cakes", for_member=bob)
    assert not Offer.objects.exists()


def test_a_coordinator_cannot_post_for_a_stranger_or_an_applicant(
    riverside, carol, harry, applicant, post
):
    for stranger in (harry, applicant):
        with pytest.raises(ApplicationError, match="not an active member"):
            post(carol, "offer", "Cakes", for_member=stranger)
    assert not Offer.objects.exists()


def test_harry_cannot_post_into_riverside(riverside, harry):
    with pytest.raises(PermissionDenied):
        listing_create(
            kind="offer", timebank=riverside, acting=harry, title="Cakes", category="household"
        )


def test_alice_changes_her_offer_and_the_audit_says_what_changed(alice, post):
    offer = post(alice, "offer", "Weeding", category="gardening")
    listing_update(
        listing=offer, acting=alice, title="Weeding and mowing", category="gardening", area="Hill"
    )
    offer.refresh_from_db()
    assert (offer.title, offer.area) == ("Weeding and mowing", "Hill")
    event = AuditEvent.objects.get(action="offer.update")
    assert event.data == {"title": ["Weeding", "Weeding and mowing"], "area": ["Northbank", "Hill"]}


def test_bob_cannot_change_or_pause_alices_offer(alice, bob, post):
    offer = post(alice, "offer", "Weeding")
    with pytest.raises(NotFound):
        listing_update(listing=offer, acting=bob, title="Mine now", category="household")
    with pytest.raises(NotFound):
        listing_pause(listing=offer, acting=bob)
    offer.refresh_from_db()
    assert (offer.title, offer.status) == ("Weeding", ListingStatus.ACTIVE)


def test_carol_the_coordinator_can_pause_alices_offer(alice, carol, post):
    offer = post(alice, "offer", "Weeding")
    listing_pause(listing=offer, acting=carol)
    offer.refresh_from_db()
    assert offer.status == ListingStatus.PAUSED
    event = AuditEvent.objects.get(action="offer.pause")
    assert (event.actor, event.on_behalf_of) == (carol, alice)
    assert event.data == {"status": ["active", "paused"]}


def test_pause_resume_close_and_what_cannot_follow(alice, post):
    offer = post(alice, "offer", "Weeding")
    listing_pause(listing=offer, acting=alice)
    with pytest.raises(Conflict, match="paused"):
        listing_pause(listing=offer, acting=alice)
    listing_resume(listing=offer, acting=alice)
    listing_close(listing=offer, acting=alice)
    for action in (listing_pause, listing_resume, listing_close, listing_renew):
        with pytest.raises(Conflict):
            action(listing=offer, acting=alice)
    with pytest.raises(Conflict, match="closed"):
        listing_update(listing=offer, acting=alice, title="Again", category="household")
    offer.refresh_from_db()
    assert offer.status == ListingStatus.CLOSED


def test_resuming_a_listing_paused_past_its_date_renews_it(alice, post):
    offer = post(alice, "offer", "Weeding")
    listing_pause(listing=offer, acting=alice)
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(days=1))
    listing_resume(listing=offer, acting=alice)
    offer.refresh_from_db()
    assert offer.status == ListingStatus.ACTIVE
    assert offer.expires_at > timezone.now() + timedelta(days=80)


def test_renewing_an_expired_offer_brings_it_back_and_clears_the_reminder(alice, post):
    offer = post(alice, "offer", "Weeding")
    past = timezone.now() - timedelta(days=1)
    Offer.objects.filter(pk=offer.pk).update(
        status=ListingStatus.EXPIRED, expires_at=past, expiry_reminded_at=past
    )
    listing_renew(listing=offer, acting=alice)
    offer.refresh_from_db()
    assert offer.status == ListingStatus.ACTIVE
    assert offer.expiry_reminded_at is None
    assert offer.expires_at > timezone.now() + timedelta(days=89)
    assert AuditEvent.objects.filter(action="offer.renew", actor=alice).exists()


def test_others_see_only_active_listings_and_harry_sees_none(
    riverside, hillside, alice, bob, carol, harry, post
):
    offer = post(alice, "offer", "Weeding")
    assert listing_get_for(bob, riverside, "offer", offer.public_id) == offer
    with pytest.raises(NotFound):
        listing_get_for(harry, hillside, "offer", offer.public_id)
    with pytest.raises(NotFound):
        listing_get_for(harry, riverside, "offer", offer.public_id)
    with pytest.raises(NotFound):
        listing_get_for(bob, riverside, "request", offer.public_id)
    with pytest.raises(NotFound):
        listing_get_for_change(bob, riverside, "offer", offer.public_id)
    listing_pause(listing=offer, acting=alice)
    with pytest.raises(NotFound):
        listing_get_for(bob, riverside, "offer", offer.public_id)
    assert listing_get_for(alice, riverside, "offer", offer.public_id) == offer
    assert listing_get_for_change(carol, riverside, "offer", offer.public_id) == offer


def test_the_member_is_emailed_once_only_for_what_was_saved(
    carol, bob, post, django_capture_on_commit_callbacks
):
    bob.email = "bob@example.org"
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        post(carol, "offer", "Lifts", for_member=bob)
        with pytest.raises(ApplicationError):
            post(carol, "offer", "", for_member=bob)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(person=bob).count() == 1
