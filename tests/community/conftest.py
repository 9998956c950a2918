"""The people area's cast, on top of the shared one (tests/conftest.py): dora, a newcomer who
applies to Riverside and waits for carol to meet her; ezra, who came in with carol's old
spreadsheet and has no password yet; dave, Riverside's second coordinator; and harry (Hillside's
coordinator) once he has applied to Riverside too."""

from __future__ import annotations

from pathlib import Path

import pytest

from coproduce.community import services
from coproduce.community.models import (
    ContactPreference,
    Membership,
    MembershipStatus,
    Person,
    Role,
)
from coproduce.portability.members import members_import
from tests.conftest import _person


@pytest.fixture
def dora(riverside, carol):
    """A neighbour who has applied to Riverside but not yet met the coordinator."""
    person = _person("dora", "Dora", "Davies")
    person.phone = "07700 900123"
    person.contact_preference = ContactPreference.THROUGH_COORDINATOR
    person.gives = "Baking, and a listening ear"
    person.needs = "Someone to change a light bulb"
    person.save()
    Membership.objects.create(
        timebank=riverside,
        person=person,
        status=MembershipStatus.APPLIED,
        area="Southbank",
        application_note="Please call after 10am",
    )
    return person


@pytest.fixture
def ezra(riverside, carol, tmp_path: Path) -> Person:
    """Imported from carol's old spreadsheet: no password, no email, no phone, never signed in."""
    sheet = tmp_path / "members.csv"
    sheet.write_text("username,first_name,last_name\nezra,Ezra,Eze\n")
    result = members_import(timebank=riverside, path=sheet)
    assert not result.problems
    return Person.objects.get(username="ezra")


@pytest.fixture
def harry_applies_to_riverside(riverside, harry) -> Person:
    """Hillside's coordinator applies to join Riverside as well."""
    services.membership_apply(
        timebank=riverside, person=harry, first_name="Harry", email="harry@example.org"
    )
    return harry


@pytest.fixture
def dave(riverside) -> Person:
    """Riverside's second coordinator, carol's colleague."""
    person = _person("dave", "Dave", "Dunn")
    Membership.objects.create(
        timebank=riverside, person=person, role=Role.COORDINATOR, status=MembershipStatus.ACTIVE
    )
    return person
