"""The people area's cast, on top of the shared one (tests/conftest.py): dora, a newcomer who
applies to Riverside and waits for carol to meet her."""

from __future__ import annotations

import pytest

from coproduce.community.models import ContactPreference, Membership, MembershipStatus
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
