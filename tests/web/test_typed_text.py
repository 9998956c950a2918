"""Text typed into pages: a control character is a form error and a NUL anywhere in a query
string or form is a 400 page, never a 500, on SQLite and PostgreSQL alike (case 3 of issue 10:
PostgreSQL cannot store or even compare a NUL)."""

from __future__ import annotations

import pytest

from coproduce.exchanges.models import Offer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/offers/?q=a%00",
        "/offers/?area=a%00",
        "/requests/?q=garden%00weeds&day=mon",
        "/offers/?page=1%00",
        "/offers/new/?for=%00",
        "/exchanges/new/?offer=%00",
        "/members/?q=%00",
        "/partners/referrals/?status=%00",
        "/insights/?timebank=%00",
        "/offers/?a%00=1",
    ],
)
def test_a_nul_in_a_pages_query_string_is_a_clear_400(login, alice, carol, url):
    response = login(carol).get(url)

    assert response.status_code == 400, url
    assert "NUL" in response.content.decode()


def test_other_control_characters_in_a_search_are_ignored_not_a_500(login, alice):
    response = login(alice).get("/offers/", {"q": "garden\x01", "area": "\x1b"})

    assert response.status_code == 200


def test_a_nul_in_a_posted_form_changes_nothing(login, alice, riverside):
    client = login(alice)

    response = client.post("/switch/", {"timebank": "river\x00side"})

    assert response.status_code == 400
    assert client.session.get("timebank_slug") is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "Help with\x1b[31m weeding"), ("title", "Two\nlines"), ("tags", "a\x07b")],
)
def test_posting_an_offer_with_a_control_character_is_a_form_error(login, alice, field, value):
    data = {"title": "Help with weeding", "category": "gardening", "description": "", "tags": ""}
    data[field] = value

    response = login(alice).post("/offers/new/", data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Offer.objects.exists()


def test_a_description_keeps_its_line_breaks(login, alice):
    response = login(alice).post(
        "/offers/new/",
        {"title": "Weeding", "category": "gardening", "description": "Mondays\r\nor Fridays"},
    )

    assert response.status_code == 302
    assert Offer.objects.get().description == "Mondays\r\nor Fridays"


def test_the_api_answers_for_itself(client, alice):
    # /api/ is left to the API's own 422 (JSON, naming the field), not the page's 400.
    response = client.get("/api/v1/offers?q=%00")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
