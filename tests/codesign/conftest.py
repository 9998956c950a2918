"""The story for co-design: Riverside Surgery (dr_patel works there) asks its patients how the
waiting room should work. carol coordinates; alice and bob take part; sam is a professional at
the council, another organisation in the same time bank; harry is from another time bank."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import _join, _person


@pytest.fixture
def surgery(dr_patel):
    from coproduce.community.models import Organisation

    return Organisation.objects.get(slug="riverside-surgery")


@pytest.fixture
def sam(riverside):
    """A professional at Riverside Council: same time bank, another organisation."""
    from coproduce.community.models import Organisation, OrganisationStaff

    person = _join(riverside, _person("sam", "Sam", "Okafor"), role="professional")
    council = Organisation.objects.create(
        timebank=riverside, slug="riverside-council", name="Riverside Council", kind="council"
    )
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=council, person=person, role="professional"
    )
    return person


@pytest.fixture
def project(riverside, carol, surgery, alice, bob, dr_patel):
    """The waiting-room project: carol started it, alice, bob and dr_patel take part."""
    from coproduce.codesign.services import project_create, project_join

    project = project_create(
        acting=carol,
        timebank=riverside,
        organisation=surgery,
        title="Our waiting room",
        question="How should the surgery's waiting room work?",
    )
    for person in (alice, bob, dr_patel):
        project_join(acting=person, project=project)
    return project


@pytest.fixture
def meeting(project, carol):
    """Last week's meeting, two hours long."""
    from coproduce.codesign.services import meeting_schedule

    return meeting_schedule(
        acting=carol,
        project=project,
        starts_at=timezone.now() - timedelta(days=7),
        place="Surgery community room",
        agenda="Welcome; what works and what does not",
        planned_minutes=120,
    )


@pytest.fixture
def proposal(project, alice):
    from coproduce.codesign.services import proposal_submit

    return proposal_submit(
        acting=alice,
        project=project,
        title="A quiet corner",
        text="Some of us find the noise hard. Could there be a quiet corner?",
    )


def balance_of(timebank, person=None, organisation=None, chest=False) -> int:
    from coproduce.ledger.models import Account

    if chest:
        return Account.objects.get(timebank=timebank, kind="chest").balance
    if organisation is not None:
        return Account.objects.get(organisation=organisation, kind="organisation").balance
    return Account.objects.get(timebank=timebank, person=person, kind="member").balance
