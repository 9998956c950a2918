"""The demo's council co-design project, built through the same services people use, so its
meetings pay attendance credits through the ledger and every decision has its public response.

`coproduce.demo` calls `codesign_demo_build` once the time bank, its people and organisations
(with their accounts) exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from random import Random
from typing import TYPE_CHECKING

from django.utils import timezone

from coproduce.codesign import attendance, services
from coproduce.codesign.models import PaidFrom, Project, ProposalStatus
from coproduce.ledger.accounts import organisation_account_get_or_open

if TYPE_CHECKING:
    from coproduce.community.models import Organisation, Person, TimeBank

PROPOSALS = [
    (
        "Benches along the route to the library",
        "Many of us cannot walk that far without a rest. A bench every few hundred metres "
        "would let older people get to the library on their own.",
        ProposalStatus.ACCEPTED,
        "You said the walk is too long without a rest. We have put three benches in this "
        "year's budget and will place them where you marked on the map.",
    ),
    (
        "Easy-read letters from the council",
        "Letters about bins and council tax are hard to follow. Could they come in easy read, "
        "with pictures, for people who ask?",
        ProposalStatus.ACCEPTED,
        "You said our letters are hard to read. Members of the project will test easy-read "
        "versions with us, and anyone can ask for them from the spring.",
    ),
    (
        "Open the community centre on Sunday afternoons",
        "Sundays are the loneliest day. Keep the centre open from 2 till 5 for tea and games.",
        ProposalStatus.NOT_TAKEN_UP,
        "We heard how lonely Sundays can be. We cannot staff the centre on Sundays this year; "
        "instead we will fund the time bank's Sunday tea at the library, and look again in "
        "the next budget.",
    ),
    (
        "A phone number that a person answers",
        "Pressing buttons on the phone menu is too hard for some of us. One number, answered "
        "by a person, in the mornings.",
        ProposalStatus.UNDER_CONSIDERATION,
        "We are costing this with the contact centre and will report back at the next meeting.",
    ),
    (
        "Bigger print on bus stop timetables",
        "The timetables at the stops on the high street are too small to read.",
        ProposalStatus.OPEN,
        "",
    ),
]
COMMENTS = [
    "Yes, my mum would use this.",
    "Could we try it for three months first?",
    "I agree, and it would help people with pushchairs too.",
    "Happy to help test it.",
]


@dataclass(frozen=True)
class CodesignDemo:
    project: Project
    meetings: int
    attendances_paid: int
    proposals: int


def _attendees(
    rng: Random, people: Sequence[Person], room: int, minutes: int
) -> list[tuple[Person, int]]:
    """As many people as the organisation's account can still pay for (it has a limit)."""
    chosen = []
    for person in rng.sample(list(people), k=min(len(people), 6)):
        if room < minutes:
            break
        chosen.append((person, minutes))
        room -= minutes
    return chosen


def codesign_demo_build(
    *,
    timebank: TimeBank,
    rng: Random,
    carol: Person,
    council_org: Organisation,
    sam: Person,
    members: Sequence[Person],
) -> CodesignDemo:
    """Build "Getting around Old Town": phases, two past meetings with attendance credits paid by
    the council and minutes, one coming meeting, and proposals at every status (two accepted
    with progress, one not taken up with a member's dissent).

    Needs: the time bank; the demo's Random; carol, an active coordinator; the council, an
    organisation of this time bank; sam, an active member who is an admin of the council
    (OrganisationStaff role admin); and at least four active members who are not council staff.
    Attendance credits come from the council's account, never past its limit.
    """
    now = timezone.now()
    today = timezone.localdate()
    people = [person for person in members if person != sam]
    project = services.project_create(
        acting=sam,
        timebank=timebank,
        organisation=council_org,
        title="Getting around Old Town",
        question="How should the council help people who find it hard to get around town?",
        description="Residents, carers and council staff planning the next year's changes "
        "together. Everyone's ideas count the same.",
        meetings_paid_from=PaidFrom.ORGANISATION,
    )
    services.project_join(acting=carol, project=project)
    for person in people:
        services.project_join(acting=person, project=project)
    for name, start, end in (
        ("Listening: what gets in the way", -70, -36),
        ("Ideas and choosing", -35, 20),
        ("Trying changes out", 21, 120),
    ):
        services.phase_add(
            acting=sam,
            project=project,
            name=name,
            starts_on=today + timedelta(days=start),
            ends_on=today + timedelta(days=end),
        )

    paid = 0
    account = organisation_account_get_or_open(organisation=council_org)
    for weeks_ago, minutes_text in (
        (8, "We walked the route to the library together and marked where people need a rest."),
        (3, "We went through the proposals. The council answered each one; see their pages."),
    ):
        meeting = services.meeting_schedule(
            acting=sam,
            project=project,
            starts_at=(now - timedelta(weeks=weeks_ago)).replace(
                hour=14, minute=0, second=0, microsecond=0
            ),
            place="Old Town Community Centre, small hall",
            agenda="Welcome and tea\nWhat gets in the way\nIdeas\nWhat happens next",
            planned_minutes=120,
        )
        account.refresh_from_db(fields=["balance", "min_balance"])
        attendees = _attendees(rng, people, account.balance - account.min_balance, 120)
        if attendees:
            report = attendance.meeting_attendance_record(
                acting=sam, meeting=meeting, attendees=[*attendees, (sam, 120)]
            )
            paid += len(report.paid)
        services.meeting_minutes_write(acting=sam, meeting=meeting, text=minutes_text)
    services.meeting_schedule(
        acting=sam,
        project=project,
        starts_at=(now + timedelta(weeks=2)).replace(hour=14, minute=0, second=0, microsecond=0),
        place="Old Town Library, meeting room",
        agenda="Progress on the benches\nTesting easy-read letters",
        planned_minutes=90,
    )

    for title, text, status, response in PROPOSALS:
        author = rng.choice(people)
        proposal = services.proposal_submit(acting=author, project=project, title=title, text=text)
        for comment in rng.sample(COMMENTS, k=2):
            commenter = rng.choice([p for p in people if p != author] or people)
            services.proposal_comment(acting=commenter, proposal=proposal, text=comment)
        if status == ProposalStatus.OPEN:
            continue
        services.proposal_status_change(
            acting=sam,
            proposal=proposal,
            to_status=ProposalStatus.UNDER_CONSIDERATION,
            response=response if status == ProposalStatus.UNDER_CONSIDERATION else "",
        )
        if status == ProposalStatus.UNDER_CONSIDERATION:
            continue
        services.proposal_status_change(
            acting=sam, proposal=proposal, to_status=status, response=response
        )
        if status == ProposalStatus.ACCEPTED:
            services.progress_add(
                acting=sam, proposal=proposal, text="Agreed with the project group."
            )
            milestone = services.progress_add(
                acting=carol,
                proposal=proposal,
                text="First part in place",
                is_milestone=True,
                milestone_on=today - timedelta(days=7),
            )
            services.milestone_mark_done(acting=sam, update=milestone)
            services.progress_add(
                acting=sam,
                proposal=proposal,
                text="Finished",
                is_milestone=True,
                milestone_on=today + timedelta(days=60),
            )
        else:
            services.dissent_record(
                acting=author,
                proposal=proposal,
                text="The library is not the same: it closes at four and has no kitchen. "
                "Please look at this again.",
            )
    return CodesignDemo(
        project=project, meetings=3, attendances_paid=paid, proposals=len(PROPOSALS)
    )
