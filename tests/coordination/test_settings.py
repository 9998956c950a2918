"""Carol keeps Riverside's settings (issue 12): every change is audited with its old and new
value, a wrong answer changes nothing and says why, and the settings are used where they matter
(areas on the join and profile forms, kinds of help on listings, welcome text, time zone)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from coproduce.community.models import TimeBank, TimeBankCategory
from coproduce.community.settings import category_choices, timebank_settings_update
from coproduce.core.errors import ApplicationError, PermissionDenied
from coproduce.core.models import AuditEvent
from coproduce.exchanges.models import Offer
from coproduce.web.middleware import TimeBankTimeZoneMiddleware

URL = "/coordinator/settings/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _form(**overrides) -> dict:
    """Everything the settings page posts, as a coordinator would fill it in."""
    data = {
        "name": "Riverside Time Bank",
        "description": "Neighbours helping neighbours along the river.",
        "welcome_text": "Welcome! Come to our Tuesday drop-in.",
        "contact_email": "hello@riverside.example",
        "contact_phone": "0161 496 0000",
        "contact_details": "The Library, Mill Lane. Tuesdays 10 to 12.",
        "areas": "Northbank\nSouthbank\n\nnorthbank\n",
        "categories_on": ["care", "companionship", "transport", "learning"],
        "category_new": "",
        "category_new_check": "",
        "default_min_balance": "-5",
        "default_max_balance": "40",
        "max_exchange_minutes": "6",
        "induction_required": "on",
        "references_needed": "2",
        "hourly_value": "12.60",
        "language": "en-gb",
        "time_zone": "Europe/London",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _state(timebank: TimeBank) -> dict:
    timebank.refresh_from_db()
    return {
        **model_to_dict(timebank),
        "logo": timebank.logo.name,
        "audit": AuditEvent.objects.count(),
        "own": list(TimeBankCategory.objects.values_list("value", "active")),
    }


def _png(size=(600, 300), exif: bool = False, fmt: str = "PNG") -> bytes:
    image = Image.new("RGB", size, (30, 120, 90))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {1: "N"}  # a GPS block
        kwargs["exif"] = data
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def test_carol_saves_the_settings_and_each_change_is_audited(login, carol, riverside):
    response = login(carol).post(URL, _form())
    assert response.status_code == 302
    riverside.refresh_from_db()
    assert riverside.areas == ["Northbank", "Southbank"]
    assert riverside.categories_off == sorted(
        {"household", "gardening", "admin", "creative", "health", "children"}
        | {"neighbourhood", "civic"}
    )
    assert (riverside.default_min_balance, riverside.default_max_balance) == (-300, 2400)
    assert riverside.max_exchange_minutes == 360
    assert (riverside.references_needed, riverside.hourly_value_pence) == (2, 1260)
    assert riverside.contact_email == "hello@riverside.example"
    assert riverside.settings_completed_at is not None
    event = AuditEvent.objects.get(action="timebank.settings_updated")
    assert event.actor == carol
    assert event.data["old"]["default_min_balance"] == -600
    assert event.data["new"]["default_min_balance"] == -300
    assert event.data["old"]["areas"] == [] and event.data["new"]["areas"] == riverside.areas
    assert "hourly_value_pence" not in event.data["new"]  # unchanged: not in the audit


def test_the_page_shows_the_hour_value_in_pounds_and_limits_in_hours(login, carol, riverside):
    page = login(carol).get(URL).content.decode()
    assert 'value="12.60"' in page
    assert 'value="-10:00"' in page
    assert 'href="/coordinator/settings/"' in login(carol).get("/coordinator/").content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"default_min_balance": "5"}, "The lowest balance must be zero or below."),
        ({"default_max_balance": "-8"}, "The highest balance must be above zero and the lowest."),
        ({"language": "xx"}, "Select a valid choice"),
        ({"contact_email": "not-an-address"}, "Enter a valid email address."),
        ({"name": ""}, "This field is required."),
        ({"references_needed": "12"}, "less than or equal to 5"),
    ],
)
def test_a_wrong_answer_changes_nothing_and_says_why(login, carol, riverside, overrides, message):
    before = _state(riverside)
    response = login(carol).post(URL, _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state(riverside) == before


def test_the_service_refuses_a_time_zone_that_does_not_exist(carol, riverside):
    before = _state(riverside)
    with pytest.raises(ApplicationError, match="not a time zone"):
        timebank_settings_update(
            timebank=riverside, acting=carol, name="New name", time_zone="Europe/Atlantis"
        )
    assert _state(riverside) == before


def test_only_a_coordinator_may_change_the_settings(login, alice, harry, riverside):
    before = _state(riverside)
    with pytest.raises(PermissionDenied):
        timebank_settings_update(timebank=riverside, acting=alice, name="Alice's bank")
    with pytest.raises(PermissionDenied):
        timebank_settings_update(timebank=riverside, acting=harry, name="Harry's bank")
    client = login(alice)
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form(name="Alice's bank")).status_code == 404
    assert _state(riverside) == before


def test_a_logo_is_redrawn_square_without_its_exif(login, carol, riverside):
    upload = SimpleUploadedFile("logo.jpg", _png(exif=True, fmt="JPEG"), "image/jpeg")
    assert login(carol).post(URL, {**_form(), "logo": upload}).status_code == 302
    riverside.refresh_from_db()
    with riverside.logo.open("rb") as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("PNG", (256, 256))
        assert not image.getexif()
        assert "exif" not in image.info
    page = login(carol).get(URL).content.decode()
    assert riverside.logo.url in page
    assert AuditEvent.objects.get(action="timebank.settings_updated").data["new"]["logo"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not a picture", "The logo must be a picture"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "The logo must be a picture"),
        (b"\0" * (2 * 1024 * 1024 + 1), "at most 2 MB"),
    ],
)
def test_a_logo_that_is_not_a_small_picture_is_refused(login, carol, riverside, content, message):
    before = _state(riverside)
    upload = SimpleUploadedFile("logo.png", content, "image/png")
    response = login(carol).post(URL, {**_form(name="Changed"), "logo": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state(riverside) == before


def test_areas_are_picked_from_the_list_when_joining_and_on_the_profile(
    client, login, carol, alice, riverside
):
    timebank_settings_update(timebank=riverside, acting=carol, areas=["Northbank", "Southbank"])
    join = client.get(f"/join/{riverside.slug}/").content.decode()
    assert '<option value="Northbank">Northbank</option>' in join
    profile = login(alice).get("/profile/edit/").content.decode()
    assert '<option value="Southbank">Southbank</option>' in profile


def test_welcome_text_shows_on_home_and_when_joining(client, login, carol, alice, riverside):
    timebank_settings_update(
        timebank=riverside, acting=carol, welcome_text="Tea and cake every Friday."
    )
    assert "Tea and cake every Friday." in client.get(f"/join/{riverside.slug}/").content.decode()
    assert "Tea and cake every Friday." in login(alice).get("/").content.decode()


def test_kinds_of_help_turned_off_or_added_are_what_listings_offer(login, carol, alice, riverside):
    timebank_settings_update(
        timebank=riverside,
        acting=carol,
        categories_off=["gardening"],
        category_new="Bike repair",
        category_new_check="enhanced",
    )
    riverside.refresh_from_db()
    own = TimeBankCategory.objects.get(timebank=riverside)
    assert (own.value, own.name) == ("bike-repair", "Bike repair")
    assert riverside.checks_needed["bike-repair"] == "enhanced"
    choices = dict(category_choices(riverside))
    assert "gardening" not in choices and choices["bike-repair"] == "Bike repair"
    form = login(alice).get("/offers/new/").content.decode()
    assert '<option value="bike-repair">Bike repair</option>' in form
    assert 'value="gardening"' not in form
    response = login(alice).post(
        "/offers/new/", {"title": "Fixing punctures", "category": "bike-repair"}
    )
    assert response.status_code == 302
    assert Offer.objects.get(timebank=riverside).category == "bike-repair"


def test_a_kind_of_help_named_as_a_default_is_refused(carol, riverside):
    with pytest.raises(ApplicationError, match="already a kind of help"):
        timebank_settings_update(timebank=riverside, acting=carol, category_new="gardening")
    assert not TimeBankCategory.objects.exists()


def test_pages_show_times_in_the_banks_time_zone(carol, riverside):
    timebank_settings_update(timebank=riverside, acting=carol, time_zone="Pacific/Auckland")
    riverside.refresh_from_db()
    request = RequestFactory().get("/")
    request.timebank = riverside
    seen = TimeBankTimeZoneMiddleware(lambda r: timezone.get_current_timezone_name())(request)
    assert seen == "Pacific/Auckland"
    assert timezone.get_current_timezone_name() == "Europe/London"


def test_two_step_sign_in_can_be_required_from_the_settings(login, carol, riverside):
    login(carol).post(URL, _form(require_two_factor="on"))
    riverside.refresh_from_db()
    assert riverside.require_two_factor
    event = AuditEvent.objects.get(action="timebank.settings_updated")
    assert (event.data["old"]["require_two_factor"], event.data["new"]["require_two_factor"]) == (
        False,
        True,
    )


def test_people_joining_see_how_to_contact_the_time_bank(client, carol, riverside):
    timebank_settings_update(
        timebank=riverside,
        acting=carol,
        contact_email="hello@riverside.example",
        contact_details="The Library, Mill Lane",
    )
    page = client.get(f"/join/{riverside.slug}/").content.decode()
    assert 'href="mailto:hello@riverside.example"' in page
    assert "The Library, Mill Lane" in page


def test_a_listing_keeps_its_kind_when_the_kind_is_turned_off(login, carol, alice, riverside):
    timebank_settings_update(timebank=riverside, acting=carol, category_new="Bike repair")
    login(alice).post("/offers/new/", {"title": "Fixing punctures", "category": "bike-repair"})
    offer = Offer.objects.get(timebank=riverside)
    timebank_settings_update(timebank=riverside, acting=carol, own_categories_on=[])
    assert "bike-repair" not in dict(category_choices(riverside))
    edit = login(alice).get(f"/offers/{offer.public_id}/edit/").content.decode()
    assert '<option value="bike-repair" selected>Bike repair</option>' in edit
