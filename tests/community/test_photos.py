"""Photos (issue 13): alice adds a photo to her profile and to her offer. Pillow redraws each to a
fixed size with nothing of the original file kept (her phone's GPS location and camera name are
gone), a file that is not a picture or is over 5 MB is refused with nothing stored, a photo always
has its description, and initials stand in when there is none."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from coproduce.community.models import Person
from coproduce.community.photos import person_photo_set
from coproduce.core.errors import PermissionDenied
from coproduce.exchanges.models import Offer
from coproduce.exchanges.services.listings import listing_create
from coproduce.privacy.erasure import person_erase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def phone_photo(width: int = 1600, height: int = 1200) -> bytes:
    """A JPEG as a phone takes it: with the camera's name and where it was taken."""
    image = Image.new("RGB", (width, height), (40, 140, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMakerX"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name: str = "garden.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def test_alices_photo_is_redrawn_without_its_location_and_shown_with_its_words(
    login, riverside, alice, media
):
    client = login(alice)
    answer = client.post(
        "/profile/photo/",
        {"photo": upload(phone_photo()), "alt": "Alice smiling in her garden", "do": "save"},
    )
    assert answer.status_code == 302
    (kept,) = stored(media)
    data = kept.read_bytes()
    assert b"PhoneMakerX" not in data
    with Image.open(kept) as image:
        assert image.size == (320, 320)
        assert not image.getexif()
    page = client.get(f"/people/{alice.public_id}/").content.decode()
    assert 'alt="Alice smiling in her garden"' in page


def test_a_new_photo_replaces_the_old_file(
    login, riverside, alice, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person_photo_set(person=alice, acting=alice, upload=upload(phone_photo()), alt="Me")
    first = stored(media)
    with django_capture_on_commit_callbacks(execute=True):
        person_photo_set(person=alice, acting=alice, upload=upload(phone_photo(800, 800)), alt="Me")
    second = stored(media)
    assert len(first) == len(second) == 1 and first != second


def test_what_is_not_a_picture_or_is_too_big_is_refused_and_nothing_is_kept(
    login, riverside, alice, media
):
    client = login(alice)
    text = client.post(
        "/profile/photo/",
        {"photo": upload(b"%PDF-1.4 not a picture", "cv.jpg"), "alt": "Me", "do": "save"},
    )
    assert text.status_code == 200
    assert "must be a picture" in text.content.decode()
    huge = client.post(
        "/profile/photo/",
        {"photo": upload(b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 1)), "alt": "Me", "do": "save"},
    )
    assert "at most 5 MB" in huge.content.decode()
    alice.refresh_from_db()
    assert not alice.photo and stored(media) == []


def test_a_photo_needs_its_description(login, riverside, alice, media):
    answer = login(alice).post(
        "/profile/photo/", {"photo": upload(phone_photo()), "alt": "", "do": "save"}
    )
    assert "what the photo shows" in answer.content.decode()
    assert stored(media) == []


def test_initials_stand_in_without_a_photo(login, riverside, alice, bob):
    page = login(bob).get(f"/people/{alice.public_id}/").content.decode()
    assert 'avatar-initials" aria-hidden="true">AA</span>' in page


def test_only_alice_changes_her_photo(riverside, alice, bob, media):
    with pytest.raises(PermissionDenied):
        person_photo_set(person=alice, acting=bob, upload=upload(phone_photo()), alt="Alice")
    assert stored(media) == []


def test_alices_offer_gets_a_photo_that_bob_cannot_change(login, riverside, alice, bob, media):
    offer = listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Garden help", category="gardening"
    )
    assert (
        login(bob)
        .post(f"/offers/{offer.public_id}/photo/", {"photo": upload(phone_photo()), "alt": "x"})
        .status_code
        == 404
    )
    client = login(alice)
    answer = client.post(
        f"/offers/{offer.public_id}/photo/",
        {"photo": upload(phone_photo()), "alt": "A tidy vegetable patch", "do": "save"},
    )
    assert answer.status_code == 302
    offer = Offer.objects.get(pk=offer.pk)
    with Image.open(media / offer.photo.name) as image:
        assert image.size == (960, 720)
    assert (
        'alt="A tidy vegetable patch"' in client.get(f"/offers/{offer.public_id}/").content.decode()
    )


def test_erasure_takes_the_photos_away(riverside, alice, media, django_capture_on_commit_callbacks):
    alice.set_password("garden gate 42")
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        person_photo_set(person=alice, acting=alice, upload=upload(phone_photo()), alt="Me")
    assert len(stored(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=Person.objects.get(pk=alice.pk), password="garden gate 42")
    assert stored(media) == []
    assert not Person.objects.get(pk=alice.pk).photo
