"""Carol gives Riverside a logo through the API (multipart, as on the settings page), replaces
it and takes it away; its URL is in the settings. The same checks refuse what is not a picture
of at most 2 MB, and every change is recorded. Members, a professional and another bank's
coordinator cannot touch it, nor can a read-only token."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from coproduce.community.models import TimeBank
from coproduce.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PATH = "/coordinator/settings/logo"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def picture(colour=(20, 90, 160), name="logo.png", kind="PNG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (600, 300), colour).save(out, kind)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{kind.lower()}")


def upload(api, **fields):
    return api.client.post(f"/api/v1{PATH}", fields, headers=api._headers())


def files(media) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []


def logo_of(timebank) -> str:
    return TimeBank.objects.get(pk=timebank.pk).logo.name


def test_carol_gives_riverside_a_logo_and_its_url_is_in_the_settings(api_as, carol, riverside):
    as_carol = api_as(carol)
    assert as_carol.get("/coordinator/settings").json()["logo_url"] is None

    response = upload(as_carol, logo=picture())

    assert response.status_code == 200, response.content
    url = response.json()["logo_url"]
    assert url.startswith("/media/logos/riverside-")
    assert as_carol.get("/coordinator/settings").json()["logo_url"] == url
    served = as_carol.client.get(url)
    assert served.status_code == 200
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (256, 256)
    event = AuditEvent.objects.get(action="timebank.settings_updated", actor=carol)
    assert event.data["old"]["logo"] == ""
    assert event.data["new"]["logo"] == logo_of(riverside)


def test_a_new_logo_replaces_the_old_one_and_its_file_goes(
    api_as, carol, riverside, media, django_capture_on_commit_callbacks
):
    as_carol = api_as(carol)
    upload(as_carol, logo=picture())
    first = logo_of(riverside)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(as_carol, logo=picture((200, 40, 40), "new.jpg", "JPEG"))

    assert response.status_code == 200
    assert logo_of(riverside) not in ("", first)
    assert files(media) == [logo_of(riverside).removeprefix("logos/")]


def test_carol_takes_the_logo_away(
    api_as, carol, riverside, media, django_capture_on_commit_callbacks
):
    as_carol = api_as(carol)
    upload(as_carol, logo=picture())
    old = logo_of(riverside)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_carol.call("delete", PATH)

    assert response.status_code == 200
    assert response.json()["logo_url"] is None
    assert logo_of(riverside) == ""
    assert files(media) == []
    events = AuditEvent.objects.filter(action="timebank.settings_updated").order_by("pk")
    assert events.last().data == {"old": {"logo": old}, "new": {"logo": ""}}


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"logo": SimpleUploadedFile("logo.png", b"not a picture", "image/png")}, 400, "PNG"),
        ({"logo": SimpleUploadedFile("logo.svg", b"<svg/>", "image/svg+xml")}, 400, "PNG"),
        ({"logo": SimpleUploadedFile("big.png", b"0" * (2 * 1024 * 1024 + 1))}, 400, "2 MB"),
        ({"picture": "nothing"}, 422, "logo"),
    ],
)
def test_what_is_not_a_picture_of_at_most_2_mb_is_refused_and_nothing_changes(
    api_as, carol, riverside, media, fields, status, words
):
    as_carol = api_as(carol)
    upload(as_carol, logo=picture())
    before = (logo_of(riverside), files(media), AuditEvent.objects.count())

    response = upload(as_carol, **fields)

    assert response.status_code == status, response.content
    assert words in str(response.json()["detail"])
    assert (logo_of(riverside), files(media), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("who", ["alice", "bob", "dr_patel", "harry"])
def test_only_riversides_coordinator_changes_its_logo(
    request, api_as, carol, who, riverside, media
):
    upload(api_as(carol), logo=picture())
    as_them = api_as(request.getfixturevalue(who))
    riversides = AuditEvent.objects.filter(timebank_id=riverside.pk)
    before = (logo_of(riverside), riversides.count(), AuditEvent.objects.count())

    answers = [upload(as_them, logo=picture()), as_them.call("delete", PATH)]

    assert (logo_of(riverside), riversides.count()) == before[:2]
    if who == "harry":  # his own time bank's logo, never riverside's
        assert [a.status_code for a in answers] == [200, 200]
        assert TimeBank.objects.get(slug="hillside").logo.name == ""
    else:
        assert [a.status_code for a in answers] == [404, 404]
        assert AuditEvent.objects.count() == before[2]


def test_a_read_only_token_changes_no_logo(api_as, carol, riverside, media):
    as_reader = api_as(carol, write=False)

    answers = [upload(as_reader, logo=picture()), as_reader.call("delete", PATH)]

    assert [a.status_code for a in answers] == [403, 403]
    assert logo_of(riverside) == ""
    assert files(media) == []
