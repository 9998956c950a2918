"""Carol changes a member's role, status and account limits; limits need a reason and are
audited with their old and new values."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership, MembershipStatus
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import AuditEvent
from coproduce.ledger.limits import account_limits_set
from coproduce.ledger.models import Account
from tests.conftest import _person


def _edit(client, person, **data):
    form = {"role": "member", "status": "active", "min_balance": "-10", "max_balance": ""}
    return client.post(f"/members/{person.public_id}/edit/", {**form, **data})


def test_the_form_shows_the_current_limits_in_hours(login, carol, alice):
    content = login(carol).get(f"/members/{alice.public_id}/edit/").content.decode()
    assert 'name="min_balance" value="-10"' in content


def test_carol_pauses_bob_without_touching_his_limits(login, carol, bob):
    response = _edit(login(carol), bob, status="paused")
    assert response.status_code == 302
    assert Membership.objects.get(person=bob).status == MembershipStatus.PAUSED
    event = AuditEvent.objects.get(action="membership.updated")
    assert event.data == {
        "old": {"role": "member", "status": "active"},
        "new": {"role": "member", "status": "paused"},
    }
    assert not AuditEvent.objects.filter(action="ledger.limits_set").exists()


def test_carol_widens_alices_limits_with_a_reason(login, carol, alice):
    response = _edit(
        login(carol), alice, min_balance="-20", max_balance="40:30", reason="Long illness"
    )
    assert response.status_code == 302
    account = Account.objects.get(person=alice)
    assert (account.min_balance, account.max_balance) == (-20 * 60, 40 * 60 + 30)
    event = AuditEvent.objects.get(action="ledger.limits_set")
    assert event.data == {
        "old": {"min_balance": -600, "max_balance": None},
        "new": {"min_balance": -1200, "max_balance": 2430},
        "reason": "Long illness",
    }
    assert event.actor == carol


def test_changing_limits_without_a_reason_is_refused_on_the_form(login, carol, alice):
    response = _edit(login(carol), alice, min_balance="-20")
    assert response.status_code == 200
    assert b'id="id_reason_error"' in response.content
    assert Account.objects.get(person=alice).min_balance == -600


def test_a_maximum_below_the_minimum_is_refused(login, carol, alice):
    response = _edit(login(carol), alice, max_balance="-12", reason="x")
    assert b"must not be below the lowest" in response.content


def test_limits_that_are_not_a_length_of_time_are_a_message(login, carol, alice):
    response = _edit(login(carol), alice, min_balance="lots", reason="x")
    assert response.status_code == 200
    assert b"is not a length of time" in response.content


def test_a_positive_lowest_balance_is_refused_with_a_hint(login, carol, alice):
    response = _edit(login(carol), alice, min_balance="10", reason="typo")
    assert b"write -10" in response.content
    assert Account.objects.get(person=alice).min_balance == -600


def test_editing_opens_the_account_of_someone_who_has_none(login, carol, riverside):
    newbie = _person("newbie", "Newbie", "Jones")
    Membership.objects.create(timebank=riverside, person=newbie, status="active")
    response = _edit(login(carol), newbie, min_balance="-5", reason="New member, go gently")
    assert response.status_code == 302
    assert Account.objects.get(person=newbie).min_balance == -300


def test_the_last_coordinator_cannot_step_down(login, carol):
    response = _edit(login(carol), carol, role="member")
    assert b"needs at least one active coordinator" in response.content
    assert Membership.objects.get(person=carol).role == "coordinator"


def test_an_applicant_is_welcomed_through_the_induction_not_here(login, carol, dora):
    response = _edit(login(carol), dora, status="active")
    assert b"record the induction" in response.content
    assert Membership.objects.get(person=dora).status == MembershipStatus.APPLIED


def test_limits_service_needs_a_coordinator(riverside, alice, bob):
    with pytest.raises(PermissionDenied):
        account_limits_set(
            account=Account.objects.get(person=alice),
            min_balance=-6000,
            max_balance=None,
            acting=bob,
            reason="I would like more",
        )


def test_limits_service_needs_a_reason_and_order(riverside, carol, alice):
    account = Account.objects.get(person=alice)
    with pytest.raises(ApplicationError, match="Say why"):
        account_limits_set(
            account=account, min_balance=-1200, max_balance=None, acting=carol, reason=" "
        )
    with pytest.raises(ApplicationError, match="must not be below"):
        account_limits_set(
            account=account, min_balance=-600, max_balance=-700, acting=carol, reason="x"
        )
    account.refresh_from_db()
    assert (account.min_balance, account.max_balance) == (-600, None)


def test_harrys_coordinator_role_does_not_reach_riversides_accounts(riverside, alice, harry):
    with pytest.raises(PermissionDenied):
        account_limits_set(
            account=Account.objects.get(person=alice),
            min_balance=-1200,
            max_balance=None,
            acting=harry,
            reason="x",
        )


def test_unchanged_limits_write_nothing(riverside, carol, alice):
    account = account_limits_set(
        account=Account.objects.get(person=alice),
        min_balance=-600,
        max_balance=None,
        acting=carol,
        reason="",
    )
    assert account.min_balance == -600
    assert not AuditEvent.objects.filter(action="ledger.limits_set").exists()


def test_a_tightened_limit_takes_effect_on_the_next_transfer(riverside, carol, alice, bob):
    from coproduce.ledger.services import LedgerError, transfer_post

    alice_account = Account.objects.get(person=alice)
    account_limits_set(
        account=alice_account, min_balance=-60, max_balance=None, acting=carol, reason="Trial"
    )
    with pytest.raises(LedgerError, match="below its limit"):
        transfer_post(
            timebank=riverside,
            acting=carol,
            payer=alice_account,
            payee=Account.objects.get(person=bob),
            minutes=90,
        )


def test_a_conflict_from_the_service_is_shown_on_the_form(login, carol, alice, monkeypatch):
    from coproduce.community import services

    def refuse(**kwargs):
        raise Conflict("Someone else changed this membership a moment ago.")

    monkeypatch.setattr(services, "membership_update", refuse)
    response = _edit(login(carol), alice, role="coordinator")
    assert response.status_code == 200
    assert b"Someone else changed this membership" in response.content
