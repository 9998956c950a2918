"""The API against its own OpenAPI document, fuzzed by schemathesis.

The document is read from the real URL conf (`coproduce.config.urls`) and every operation is
called in-process through Django's WSGI handler: a coordinator's operations (and referrals) with
carol's token, the rest with alice's read+write token. Alice has something to work on: hours,
an offer, a request of bob's, exchanges in each state, a conversation with bob, a pool with a
spend waiting for her approval, a co-design project with a meeting and a proposal; their ids
(and a referral's, and bob's) are offered as path parameters beside random ones. For every
operation schemathesis generates requests that fit the schema (positive) and requests that do
not (negative), NUL bytes and other control characters included, and each answer must be: no
server error, a status the document lists for that operation, a body that fits the document's
schema for that status, and JSON.

The budget keeps the run near a minute of CPU a database: `MAX_EXAMPLES` per operation and
mode, derandomised (the same examples on every run, so CI is deterministic), no example
database, no deadline, no shrinking.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from typing import Any

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

from tests.api.conftest import earn

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 8
CAROLS = (
    "/coordinator/",
    "/reports/",
    "/referrals",
    "/matching/requests/",
    "/matching/queue",
    "/matching/settings",
    "/organisations",
)
# Operations (paths and methods) in the document (the closing note of issue 14 gives it).
OPERATIONS = 138
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
    failures: dict[str, Any] = dataclasses.field(default_factory=dict)
    failed: int = 0

    def check(self, case: Any, mode: GenerationMode) -> None:
        self.examples += 1
        response = case.call()
        label = case.operation.label
        self.statuses[(label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup) as found:
            for failure in getattr(found, "exceptions", [found]):
                self.failed += 1
                title = str(failure).splitlines()[0]
                name = f"{label} [{mode}] {response.status_code}: {title}"
                self.failures.setdefault(name, f"{failure}\n{case.as_curl_command()[:500]}")


@pytest.fixture
def world(api_as, token_for, alice, bob, carol, dr_patel, riverside):
    """Alice with hours, her offer, bob's request and exchanges in every state; a conversation
    between them, a pool alice holds with a spend waiting, a referral, a co-design project with
    a meeting and a proposal."""
    earn(riverside, earner=alice, payer=bob, minutes=600)
    earn(riverside, earner=bob, payer=alice, minutes=300)
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
    more = _more_of_the_world(as_alice, as_bob, alice, bob, carol, dr_patel, riverside)
    return {
        "token": token_for(alice),
        "coordinator_token": token_for(carol),
        # Whom carol asks to help with bob's request, or takes off the surgery's staff
        # (`{person_id}`).
        "person_ids": [str(alice.public_id), str(dr_patel.public_id)],
        "ids": [
            offer["public_id"],
            request["public_id"],
            *exchanges,
            *more,
        ],
        # The surgery's staff invitation, to send again or withdraw (`{invitation_id}`).
        "staff_invitation_id": more[0],
    }


def _more_of_the_world(as_alice, as_bob, alice, bob, carol, dr_patel, riverside) -> list[str]:
    """Ids of the surgery's staff invitation (first), a conversation, a pool and a spend waiting
    for alice's approval, a referral, a co-design project with a meeting and a proposal, bob (to
    block) and an invitation."""
    from datetime import timedelta

    from django.utils import timezone

    from coproduce.codesign.services import (
        meeting_schedule,
        project_create,
        project_join,
        proposal_submit,
    )
    from coproduce.community.invitations import invitation_create
    from coproduce.community.models import Organisation
    from coproduce.partners.services.pools import pool_create, pool_spend_propose
    from coproduce.partners.services.referrals import referral_create
    from tests.partners.conftest import REFERRAL

    offer = as_alice.post("/offers", {"title": "Lessons", "category": "learning"}).json()
    talk = as_bob.post("/conversations", {"offer": offer["public_id"], "body": "Hello"}).json()
    pool = pool_create(
        timebank=riverside,
        acting=alice,
        name="Garden",
        unit="hour",
        holders=[alice, bob],
        approvals_required=2,
    )
    as_alice.post(f"/pools/{pool.public_id}/contribute", {"amount": 120}, key="world-pool")
    spend = pool_spend_propose(pool=pool, acting=bob, payee=bob, amount=30, purpose="Seeds")
    surgery = Organisation.objects.get(slug="riverside-surgery")
    referral = referral_create(
        timebank=riverside,
        acting=dr_patel,
        organisation=surgery,
        **{**REFERRAL, "consent_given_on": timezone.localdate()},
    )
    project = project_create(
        acting=carol,
        timebank=riverside,
        organisation=surgery,
        title="Our waiting room",
        question="How should the waiting room work?",
    )
    for person in (alice, bob):
        project_join(acting=person, project=project)
    meeting = meeting_schedule(
        acting=carol,
        project=project,
        starts_at=timezone.now() - timedelta(days=1),
        place="The surgery",
        planned_minutes=60,
    )
    proposal = proposal_submit(acting=bob, project=project, title="Chairs", text="More chairs.")
    invitation, _token = invitation_create(timebank=riverside, kind="member", acting=carol)
    staff_invitation, _token = invitation_create(
        timebank=riverside,
        kind="organisation_staff",
        acting=carol,
        name="Nurse Nia",
        organisation=surgery,
    )
    return [
        str(staff_invitation.public_id),
        str(invitation.public_id),
        str(surgery.public_id),
        talk["public_id"],
        str(pool.public_id),
        str(spend.public_id),
        str(referral.public_id),
        str(project.public_id),
        str(meeting.public_id),
        str(proposal.public_id),
        str(bob.public_id),
    ]


@pytest.fixture
def wsgi_app(settings, world):
    settings.ROOT_URLCONF = "coproduce.config.urls"
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # A real request ends by closing a database connection that is not in autocommit mode; the
    # test's own transaction is one, so keep it open as Django's test client does. (After the
    # world is built: the test client connects close_old_connections again after each request.)
    signals.request_started.disconnect(reset_queries)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Every 4xx would be logged as a warning; a 500 is still logged.
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        yield WSGIHandler()
    finally:
        quiet.setLevel(level)
        signals.request_started.connect(reset_queries)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz(strategy: st.SearchStrategy, mode: GenerationMode, tally: Tally) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        tally.check(case, mode)

    run()


def test_the_api_keeps_to_its_openapi_document(wsgi_app, world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        # A coordinator's operations with carol's token (alice would only ever get a 404).
        carols = operation.path.removeprefix("/api/v1").startswith(CAROLS)
        token = world["coordinator_token" if carols else "token"]
        auth = {"Authorization": f"Bearer {token}"}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies = [operation.as_strategy(mode, headers=auth)]
            if "{public_id}" in operation.path:
                # Alice to invite to bob's request; dr_patel on the surgery's staff.
                person = {}
                if "{person_id}" in operation.path:
                    staff = operation.path.removeprefix("/api/v1").startswith("/organisations")
                    person = {"person_id": world["person_ids"][1 if staff else 0]}
                if "{invitation_id}" in operation.path:
                    # The surgery's staff invitation, to send again or withdraw.
                    person = {"invitation_id": world["staff_invitation_id"]}
                strategies += [
                    operation.as_strategy(
                        mode, headers=auth, path_parameters={"public_id": id_, **person}
                    )
                    for id_ in world["ids"]
                ]
            try:
                _fuzz(st.one_of(strategies), mode, tally)
            except Unsatisfiable:
                # Nothing in it can be made invalid: GET /me has no parameters.
                assert mode == GenerationMode.NEGATIVE, operation.label

    print(
        f"\nschemathesis: {tally.operations} operations, {tally.examples} examples, "
        f"{tally.failed} failures"
    )
    for (label, status), n in sorted(tally.statuses.items()):
        print(f"  {label} -> {status}: {n}")
    assert tally.operations == OPERATIONS
    assert tally.examples > OPERATIONS * MAX_EXAMPLES
    assert not tally.failures, "\n\n".join(f"{k}\n{v}" for k, v in tally.failures.items())
    # Operations reach their handlers, not only the token check and the validation.
    successes = {label for (label, status), _n in tally.statuses.items() if status < 300}
    assert len(successes) >= 32, sorted(successes)
