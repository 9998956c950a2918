"""Reading contact details is audited like a write: carol downloading the members list, opening
bob's profile, the applications page or dora's induction each leaves exactly one row naming
her, Riverside and whom (or which page) she looked at; alice reading bob's public profile, and
carol reading her own, leave none."""

from __future__ import annotations

import csv
import io

import pytest

from coproduce.community.contact_reads import CONTACT_VIEWED, MEMBERS_EXPORTED
from coproduce.core.models import AuditEvent


@pytest.fixture
def riverside_people(alice, bob, carol, dr_patel, dora, harry):
    return alice, bob, carol, dora


def reads() -> int:
    return AuditEvent.objects.filter(action__in=[MEMBERS_EXPORTED, CONTACT_VIEWED]).count()


def only_row(**match) -> AuditEvent:
    rows = list(AuditEvent.objects.filter(**match))
    assert len(rows) == 1, rows
    return rows[0]


def test_downloading_the_members_list_leaves_one_row(login, riverside, riverside_people):
    _alice, _bob, carol, _dora = riverside_people
    response = login(carol).get("/members/export.csv", {"status": "active"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert reads() == 1
    row = only_row(action=MEMBERS_EXPORTED)
    assert (row.actor, row.timebank_id) == (carol, riverside.pk)
    assert row.data == {"filters": {"status": "active"}, "rows": len(rows) - 1}


def test_carol_opening_bobs_profile_leaves_one_row_naming_him(login, riverside, riverside_people):
    _alice, bob, carol, _dora = riverside_people
    page = login(carol).get(f"/people/{bob.public_id}/")
    assert "Email address" in page.content.decode()
    row = only_row(action=CONTACT_VIEWED)
    assert (row.actor, row.timebank_id, row.target) == (
        carol,
        riverside.pk,
        f"person:{bob.public_id}",
    )
    assert row.data == {"page": "community:profile"}


def test_the_applications_page_leaves_one_row_naming_the_page(login, riverside, riverside_people):
    _alice, _bob, carol, dora = riverside_people
    page = login(carol).get("/members/applications/")
    assert "07700 900123" in page.content.decode()
    row = only_row(action=CONTACT_VIEWED)
    assert (row.actor, row.timebank_id, row.target) == (
        carol,
        riverside.pk,
        "page:members:applications",
    )
    assert row.data == {"people": [str(dora.public_id)]}


def test_doras_induction_page_leaves_one_row_naming_her(login, riverside, riverside_people):
    _alice, _bob, carol, dora = riverside_people
    page = login(carol).get(f"/members/{dora.public_id}/induct/")
    assert "07700 900123" in page.content.decode()
    row = only_row(action=CONTACT_VIEWED)
    assert (row.actor, row.target) == (carol, f"person:{dora.public_id}")


def test_alice_reading_bobs_public_profile_leaves_no_row(login, riverside_people):
    alice, bob, _carol, _dora = riverside_people
    before = AuditEvent.objects.count()
    page = login(alice).get(f"/people/{bob.public_id}/")
    assert page.status_code == 200
    assert "Email address" not in page.content.decode()
    assert AuditEvent.objects.count() == before


def test_carol_reading_her_own_profile_leaves_no_row(login, riverside_people):
    _alice, _bob, carol, _dora = riverside_people
    before = AuditEvent.objects.count()
    assert login(carol).get(f"/people/{carol.public_id}/").status_code == 200
    assert AuditEvent.objects.count() == before


def test_the_members_list_without_contact_columns_leaves_no_row(login, riverside_people):
    _alice, _bob, carol, _dora = riverside_people
    before = AuditEvent.objects.count()
    page = login(carol).get("/members/")
    assert page.status_code == 200
    assert "Email address" not in page.content.decode()
    assert AuditEvent.objects.count() == before


def test_a_refused_export_leaves_no_row(login, riverside_people):
    alice, *_others = riverside_people
    before = AuditEvent.objects.count()
    assert login(alice).get("/members/export.csv").status_code == 404
    assert AuditEvent.objects.count() == before
