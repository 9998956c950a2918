"""The OpenAPI document other tools read: /api/v1/openapi.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

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


def test_the_interactive_docs_need_no_token_and_load_only_our_own_files(anonymous):
    response = anonymous.client.get("/api/v1/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all('src="/static/' in s for s in scripts), scripts  # none inline
    assert "swagger-ui-dist-swagger-ui-bundle" in page
    assert "api/docs.js" in page
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', page)).replace(
        "/api/v1/openapi.json", ""
    )  # no other site
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_vendored_swagger_ui_is_pinned_and_boots_from_a_static_file():
    from django.contrib.staticfiles import finders

    versions = finders.find("vendor/VERSIONS")
    assert "swagger-ui-dist@" in Path(versions).read_text()
    for name in (
        "vendor/swagger-ui-dist-swagger-ui-bundle.js",
        "vendor/swagger-ui-dist-swagger-ui.css",
        "api/docs.js",
    ):
        assert finders.find(name), name
    boot = Path(finders.find("api/docs.js")).read_text()
    assert "SwaggerUIBundle" in boot
    assert "validatorUrl: null" in boot


def test_no_two_schemas_share_a_name():
    """ninja names a schema in the document by its class name: two classes with one name would
    be documented as one, and one of them wrongly."""
    import inspect

    from ninja import Schema

    import coproduce.api.main  # noqa: F401 - every router imported
    from coproduce import api

    seen: dict[str, str] = {}
    for module in Path(api.__file__).parent.glob("*.py"):
        loaded = __import__(f"coproduce.api.{module.stem}", fromlist=["*"])
        for name, value in vars(loaded).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == loaded.__name__
            ):
                assert name not in seen, (name, seen[name], loaded.__name__)
                seen[name] = loaded.__name__
