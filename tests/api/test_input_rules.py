"""What the API accepts and what it answers when it does not: typed text without control
characters, amounts as JSON integers, and every refusal a JSON body with a status the OpenAPI
document lists for that operation."""

from __future__ import annotations

import json
import re

import pytest

from coproduce.api.schemas import InvalidOut
from coproduce.exchanges.models import Exchange, Offer, Request
from coproduce.ledger.models import Transfer, TransferKind
from tests.api.conftest import Api, earn

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(anonymous):
    return json.loads(anonymous.client.get("/api/v1/openapi.json").content)


def documented(document, method: str, path: str) -> set[int]:
    return {int(s) for s in document["paths"][f"/api/v1{path}"][method]["responses"]}


def _rows() -> tuple[int, int, int, int]:
    return (
        Offer.objects.count(),
        Request.objects.count(),
        Exchange.objects.count(),
        Transfer.objects.filter(kind=TransferKind.GIFT).count(),
    )


@pytest.fixture
def alice_has_hours(alice, bob, riverside):
    earn(riverside, earner=alice, payer=bob, minutes=300)


# --- case 3: a NUL byte (and every other control character) is a 422, on both databases -------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/offers", {"title": "a\u0000b", "category": "gardening"}, "title"),
        ("/requests", {"title": "Lift\u001b[31m", "category": "transport"}, "title"),
        ("/offers", {"title": "Two\nlines", "category": "gardening"}, "title"),
        ("/offers", {"title": "Tea", "category": "care", "area": "North\u0000"}, "area"),
        ("/offers", {"title": "Tea", "category": "care", "tags": ["ok", "b\u0000d"]}, 1),
        ("/offers", {"title": "Tea", "category": "care", "description": "a\u0000b"}, "description"),
        ("/offers", {"title": "Tea", "category": "care", "availability": ["mon\u0000"]}, 0),
        ("/offers", {"title": "\ud800", "category": "care"}, "title"),
        ("/exchanges", {"role": "giving", "others": ["bo\u0000b"], "minutes": 60}, 0),
        (
            "/exchanges",
            {"role": "giving", "others": ["bob"], "minutes": 60, "notes": "\x00"},
            "notes",
        ),
        ("/gifts", {"to": "member", "member": "bo\u0000b", "minutes": 30}, "member"),
        ("/gifts", {"to": "chest", "minutes": 30, "note": "thanks\u0007"}, "note"),
    ],
)
def test_a_control_character_in_a_body_is_a_422_naming_the_field_and_nothing_is_written(
    api_as, alice, bob, alice_has_hours, path, body, field
):
    before = _rows()

    response = api_as(alice).post(path, body, key="k-1")

    assert response.status_code == 422, response.content
    error = response.json()
    assert error["code"] == "invalid_request"
    assert error["detail"][0]["loc"][-1] == field
    assert error["detail"][0]["msg"]
    assert _rows() == before


def test_a_description_may_hold_line_breaks_and_tabs(api_as, alice):
    response = api_as(alice).post(
        "/offers",
        {"title": "Tea", "category": "care", "description": "Mondays:\n\tmornings\r\n"},
    )

    assert response.status_code == 201, response.content
    assert Offer.objects.get().description.startswith("Mondays:\n\tmornings")


@pytest.mark.parametrize(
    "query",
    [{"area": "a\u0000"}, {"q": "garden\u0000"}, {"q": "\u0085"}],
)
@pytest.mark.parametrize("path", ["/offers", "/requests"])
def test_a_control_character_in_a_search_is_a_422(api_as, alice, path, query):
    response = api_as(alice).get(path, **query)

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["query", next(iter(query))]


def test_a_nul_in_a_path_or_a_key_is_refused_clearly(api_as, alice):
    as_alice = api_as(alice)

    assert as_alice.get("/offers/a%00b").status_code == 422
    refused = as_alice.post("/offers", {"title": "Tea", "category": "care"}, key="k\u0000")
    assert refused.status_code == 400
    assert refused.json()["code"] == "bad_idempotency_key"
    assert not Offer.objects.exists()


# --- case 6: amounts are strict integers -------------------------------------------------------


@pytest.mark.parametrize("minutes", [True, "2", 2.5, 60.0, None, [60]])
def test_minutes_must_be_a_json_integer_to_propose(api_as, alice, bob, minutes):
    response = api_as(alice).post(
        "/exchanges",
        {
            "role": "giving",
            "others": ["bob"],
            "title": "Tea",
            "category": "companionship",
            "minutes": minutes,
        },
    )

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == "minutes"
    assert not Exchange.objects.exists()


@pytest.mark.parametrize("minutes", [True, "2", 2.5])
def test_one_minute_never_moves_as_true_in_a_gift(api_as, alice, alice_has_hours, minutes):
    response = api_as(alice).post("/gifts", {"to": "chest", "minutes": minutes}, key="gift-1")

    assert response.status_code == 422, response.content
    assert not Transfer.objects.filter(kind=TransferKind.GIFT).exists()


@pytest.mark.parametrize("minutes", [True, "45"])
def test_minutes_must_be_a_json_integer_to_mark_done(api_as, alice, bob, minutes):
    as_alice = api_as(alice)
    made = as_alice.post(
        "/exchanges",
        {
            "role": "giving",
            "others": ["bob"],
            "title": "Tea",
            "category": "companionship",
            "minutes": 60,
        },
    ).json()
    path = f"/exchanges/{made['public_id']}"
    assert api_as(bob).post(f"{path}/agree").status_code == 200

    response = as_alice.post(f"{path}/done", {"minutes": minutes})

    assert response.status_code == 422, response.content
    assert Exchange.objects.get().actual_minutes is None


# --- case 6: every status sent is documented, with the body sent ------------------------------


def _operations(document):
    for path, operations in document["paths"].items():
        for method in operations:
            yield method, path.removeprefix("/api/v1")


def test_every_operation_without_a_token_is_a_documented_401(document, anonymous, alice):
    sample_id = "00000000-0000-0000-0000-000000000000"
    for method, path in _operations(document):
        url = re.sub(r"\{[a-z_]+\}", sample_id, path)
        response = anonymous.call(method, url, None if method == "get" else {})
        assert response.status_code == 401, (method, path, response.content)
        assert response.json()["code"] == "not_authenticated"
        assert 401 in documented(document, method, path), (method, path)
        bad = Api("cpt_not-a-real-token")
        response = bad.call(method, url, None if method == "get" else {})
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "bad_token"


def test_every_operation_documents_422_and_every_change_400_403_and_413(document):
    for method, path in _operations(document):
        statuses = documented(document, method, path)
        operation = document["paths"][f"/api/v1{path}"][method]
        if operation.get("parameters") or operation.get("requestBody"):
            assert 422 in statuses, (method, path)
        if method != "get":
            assert {400, 403, 413, 422} <= statuses, (method, path)


def test_the_422_a_gift_sends_is_the_422_its_document_describes(
    document, api_as, alice, alice_has_hours
):
    schema = document["paths"]["/api/v1/gifts"]["post"]["responses"]["422"]["content"]
    refs = {option["$ref"] for option in schema["application/json"]["schema"]["anyOf"]}
    assert refs == {"#/components/schemas/InvalidOut", "#/components/schemas/ErrorOut"}

    sent = api_as(alice).post("/gifts", {"to": "chest", "minutes": "ten"}, key="g-1")

    assert sent.status_code == 422
    assert InvalidOut.model_validate(sent.json()).detail[0].loc == ["body", "payload", "minutes"]
    assert set(sent.json()["detail"][0]) == {"loc", "msg", "type"}


def test_a_read_only_token_is_a_documented_403(document, api_as, alice):
    response = api_as(alice, write=False).post("/offers", {"title": "Tea", "category": "care"})

    assert response.status_code == 403
    assert 403 in documented(document, "post", "/offers")
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/offers", {"title": "Tea", "category": "care", "description": "x" * 3000}),
        ("/gifts", {"to": "chest", "minutes": 30, "note": "x" * 3000}),
    ],
)
def test_a_body_larger_than_allowed_is_a_json_413(
    settings, document, api_as, alice, alice_has_hours, path, body
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    before = _rows()

    response = api_as(alice).post(path, body, key="big-1")

    assert response.status_code == 413, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["code"] == "too_large"
    assert 413 in documented(document, "post", path)
    assert _rows() == before


def test_a_large_body_on_a_step_without_one_is_a_json_413_too(
    settings, api_as, alice, bob, alice_has_hours
):
    made = (
        api_as(alice)
        .post(
            "/exchanges",
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 60,
            },
        )
        .json()
    )
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000

    response = api_as(bob).post(
        f"/exchanges/{made['public_id']}/agree", {"junk": "x" * 3000}, key="agree-1"
    )

    assert response.status_code == 413, response.content
    assert response.json()["code"] == "too_large"
    assert Exchange.objects.get().status == "proposed"


@pytest.mark.parametrize("raw", ["{not json", '{"title": "Tea",', "nul", "[1, 2"])
def test_a_body_that_is_not_json_is_a_documented_json_400(document, api_as, alice, raw):
    response = api_as(alice).post("/offers", raw=raw)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON.",
        "code": "bad_request",
    }
    assert 400 in documented(document, "post", "/offers")
    assert not Offer.objects.exists()


# --- found by schemathesis: dates no database can hold were 500s ------------------------------


@pytest.mark.parametrize(
    "when", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59Z"]
)
def test_a_time_no_database_can_hold_is_a_422_not_a_500(api_as, alice, bob, when):
    response = api_as(alice).post(
        "/exchanges",
        {
            "role": "giving",
            "others": ["bob"],
            "title": "Tea",
            "category": "companionship",
            "minutes": 60,
            "scheduled_for": when,
        },
    )

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == "scheduled_for"
    assert not Exchange.objects.exists()


def test_a_time_without_an_offset_is_the_sites_local_time(api_as, alice, bob):
    response = api_as(alice).post(
        "/exchanges",
        {
            "role": "giving",
            "others": ["bob"],
            "title": "Tea",
            "category": "companionship",
            "minutes": 60,
            "scheduled_for": "2030-06-01T10:00:00",
        },
    )

    assert response.status_code == 201, response.content
    assert Exchange.objects.get().scheduled_for.isoformat().startswith("2030-06-01T09:00:00")


@pytest.mark.parametrize("query", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}])
def test_a_statement_for_days_out_of_range_is_a_422_not_a_500(api_as, alice, query):
    response = api_as(alice).get("/account/statement", **query)

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["query", next(iter(query))]
