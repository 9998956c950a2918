"""Organisations as members: created by the coordinator, staffed, limited, and their hours."""

from __future__ import annotations

import pytest

from coproduce.community.models import Organisation, OrganisationStaff
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import AuditEvent
from coproduce.exchanges.services.disputes import exchange_reverse
from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_confirm,
    exchange_mark_done,
    exchange_propose,
)
from coproduce.ledger.models import Account
from coproduce.partners import selectors
from coproduce.partners.services.organisations import (
    organisation_create,
    organisation_limits_set,
    organisation_staff_add,
    organisation_update,
)


def test_carol_welcomes_a_charity_with_its_own_account(riverside, carol):
    org = organisation_create(
        timebank=riverside, acting=carol, name="Age Concern Riverside", kind="charity"
    )
    assert org.slug == "age-concern-riverside"
    account = Account.objects.get(organisation=org, kind="organisation")
    assert account.min_balance == -20 * 60
    assert AuditEvent.objects.filter(action="organisation.created").count() == 1


def test_the_same_name_twice_is_refused(riverside, carol, surgery):
    with pytest.raises(Conflict):
        organisation_create(
            timebank=riverside, acting=carol, name="riverside surgery", kind="gp_practice"
        )


def test_alice_cannot_create_an_organisation(riverside, alice):
    with pytest.raises(PermissionDenied):
        organisation_create(timebank=riverside, acting=alice, name="X", kind="charity")
    assert not Organisation.objects.exists()


def test_carol_adds_staff_and_changes_their_role(surgery, carol, alice):
    organisation_staff_add(organisation=surgery, acting=carol, person=alice, role="admin")
    organisation_staff_add(organisation=surgery, acting=carol, person=alice, role="professional")
    assert OrganisationStaff.objects.get(organisation=surgery, person=alice).role == "professional"
    assert AuditEvent.objects.filter(action="organisation.staff_set").count() == 2


def test_harry_cannot_join_riversides_surgery_staff(surgery, carol, harry):
    with pytest.raises(ApplicationError, match="member of this time bank"):
        organisation_staff_add(
            organisation=surgery, acting=carol, person=harry, role="professional"
        )


def test_carol_sets_the_surgerys_limits(surgery, carol):
    account = organisation_limits_set(
        organisation=surgery,
        acting=carol,
        min_balance=-40 * 60,
        max_balance=None,
        reason="Runs weekly groups",
    )
    assert account.min_balance == -2400
    assert AuditEvent.objects.filter(action="ledger.limits_set").exists()


def test_dr_patel_cannot_set_his_own_limits(surgery, dr_patel):
    with pytest.raises(PermissionDenied):
        organisation_limits_set(
            organisation=surgery, acting=dr_patel, min_balance=-6000, max_balance=None, reason="x"
        )


def test_only_an_org_admin_or_coordinator_edits_the_description(council, sam, surgery, dr_patel):
    organisation_update(organisation=council, acting=sam, description="Libraries.")
    council.refresh_from_db()
    assert council.description == "Libraries."
    with pytest.raises(PermissionDenied):
        organisation_update(organisation=surgery, acting=dr_patel, description="Hi")
    with pytest.raises(PermissionDenied):
        organisation_update(organisation=surgery, acting=sam, description="Hi")


def _volunteer(timebank, member, organisation, staff, minutes):
    """`member` gives the organisation `minutes` of help; a member of its `staff` agrees and
    confirms for it."""
    exchange = exchange_propose(
        timebank=timebank,
        acting=member,
        providers=[member],
        receivers=[organisation],
        title="Help at reception",
        category="civic",
        expected_minutes=minutes,
    )
    exchange_agree(exchange=exchange, acting=staff)
    exchange_mark_done(exchange=exchange, acting=member, actual_minutes=minutes)
    exchange_confirm(exchange=exchange, acting=staff)
    return exchange


def test_the_hours_members_gave_the_surgery_and_received_from_it(
    riverside, surgery, dr_patel, alice, bob, carol
):
    # alice volunteers 2 hours at the surgery; dr_patel confirms for it.
    _volunteer(riverside, alice, surgery, dr_patel, 120)
    # bob volunteers 1 hour, later reversed by carol: it does not count.
    wrong = _volunteer(riverside, bob, surgery, dr_patel, 60)
    exchange_reverse(exchange=wrong, acting=carol, reason="Logged twice")
    hours = selectors.organisation_hours(surgery)
    assert hours["given_to_it"] == 120
    assert hours["received_from_it"] == 0


def test_the_surgery_gives_back_a_health_walk(riverside, surgery, dr_patel, alice):
    exchange = exchange_propose(
        timebank=riverside,
        acting=alice,
        providers=[surgery],
        receivers=[alice],
        title="Health walk",
        category="health",
        expected_minutes=90,
    )
    exchange_agree(exchange=exchange, acting=dr_patel)
    exchange_mark_done(exchange=exchange, acting=dr_patel, actual_minutes=90)
    exchange_confirm(exchange=exchange, acting=alice)
    assert selectors.organisation_hours(surgery)["received_from_it"] == 90
