"""Making and revoking personal access tokens, and the command that prints one."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from coproduce.api.models import PersonalAccessToken
from coproduce.api.selectors import token_get_for, tokens_for
from coproduce.api.services import token_create, token_hash, token_revoke
from coproduce.core.errors import ApplicationError, NotFound, PermissionDenied
from coproduce.core.models import AuditEvent
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_as_its_hash_and_audited(alice, riverside):
    token, plaintext = token_create(person=alice, timebank=riverside, name="My phone")

    assert token.token_hash == token_hash(plaintext)
    assert token.scopes == "read"
    assert AuditEvent.objects.filter(action="api.token_created", actor=alice).exists()


def test_a_write_token_can_read_too(alice, riverside):
    token, _plaintext = token_create(
        person=alice, timebank=riverside, name="Script", scopes=["write"]
    )

    assert token.scope_list == ["read", "write"]


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"name": " "}, "name_required"),
        ({"name": "x" * 101}, "name_too_long"),
        ({"name": "App", "scopes": ["admin"]}, "bad_scope"),
        ({"name": "App", "expires_at": timezone.now() - timedelta(days=1)}, "expiry_in_past"),
    ],
)
def test_a_bad_token_request_is_refused(alice, riverside, options, code):
    with pytest.raises(ApplicationError) as refused:
        token_create(person=alice, timebank=riverside, **options)

    assert refused.value.code == code
    assert not PersonalAccessToken.objects.exists()


def test_harry_cannot_have_a_token_for_riverside(harry, riverside):
    with pytest.raises(PermissionDenied):
        token_create(person=harry, timebank=riverside, name="Peek")


def test_bob_cannot_revoke_alices_token_but_carol_can(alice, bob, carol, riverside):
    token, _plaintext = token_create(person=alice, timebank=riverside, name="Phone")

    with pytest.raises(PermissionDenied):
        token_revoke(token=token, acting=bob)
    revoked = token_revoke(token=token, acting=carol)

    assert revoked.revoked_at is not None
    assert AuditEvent.objects.get(action="api.token_revoked").on_behalf_of == alice


def test_harry_cannot_revoke_a_riverside_token(alice, harry, riverside):
    token, _plaintext = token_create(person=alice, timebank=riverside, name="Phone")

    with pytest.raises(PermissionDenied):
        token_revoke(token=token, acting=harry)


def test_bob_cannot_look_up_alices_token(alice, bob, riverside):
    token, _plaintext = token_create(person=alice, timebank=riverside, name="Phone")

    assert token_get_for(alice, riverside, token.public_id) == token
    with pytest.raises(NotFound):
        token_get_for(bob, riverside, token.public_id)
    assert list(tokens_for(person=bob, timebank=riverside)) == []


def test_the_command_prints_a_working_write_token_once(alice, riverside):
    out, err = StringIO(), StringIO()

    call_command(
        "api_token_create",
        "alice",
        timebank="riverside",
        name="Laptop",
        write=True,
        stdout=out,
        stderr=err,
    )
    plaintext = out.getvalue().strip()

    assert plaintext.startswith("cpt_")
    assert "shown only now" in err.getvalue()
    assert Api(plaintext).get("/me").json()["token"]["scopes"] == ["read", "write"]


@pytest.mark.parametrize(
    ("args", "options"),
    [
        (["nobody"], {"timebank": "riverside", "name": "x"}),
        (["alice"], {"timebank": "nowhere", "name": "x"}),
        (["alice"], {"timebank": "riverside", "name": " "}),
        (["alice"], {"timebank": "riverside", "name": "x", "expires_days": 0}),
        (["harry"], {"timebank": "riverside", "name": "x"}),
    ],
)
def test_the_command_says_what_is_wrong(alice, harry, riverside, args, options):
    with pytest.raises(CommandError):
        call_command("api_token_create", *args, stdout=StringIO(), stderr=StringIO(), **options)
    assert not PersonalAccessToken.objects.exists()


def test_carol_revokes_a_leaked_token_from_the_command_line_and_it_stops_working(
    alice, carol, riverside
):
    _, plaintext = token_create(person=alice, timebank=riverside, name="Leaked")
    assert Api(plaintext).get("/me").status_code == 200

    out = StringIO()
    call_command("api_token_revoke", plaintext, by="carol", stdout=out)

    assert "Revoked 'Leaked'" in out.getvalue()
    assert Api(plaintext).get("/me").status_code == 401
    event = AuditEvent.objects.get(action="api.token_revoked")
    assert event.actor == carol and event.on_behalf_of == alice


def test_a_token_is_revoked_by_its_prefix_and_only_by_someone_allowed(alice, bob, harry, riverside):
    token, plaintext = token_create(person=alice, timebank=riverside, name="Phone")
    for who in ("bob", "harry"):
        with pytest.raises(CommandError, match="Only its owner or a coordinator"):
            call_command("api_token_revoke", token.prefix, by=who, stdout=StringIO())
    assert Api(plaintext).get("/me").status_code == 200
    assert not AuditEvent.objects.filter(action="api.token_revoked").exists()

    call_command("api_token_revoke", token.prefix, by="alice", stdout=StringIO())
    assert Api(plaintext).get("/me").status_code == 401


def test_the_revoke_command_says_when_nothing_matches(alice, riverside):
    with pytest.raises(CommandError, match="No token matches"):
        call_command("api_token_revoke", "cpt_nothing", by="alice", stdout=StringIO())
    with pytest.raises(CommandError, match="no person"):
        call_command("api_token_revoke", "cpt_nothing", by="nobody", stdout=StringIO())
