"""`coproduce manage expire_listings`: a week's warning, then expiry; never a second reminder."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from coproduce.core.models import AuditEvent, Notification
from coproduce.exchanges.models import ListingStatus, Offer, Request
from coproduce.exchanges.services.listings import listing_renew, listings_expire


def expire_in(listing, **delta):
    type(listing).objects.filter(pk=listing.pk).update(
        expires_at=timezone.now() + timedelta(**delta)
    )


def run_command() -> str:
    out = StringIO()
    call_command("expire_listings", stdout=out)
    return out.getvalue()


@pytest.fixture
def listings(alice, bob, post):
    soon = post(alice, "offer", "Weeding")
    later = post(alice, "offer", "Baking")
    past = post(bob, "request", "A lift to town")
    expire_in(soon, days=3)
    expire_in(later, days=30)
    expire_in(past, minutes=-5)
    return {"soon": soon, "later": later, "past": past}


def test_alice_is_reminded_a_week_before_and_bobs_old_request_expires(listings, alice, bob):
    assert run_command().strip() == "1 expiry reminders sent, 1 listings expired."
    note = Notification.objects.get(person=alice)
    assert note.kind == "offer_expiring"
    assert "Your offer “Weeding” will expire on" in note.message
    assert note.url == f"/offers/{listings['soon'].public_id}/"
    assert Offer.objects.get(pk=listings["soon"].pk).expiry_reminded_at is not None
    assert Offer.objects.get(pk=listings["later"].pk).expiry_reminded_at is None
    assert Request.objects.get(pk=listings["past"].pk).status == ListingStatus.EXPIRED
    assert not Notification.objects.filter(person=bob).exists()
    assert AuditEvent.objects.filter(
        action="request.expire", target=f"request:{listings['past'].public_id}"
    ).exists()


def test_running_twice_sends_no_second_reminder(listings, alice):
    run_command()
    assert run_command().strip() == "0 expiry reminders sent, 0 listings expired."
    assert Notification.objects.filter(person=alice).count() == 1


def test_a_reminded_offer_expires_when_its_day_comes(listings):
    run_command()
    assert listings_expire(now=timezone.now() + timedelta(days=4)) == (
        "0 expiry reminders sent, 1 listings expired."
    )
    assert Offer.objects.get(pk=listings["soon"].pk).status == ListingStatus.EXPIRED


def test_renewing_after_a_reminder_means_a_fresh_reminder_next_time(listings, alice):
    run_command()
    listing_renew(listing=listings["soon"], acting=alice)
    offer = Offer.objects.get(pk=listings["soon"].pk)
    assert offer.expiry_reminded_at is None
    # By then "Baking" is long past its date: it expires without a second reminder.
    assert listings_expire(now=offer.expires_at - timedelta(days=2)) == (
        "1 expiry reminders sent, 1 listings expired."
    )
    assert Notification.objects.filter(person=alice, kind="offer_expiring").count() == 2


def test_paused_listings_expire_too_but_closed_ones_stay_closed(alice, post):
    from coproduce.exchanges.services.listings import listing_close, listing_pause

    paused = post(alice, "offer", "Weeding")
    closed = post(alice, "offer", "Baking")
    listing_pause(listing=paused, acting=alice)
    listing_close(listing=closed, acting=alice)
    expire_in(paused, days=-1)
    expire_in(closed, days=-1)
    assert listings_expire().endswith("1 listings expired.")
    assert Offer.objects.get(pk=paused.pk).status == ListingStatus.EXPIRED
    assert Offer.objects.get(pk=closed.pk).status == ListingStatus.CLOSED
