"""Alice changes her offer through the API as on its page: a photo (multipart) and its removal,
pause, resume, close, and an edit; bob cannot touch it, and a read-only token changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from coproduce.exchanges.models import Offer
from coproduce.exchanges.services.listings import listing_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def offer(riverside, alice):
    return listing_create(
        kind="offer",
        timebank=riverside,
        acting=alice,
        title="Help in the garden",
        category="gardening",
    )


def picture() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 140, 60)).save(out, "JPEG")
    return SimpleUploadedFile("garden.jpg", out.getvalue(), content_type="image/jpeg")


def upload(api, path, **fields):
    return api.client.post(f"/api/v1{path}", fields, headers=api._headers())


def test_alice_gives_her_offer_a_photo_and_its_url_is_in_the_listing(api_as, alice, offer):
    as_alice = api_as(alice)

    response = upload(as_alice, f"/offers/{offer.public_id}/photo", photo=picture(), alt="My roses")

    assert response.status_code == 200, response.content
    photo = response.json()["photo"]
    assert photo["alt"] == "My roses"
    assert photo["url"].startswith("/media/photos/listings/")
    assert as_alice.get(f"/offers/{offer.public_id}").json()["photo"] == photo
    assert as_alice.client.get(photo["url"]).status_code == 200


def test_alice_takes_the_photo_away(api_as, alice, offer):
    as_alice = api_as(alice)
    upload(as_alice, f"/offers/{offer.public_id}/photo", photo=picture(), alt="My roses")

    response = as_alice.call("delete", f"/offers/{offer.public_id}/photo")

    assert response.status_code == 200
    assert response.json()["photo"] is None
    offer.refresh_from_db()
    assert not offer.photo


def test_what_is_not_a_picture_is_refused_and_nothing_is_kept(api_as, alice, offer, media):
    bad = SimpleUploadedFile("notes.jpg", b"not a picture at all", content_type="image/jpeg")

    response = upload(api_as(alice), f"/offers/{offer.public_id}/photo", photo=bad, alt="Notes")

    assert response.status_code == 400
    offer.refresh_from_db()
    assert not offer.photo
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_bob_cannot_give_alices_offer_a_photo(api_as, bob, offer):
    response = upload(api_as(bob), f"/offers/{offer.public_id}/photo", photo=picture(), alt="x")

    assert response.status_code == 404
    offer.refresh_from_db()
    assert not offer.photo


@pytest.mark.parametrize(
    ("steps", "status"),
    [(["pause"], "paused"), (["pause", "resume"], "active"), (["close"], "closed")],
)
def test_alice_pauses_resumes_and_closes_her_offer(api_as, alice, offer, steps, status):
    as_alice = api_as(alice)

    for step in steps:
        response = as_alice.post(f"/offers/{offer.public_id}/{step}")
        assert response.status_code == 200, response.content

    assert response.json()["status"] == status
    offer.refresh_from_db()
    assert offer.status == status


def test_alice_edits_her_offer_with_put(api_as, alice, offer):
    response = api_as(alice).call(
        "put",
        f"/offers/{offer.public_id}",
        {"title": "Roses pruned", "category": "gardening", "tags": ["roses"]},
    )

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Roses pruned"
    offer.refresh_from_db()
    assert (offer.title, offer.tags) == ("Roses pruned", "roses")


def test_a_closed_offer_cannot_be_edited(api_as, alice, offer):
    as_alice = api_as(alice)
    as_alice.post(f"/offers/{offer.public_id}/close")

    response = as_alice.call(
        "put", f"/offers/{offer.public_id}", {"title": "Again", "category": "gardening"}
    )

    assert response.status_code == 409
    offer.refresh_from_db()
    assert offer.title == "Help in the garden"


@pytest.mark.parametrize("step", ["pause", "close", "renew"])
def test_bob_cannot_change_alices_offer(api_as, bob, offer, step):
    response = api_as(bob).post(f"/offers/{offer.public_id}/{step}")

    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == "active"


def test_a_coordinator_may_change_a_members_offer_as_on_the_web(api_as, carol, offer):
    response = api_as(carol).post(f"/offers/{offer.public_id}/pause")

    assert response.status_code == 200
    assert Offer.objects.get(pk=offer.pk).status == "paused"


def test_a_read_only_token_changes_nothing(api_as, alice, offer):
    as_alice = api_as(alice, write=False)

    paused = as_alice.post(f"/offers/{offer.public_id}/pause")
    photo = upload(as_alice, f"/offers/{offer.public_id}/photo", photo=picture(), alt="x")
    edit = as_alice.call(
        "put", f"/offers/{offer.public_id}", {"title": "x", "category": "gardening"}
    )

    assert [paused.status_code, photo.status_code, edit.status_code] == [403, 403, 403]
    offer.refresh_from_db()
    assert (offer.status, offer.title, bool(offer.photo)) == ("active", "Help in the garden", False)
