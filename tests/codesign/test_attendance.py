"""Coming to a meeting earns time credits: once per member, from the organisation or the chest
as the project says; the organisation's own staff earn nothing; a refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.codesign.attendance import meeting_attendance_record
from coproduce.codesign.models import MeetingAttendance, PaidFrom
from coproduce.codesign.services import meeting_schedule
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import AuditEvent
from coproduce.ledger.accounts import chest_get_or_open, member_account_get_or_open
from coproduce.ledger.models import Transfer, TransferKind
from coproduce.ledger.services import transfer_post
from tests.codesign.conftest import balance_of


def _meeting_transfers():
    return Transfer.objects.filter(kind=TransferKind.MEETING)


def test_members_earn_their_time_from_the_organisation(
    riverside, carol, alice, bob, surgery, meeting
):
    report = meeting_attendance_record(
        acting=carol, meeting=meeting, attendees=[(alice, 120), (bob, 90)]
    )

    assert [a.person for a in report.paid] == [alice, bob]
    assert balance_of(riverside, alice) == 120
    assert balance_of(riverside, bob) == 90
    assert balance_of(riverside, organisation=surgery) == -210
    transfer = MeetingAttendance.objects.get(person=alice).transfer
    assert transfer.kind == TransferKind.MEETING
    assert transfer.occurred_at == meeting.starts_at
    assert transfer.idempotency_key == f"meeting:{meeting.public_id}:attendee:{alice.public_id}"
    assert AuditEvent.objects.filter(action="codesign.attendance_recorded").count() == 1


def test_recording_the_same_attendance_twice_pays_each_member_once(
    riverside, carol, alice, bob, meeting
):
    meeting_attendance_record(acting=carol, meeting=meeting, attendees=[(alice, 120), (bob, 120)])
    again = meeting_attendance_record(
        acting=carol, meeting=meeting, attendees=[(alice, 120), (bob, 120)]
    )

    assert len(again.already) == 2 and not again.paid
    assert _meeting_transfers().count() == 2
    assert balance_of(riverside, alice) == 120
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 2


def test_a_later_list_adds_only_the_people_not_yet_recorded(riverside, carol, alice, bob, meeting):
    meeting_attendance_record(acting=carol, meeting=meeting, attendees=[(alice, 120)])
    report = meeting_attendance_record(
        acting=carol, meeting=meeting, attendees=[(alice, 120), (bob, 60)]
    )

    assert [a.person for a in report.paid] == [bob]
    assert [a.person for a in report.already] == [alice]
    assert _meeting_transfers().count() == 2


def test_the_organisations_own_staff_are_recorded_without_credits(
    riverside, carol, alice, dr_patel, surgery, meeting
):
    before = balance_of(riverside, dr_patel)
    report = meeting_attendance_record(
        acting=carol, meeting=meeting, attendees=[(alice, 120), (dr_patel, 120)]
    )

    assert [a.person for a in report.staff] == [dr_patel]
    attendance = MeetingAttendance.objects.get(person=dr_patel)
    assert attendance.as_staff and attendance.transfer is None
    assert balance_of(riverside, dr_patel) == before
    assert _meeting_transfers().count() == 1


def test_a_professional_of_another_organisation_earns_credits(
    riverside, carol, sam, project, meeting
):
    from coproduce.codesign.services import project_join

    project_join(acting=sam, project=project)
    meeting_attendance_record(acting=carol, meeting=meeting, attendees=[(sam, 60)])

    assert balance_of(riverside, sam) == 60


def test_a_project_paid_from_the_chest_pays_from_the_chest(
    riverside, carol, alice, bob, surgery, meeting
):
    project = meeting.project
    project.meetings_paid_from = PaidFrom.CHEST
    project.save()
    chest = chest_get_or_open(timebank=riverside)
    transfer_post(
        timebank=riverside,
        acting=bob,
        payer=member_account_get_or_open(timebank=riverside, person=bob),
        payee=chest,
        minutes=300,
        kind=TransferKind.GIFT,
    )

    meeting_attendance_record(acting=carol, meeting=meeting, attendees=[(alice, 120)])

    assert balance_of(riverside, chest=True) == 180
    assert balance_of(riverside, alice) == 120
    assert balance_of(riverside, organisation=surgery) == 0


def test_an_empty_chest_refuses_and_nothing_is_half_written(riverside, carol, alice, bob, meeting):
    project = meeting.project
    project.meetings_paid_from = PaidFrom.CHEST
    project.save()
    chest = chest_get_or_open(timebank=riverside)
    transfer_post(
        timebank=riverside,
        acting=bob,
        payer=member_account_get_or_open(timebank=riverside, person=bob),
        payee=chest,
        minutes=120,
        kind=TransferKind.GIFT,
    )

    # alice's two hours could be paid; bob's cannot: the whole list is refused.
    with pytest.raises(ApplicationError) as refused:
        meeting_attendance_record(
            acting=carol, meeting=meeting, attendees=[(alice, 120), (bob, 60)]
        )

    assert "Nothing was recorded" in refused.value.message
    assert "Bob Brown" in refused.value.message
    assert "Community chest" in refused.value.message
    assert not MeetingAttendance.objects.exists()
    assert not _meeting_transfers().exists()
    assert balance_of(riverside, chest=True) == 120
    assert balance_of(riverside, alice) == 0


def test_attendance_cannot_be_recorded_before_the_meeting(riverside, carol, alice, project):
    tomorrow = meeting_schedule(
        acting=carol,
        project=project,
        starts_at=timezone.now() + timedelta(days=1),
        place="Surgery",
    )
    with pytest.raises(Conflict, match="once the meeting has happened"):
        meeting_attendance_record(acting=carol, meeting=tomorrow, attendees=[(alice, 60)])


@pytest.mark.parametrize("minutes", [0, -30, 13 * 60])
def test_impossible_times_are_refused(carol, alice, meeting, minutes):
    with pytest.raises(ApplicationError, match="more than zero and at most 12:00 hours"):
        meeting_attendance_record(acting=carol, meeting=meeting, attendees=[(alice, minutes)])
    assert not MeetingAttendance.objects.exists()


def test_only_people_taking_part_can_be_recorded(carol, sam, meeting):
    with pytest.raises(ApplicationError, match="Sam Okafor is not taking part"):
        meeting_attendance_record(acting=carol, meeting=meeting, attendees=[(sam, 60)])


def test_the_same_person_twice_in_one_list_is_refused(carol, alice, meeting):
    with pytest.raises(ApplicationError, match="on the list twice"):
        meeting_attendance_record(
            acting=carol, meeting=meeting, attendees=[(alice, 60), (alice, 60)]
        )
    assert not _meeting_transfers().exists()


def test_staff_of_the_organisation_may_record_attendance(riverside, dr_patel, alice, meeting):
    meeting_attendance_record(acting=dr_patel, meeting=meeting, attendees=[(alice, 60)])
    assert balance_of(riverside, alice) == 60


@pytest.mark.parametrize("who", ["alice", "sam"])
def test_members_and_other_organisations_cannot_record_attendance(request, who, alice, meeting):
    with pytest.raises(PermissionDenied):
        meeting_attendance_record(
            acting=request.getfixturevalue(who), meeting=meeting, attendees=[(alice, 60)]
        )
    assert not MeetingAttendance.objects.exists()
