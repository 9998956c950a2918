"""community.permissions, the one place that says who may do what in a time bank: carol
coordinates Riverside, harry Hillside; alice and bob are members; dr_patel is a GP on Riverside
Surgery's staff; a paused and a departed coordinator coordinate nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStaff,
    Person,
    Role,
    StaffRole,
)
from coproduce.community.permissions import (
    coordinated_memberships,
    coordinators_of,
    gives_to_chest_only,
    is_active_professional,
    is_coordinator,
    is_staff_of,
    member_get_by_reference,
    member_get_by_username,
    membership_is_coordinator,
    organisation_role,
    organisations_administered,
    require_coordinator,
    staff_organisation_ids,
    staff_person_ids,
    standing_in,
)
from coproduce.core.errors import PermissionDenied


def _surgery(riverside) -> Organisation:
    return Organisation.objects.get(timebank=riverside, slug="riverside-surgery")


def _with(riverside, username: str, *, role: str, status: str) -> Person:
    person = Person.objects.create_user(username=username, first_name=username.title())
    Membership.objects.create(timebank=riverside, person=person, role=role, status=status)
    return person


@pytest.fixture
def paused_coordinator(riverside) -> Person:
    return _with(riverside, "paula", role=Role.COORDINATOR, status=MembershipStatus.PAUSED)


@pytest.fixture
def former_coordinator(riverside) -> Person:
    return _with(riverside, "fred", role=Role.COORDINATOR, status=MembershipStatus.LEFT)


@pytest.fixture
def admin(riverside) -> Person:
    """Riverside's administrator: coordinates as a coordinator does."""
    return _with(riverside, "ada", role=Role.ADMIN, status=MembershipStatus.ACTIVE)


@pytest.fixture
def org_admin(riverside, dr_patel) -> Person:
    """The surgery's practice manager, its organisation admin, a plain member of the bank."""
    person = _with(riverside, "olive", role=Role.MEMBER, status=MembershipStatus.ACTIVE)
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=_surgery(riverside), person=person, role=StaffRole.ADMIN
    )
    return person


def test_only_active_coordinators_and_administrators_coordinate(
    riverside,
    hillside,
    carol,
    alice,
    dr_patel,
    harry,
    paused_coordinator,
    former_coordinator,
    admin,
):
    assert is_coordinator(person=carol, timebank=riverside)
    assert is_coordinator(person=admin, timebank=riverside)
    assert is_coordinator(person=carol, timebank=riverside.pk)
    assert is_coordinator(person=harry, timebank=hillside)
    for someone in (alice, dr_patel, harry, paused_coordinator, former_coordinator):
        assert not is_coordinator(person=someone, timebank=riverside), someone
    assert not is_coordinator(person=carol, timebank=hillside)
    assert not is_coordinator(person=None, timebank=riverside)
    assert not is_coordinator(person=AnonymousUser(), timebank=riverside)


def test_the_same_rule_reads_a_membership_in_hand(riverside, carol, alice, paused_coordinator):
    def membership(person: Person) -> Membership:
        return Membership.objects.get(person=person, timebank=riverside)

    assert membership_is_coordinator(membership(carol))
    assert not membership_is_coordinator(membership(alice))
    assert not membership_is_coordinator(membership(paused_coordinator))
    assert not membership_is_coordinator(None)


def test_require_coordinator_refuses_with_one_code_and_the_callers_message(
    riverside, carol, alice, harry
):
    require_coordinator(person=carol, timebank=riverside)
    with pytest.raises(PermissionDenied) as refused:
        require_coordinator(person=alice, timebank=riverside)
    assert refused.value.code == "coordinator_only"
    assert refused.value.message == "Only a coordinator of this time bank can do that."
    with pytest.raises(PermissionDenied) as refused:
        require_coordinator(person=harry, timebank=riverside, message="Only a coordinator grants.")
    assert refused.value.code == "coordinator_only"
    assert refused.value.message == "Only a coordinator grants."


def test_coordinators_of_lists_todays_coordinators_in_name_order(
    riverside, hillside, carol, alice, harry, paused_coordinator, former_coordinator, admin
):
    assert list(coordinators_of(riverside)) == [admin, carol]
    assert list(coordinators_of(hillside)) == [harry]


def test_coordinated_memberships_are_the_banks_whose_reports_one_reads(
    riverside, hillside, carol, alice, harry
):
    Membership.objects.create(
        timebank=hillside, person=carol, role=Role.COORDINATOR, status=MembershipStatus.ACTIVE
    )
    assert [m.timebank for m in coordinated_memberships(carol)] == [hillside, riverside]
    assert coordinated_memberships(alice) == []


def test_a_member_is_found_by_username_whatever_the_capitals_but_not_after_leaving(
    riverside, hillside, alice, harry, paused_coordinator, former_coordinator
):
    assert member_get_by_username(timebank=riverside, username="  ALICE ") == alice
    assert member_get_by_username(timebank=riverside, username="paula") == paused_coordinator
    assert member_get_by_username(timebank=riverside, username="fred") is None
    assert member_get_by_username(timebank=riverside, username="harry") is None
    assert member_get_by_username(timebank=hillside, username="alice") is None


def test_left_elsewhere_does_not_hide_a_member_here(riverside, hillside, alice):
    Membership.objects.create(
        timebank=hillside, person=alice, role=Role.MEMBER, status=MembershipStatus.LEFT
    )
    assert member_get_by_username(timebank=riverside, username="alice") == alice
    assert member_get_by_username(timebank=hillside, username="alice") is None


def test_a_member_is_found_by_public_id_or_username(riverside, alice, harry, former_coordinator):
    assert member_get_by_reference(timebank=riverside, reference=str(alice.public_id)) == alice
    assert member_get_by_reference(timebank=riverside, reference=" Alice") == alice
    assert member_get_by_reference(timebank=riverside, reference=str(harry.public_id)) is None
    assert (
        member_get_by_reference(timebank=riverside, reference=str(former_coordinator.public_id))
        is None
    )
    assert member_get_by_reference(timebank=riverside, reference="  ") is None


def test_organisation_roles(riverside, alice, dr_patel, org_admin):
    surgery = _surgery(riverside)
    assert organisation_role(person=dr_patel, organisation=surgery) == StaffRole.PROFESSIONAL
    assert organisation_role(person=org_admin, organisation=surgery.pk) == StaffRole.ADMIN
    assert organisation_role(person=alice, organisation=surgery) is None
    assert is_staff_of(person=dr_patel, organisation=surgery)
    assert is_staff_of(person=org_admin, organisation=surgery.pk)
    assert not is_staff_of(person=alice, organisation=surgery)
    assert staff_organisation_ids(person=dr_patel, timebank=riverside) == {surgery.pk}
    assert staff_organisation_ids(person=alice, timebank=riverside) == set()
    assert staff_person_ids(organisation_id=surgery.pk) == {dr_patel.pk, org_admin.pk}
    assert list(organisations_administered(person=org_admin, timebank=riverside)) == [surgery]
    assert list(organisations_administered(person=dr_patel, timebank=riverside)) == []


def test_professionals_give_to_the_chest_and_see_the_partners_pages(riverside, alice, dr_patel):
    patel = Membership.objects.get(person=dr_patel, timebank=riverside)
    assert gives_to_chest_only(patel) and is_active_professional(patel)
    mine = Membership.objects.get(person=alice, timebank=riverside)
    assert not gives_to_chest_only(mine) and not is_active_professional(mine)
    patel.status = MembershipStatus.PAUSED
    assert not is_active_professional(patel)


def test_standing_in_a_time_bank(
    riverside, hillside, carol, alice, dr_patel, harry, org_admin, former_coordinator
):
    surgery = _surgery(riverside)
    assert standing_in(person=carol, timebank=riverside).is_coordinator
    alices = standing_in(person=alice, timebank=riverside)
    assert alices.is_member and alices.is_inducted and alices.can_trade
    assert not alices.is_coordinator and not alices.refers
    patels = standing_in(person=dr_patel, timebank=riverside)
    assert patels.refers and patels.is_staff_of(surgery.pk) and not patels.is_admin_of(surgery.pk)
    assert standing_in(person=org_admin, timebank=riverside).is_admin_of(surgery.pk)
    for nobody in (
        standing_in(person=harry, timebank=riverside),
        standing_in(person=former_coordinator, timebank=riverside),
        standing_in(person=AnonymousUser(), timebank=riverside),
        standing_in(person=alice, timebank=None),
    ):
        assert nobody.membership is None and not nobody.is_member and not nobody.is_coordinator


def test_an_applicant_belongs_but_is_not_inducted(riverside):
    applicant = _with(riverside, "amy", role=Role.MEMBER, status=MembershipStatus.APPLIED)
    standing = standing_in(person=applicant, timebank=riverside)
    assert standing.is_member and not standing.is_inducted and not standing.can_trade
