"""Two admins of one organisation removing each other at the same moment: the organisation's row
lock lets one go through, and the other is refused (no longer an admin), so it is never left with
nobody to manage its staff."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from coproduce.community.models import OrganisationStaff
from coproduce.core.errors import Conflict, PermissionDenied
from coproduce.partners.services.organisations import organisation_staff_remove


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one_admin(riverside, surgery, alice, bob):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks and concurrent connections")
    for person in (alice, bob):
        OrganisationStaff.objects.create(
            timebank=riverside, organisation=surgery, person=person, role="admin"
        )
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def remove(acting, person) -> None:
        from django.db import connections

        try:
            barrier.wait()
            organisation_staff_remove(organisation=surgery, acting=acting, person=person)
            outcomes.append("removed")
        except (Conflict, PermissionDenied):
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=remove, args=(alice, bob)),
        threading.Thread(target=remove, args=(bob, alice)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "removed"]
    assert OrganisationStaff.objects.filter(organisation=surgery, role="admin").count() == 1
