"""The demo's council project is built through the real services."""

from __future__ import annotations

from random import Random

from coproduce.codesign.models import Dissent, MeetingAttendance, ProposalStatus
from coproduce.community.models import Organisation, OrganisationStaff
from coproduce.demo.codesign import codesign_demo_build
from coproduce.ledger.models import Transfer, TransferKind
from tests.conftest import _join, _person


def test_the_demo_builds_a_council_project_at_every_stage(riverside, carol, alice, bob, sam):
    council = Organisation.objects.get(slug="riverside-council")
    OrganisationStaff.objects.filter(person=sam).update(role="admin")
    members = [alice, bob, *(_join(riverside, _person(f"m{n}", "M", str(n))) for n in range(4))]

    demo = codesign_demo_build(
        timebank=riverside,
        rng=Random(3),
        carol=carol,
        council_org=council,
        sam=sam,
        members=[sam, *members],
    )

    project = demo.project
    assert project.organisation == council
    assert project.phases.count() == 3 and project.meetings.count() == 3
    statuses = set(project.proposals.values_list("status", flat=True))
    assert statuses == set(ProposalStatus.values)
    paid = MeetingAttendance.objects.filter(transfer__isnull=False)
    assert paid.count() == demo.attendances_paid > 0
    assert Transfer.objects.filter(kind=TransferKind.MEETING).count() == demo.attendances_paid
    # sam was there in his paid job, at both past meetings.
    assert MeetingAttendance.objects.filter(person=sam, as_staff=True).count() == 2
    assert Dissent.objects.filter(proposal__status=ProposalStatus.NOT_TAKEN_UP).count() == 1
