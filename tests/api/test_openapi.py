"""The OpenAPI document other tools read: /api/v1/openapi.json."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(anonymous):
    response = anonymous.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_it_is_openapi_3_listing_every_path(document):
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {
        "/api/v1/me",
        "/api/v1/offers",
        "/api/v1/offers/{public_id}",
        "/api/v1/requests",
        "/api/v1/requests/{public_id}",
        "/api/v1/exchanges",
        "/api/v1/exchanges/{public_id}",
        "/api/v1/exchanges/{public_id}/agree",
        "/api/v1/exchanges/{public_id}/done",
        "/api/v1/exchanges/{public_id}/confirm",
        "/api/v1/exchanges/{public_id}/cancel",
        "/api/v1/exchanges/{public_id}/dispute",
        "/api/v1/account/statement",
        "/api/v1/gifts",
    }


def test_every_operation_needs_the_bearer_token(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes == {"BearerToken": {"type": "http", "scheme": "bearer"}}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"BearerToken": []}], (method, path)


def test_posts_document_the_idempotency_key_required_for_gifts(document):
    def key_parameter(path):
        return next(
            p
            for p in document["paths"][path]["post"]["parameters"]
            if p["name"] == "Idempotency-Key"
        )

    assert key_parameter("/api/v1/gifts")["required"] is True
    assert key_parameter("/api/v1/exchanges/{public_id}/confirm")["required"] is False
