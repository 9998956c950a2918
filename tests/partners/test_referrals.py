"""Referrals: consent, the coordinator's steps, induction into membership, the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.community.models import Membership, MembershipStatus
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import AuditEvent, Notification
from coproduce.partners.models import Referral, ReferralEvent, ReferralStatus
from coproduce.partners.services.referrals import (
    referral_induct,
    referral_move,
    referral_notes_view,
)

TODAY = timezone.localdate


def test_dr_patel_refers_edna_and_the_coordinator_is_told(carol, edna):
    assert edna.status == ReferralStatus.RECEIVED
    assert edna.referred_by.username == "dr_patel"
    assert edna.goals == ["less_isolated", "get_out"]
    assert [e.to_status for e in edna.events.all()] == ["received"]
    assert Notification.objects.filter(person=carol, kind="referral_received").count() == 1
    audit = AuditEvent.objects.get(action="referral.created")
    assert audit.data["consent"] == {
        "given_by": "Edna Wright",
        "given_on": TODAY().isoformat(),
        "how": "verbal",
    }
    # The sensitive notes and contact details never reach the audit log.
    assert "Hard of hearing" not in str(audit.data)
    assert "07700" not in str(audit.data)


@pytest.mark.parametrize(
    "overrides",
    [
        {"consent": False},
        {"consent_given_by": "  "},
        {"consent_given_on": None},
        {"consent_how": ""},
    ],
)
def test_no_consent_no_referral_and_nothing_is_written(make_referral, carol, overrides):
    with pytest.raises(ApplicationError) as refused:
        make_referral(**overrides)
    assert "consent" in refused.value.message.lower() or "how" in refused.value.message.lower()
    assert Referral.objects.count() == 0
    assert ReferralEvent.objects.count() == 0
    assert Notification.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="referral.").exists()


def test_consent_cannot_be_dated_in_the_future(make_referral):
    with pytest.raises(ApplicationError, match="future"):
        make_referral(consent_given_on=TODAY() + timedelta(days=1))


def test_a_phone_preference_needs_a_phone_number(make_referral):
    with pytest.raises(ApplicationError, match="phone number"):
        make_referral(phone="")


def test_a_referral_needs_a_goal(make_referral):
    with pytest.raises(ApplicationError, match="goal"):
        make_referral(goals=[], other_goal="")


def test_alice_cannot_refer_anyone(make_referral, alice, surgery):
    with pytest.raises(PermissionDenied):
        make_referral(acting=alice)
    assert Referral.objects.count() == 0


def test_sam_cannot_refer_in_the_surgerys_name(make_referral, sam, surgery):
    with pytest.raises(PermissionDenied):
        make_referral(acting=sam, organisation=surgery)


def test_carol_takes_edna_all_the_way_through(edna, carol, dr_patel):
    today = TODAY()
    referral_move(referral=edna, acting=carol, to_status="contacted", on=today)
    referral_induct(referral=edna, acting=carol, inducted_on=today, notes="Met at home.")
    referral_move(referral=edna, acting=carol, to_status="active", on=today)
    referral_move(referral=edna, acting=carol, to_status="closed", on=today)
    edna.refresh_from_db()
    assert edna.status == ReferralStatus.CLOSED
    assert (edna.contacted_on, edna.inducted_on, edna.active_on, edna.ended_on) == (today,) * 4
    assert [e.to_status for e in edna.events.all()] == [
        "received",
        "contacted",
        "inducted",
        "active",
        "closed",
    ]
    assert all(e.recorded_by_id == carol.pk for e in edna.events.all()[1:])
    # dr_patel hears of each step.
    assert Notification.objects.filter(person=dr_patel, kind="referral_moved").count() == 4


def test_induction_makes_edna_an_active_member(edna, carol):
    referral_move(referral=edna, acting=carol, to_status="contacted", on=TODAY())
    edna = referral_induct(referral=edna, acting=carol, inducted_on=TODAY())
    person = edna.person
    assert person.first_name == "Edna"
    assert person.phone == "07700 900123"
    assert person.username == "edna.wright"
    assert not person.has_usable_password()
    membership = Membership.objects.get(person=person, timebank=edna.timebank)
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.area == "Northbank"
    assert membership.inducted_by == carol
    assert AuditEvent.objects.filter(action="membership.inducted").exists()


def test_a_second_edna_wright_gets_her_own_username(make_referral, carol):
    for referral in (make_referral(), make_referral()):
        referral_move(referral=referral, acting=carol, to_status="contacted", on=TODAY())
        referral_induct(referral=referral, acting=carol, inducted_on=TODAY())
    usernames = sorted(Referral.objects.values_list("person__username", flat=True))
    assert usernames == ["edna.wright", "edna.wright2"]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "active"),
        ([], "closed"),
        (["contacted"], "active"),
        (["declined"], "contacted"),
        (["contacted", "declined"], "unreachable"),
    ],
)
def test_steps_out_of_order_are_refused(edna, carol, path, refused):
    for status in path:
        referral_move(
            referral=edna, acting=carol, to_status=status, on=TODAY(), reason="Said no thanks."
        )
    with pytest.raises(Conflict, match="cannot become"):
        referral_move(referral=edna, acting=carol, to_status=refused, on=TODAY(), reason="x")


def test_induction_before_contact_is_refused(edna, carol):
    with pytest.raises(Conflict):
        referral_induct(referral=edna, acting=carol, inducted_on=TODAY())
    assert not Membership.objects.filter(person__first_name="Edna").exists()


def test_induction_goes_through_its_own_form(edna, carol):
    referral_move(referral=edna, acting=carol, to_status="contacted", on=TODAY())
    with pytest.raises(ApplicationError, match="induction"):
        referral_move(referral=edna, acting=carol, to_status="inducted", on=TODAY())


@pytest.mark.parametrize("status", ["declined", "unreachable"])
def test_declined_and_unreachable_need_a_reason(edna, carol, status):
    with pytest.raises(ApplicationError, match="why"):
        referral_move(referral=edna, acting=carol, to_status=status, on=TODAY())
    edna.refresh_from_db()
    assert edna.status == ReferralStatus.RECEIVED


def test_someone_unreachable_who_calls_back_is_contacted(edna, carol):
    referral_move(
        referral=edna, acting=carol, to_status="unreachable", on=TODAY(), reason="3 calls"
    )
    referral_move(referral=edna, acting=carol, to_status="contacted", on=TODAY())
    edna.refresh_from_db()
    assert edna.status == ReferralStatus.CONTACTED
    assert edna.ended_on is None and edna.end_reason == ""


def test_a_step_cannot_be_dated_in_the_future_or_before_the_referral(edna, carol):
    with pytest.raises(ApplicationError, match="future"):
        referral_move(
            referral=edna, acting=carol, to_status="contacted", on=TODAY() + timedelta(days=1)
        )
    with pytest.raises(ApplicationError, match="before"):
        referral_move(
            referral=edna, acting=carol, to_status="contacted", on=TODAY() - timedelta(days=3)
        )


@pytest.mark.parametrize("who", ["dr_patel", "alice", "harry"])
def test_only_a_coordinator_moves_a_referral(edna, request, who):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        referral_move(referral=edna, acting=person, to_status="contacted", on=TODAY())


def test_reading_the_notes_is_audited_each_time(edna, carol, dr_patel):
    assert referral_notes_view(referral=edna, viewer=carol).startswith("Hard of hearing")
    referral_notes_view(referral=edna, viewer=dr_patel)
    referral_notes_view(referral=edna, viewer=dr_patel)
    views = AuditEvent.objects.filter(
        action="referral.notes_viewed", target=f"referral:{edna.public_id}"
    )
    assert sorted(v.actor.username for v in views) == ["carol", "dr_patel", "dr_patel"]


def test_a_colleague_at_the_surgery_cannot_read_the_notes(edna, riverside, surgery):
    from coproduce.community.models import OrganisationStaff
    from coproduce.core.errors import NotFound
    from tests.conftest import _join, _person

    nurse = _join(riverside, _person("nurse_ola", "Ola", "Ade"), role="professional")
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=surgery, person=nurse, role="professional"
    )
    with pytest.raises(NotFound):
        referral_notes_view(referral=edna, viewer=nurse)
    assert not AuditEvent.objects.filter(action="referral.notes_viewed").exists()
