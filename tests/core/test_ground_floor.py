"""Core is the ground floor: its tables name a time bank by id, with no foreign key to community,
and keep the column, its values and the index the audit log is read by (core 0004, 0006)."""

from __future__ import annotations

import pytest
from django.db import connection

from coproduce.core.audit import audit_record
from coproduce.core.models import AuditEvent, Notification
from coproduce.core.notifications import notify

pytestmark = pytest.mark.django_db


def _constraints(table: str) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def test_audit_rows_and_notifications_have_no_foreign_key_to_a_time_bank():
    for table in ("core_auditevent", "core_notification"):
        targets = {c["foreign_key"][0] for c in _constraints(table).values() if c["foreign_key"]}
        assert "community_timebank" not in targets
        assert "community_person" in targets  # people are still checked (AUTH_USER_MODEL)


def test_the_audit_log_keeps_its_index_by_time_bank():
    indexed = {tuple(c["columns"]) for c in _constraints("core_auditevent").values() if c["index"]}
    # One index begins with the time bank and serves every look-up by it; the single-column
    # index that repeated it went in core 0006 (issue 17: every posting wrote both).
    assert ("timebank_id", "action", "created_at") in indexed
    assert ("timebank_id",) not in indexed


def test_rows_are_written_and_read_by_time_bank(riverside, carol, alice):
    event = audit_record(action="test.done", actor=carol, timebank_id=riverside.pk)
    note = notify(person=alice, kind="x", message="Hello", timebank=riverside)
    assert AuditEvent.objects.get(pk=event.pk).timebank_id == riverside.pk
    assert Notification.objects.get(pk=note.pk).timebank_id == riverside.pk
