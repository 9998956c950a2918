"""The API answers in the language a request asks for, else its token's person's (issue 16).

alice reads Spanish. Her phone app sends no Accept-Language: a refusal comes back in Spanish. An
app that asks for Welsh (`Accept-Language: cy`) gets Welsh; one asking for a language we do not
have gets alice's Spanish.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from coproduce.api.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api_mounted(settings) -> None:
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture
def alices_read_only_app(riverside, alice):
    alice.language = "es"
    alice.save()
    _token, plaintext = token_create(
        person=alice, timebank=riverside, name="alice's app", scopes=["read"], expires_at=None
    )

    def post_offer(**headers: str):
        return Client().post(
            "/api/v1/offers",
            json.dumps({"title": "Jardinería", "category": "gardening"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {plaintext}", **headers},
        )

    return post_offer


def test_alices_app_is_refused_in_her_spanish(alices_read_only_app):
    response = alices_read_only_app()
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert response.json()["detail"].startswith("Este token solo puede leer.")
    assert response["Content-Language"] == "es"


def test_an_app_that_asks_for_welsh_gets_welsh(alices_read_only_app):
    response = alices_read_only_app(**{"Accept-Language": "cy"})
    assert response.json()["detail"].startswith("Dim ond darllen y gall y tocyn hwn.")


def test_an_app_asking_for_a_language_we_lack_gets_its_persons(alices_read_only_app):
    response = alices_read_only_app(**{"Accept-Language": "de-DE, de;q=0.9"})
    assert response.json()["detail"].startswith("Este token solo puede leer.")
