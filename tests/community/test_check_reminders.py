"""Reminders before checks expire (`coproduce manage remind_expiring_checks`, daily from cron):
carol and bob hear 30 days before bob's enhanced check expires and on the day it does, once
each however often the command runs; a renewed check is not reminded of. Dates are fixed."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from coproduce.community.models import CheckReminder, SafeguardingCheck
from coproduce.community.safeguarding import check_reminders_send, checks_expiring
from coproduce.core.models import Notification

EXPIRY = date(2027, 3, 31)


@pytest.fixture
def bobs_check(riverside, carol, bob):
    for person in (carol, bob):
        person.email = f"{person.username}@example.org"
        person.save()
    return SafeguardingCheck.objects.create(
        timebank=riverside, person=bob, kind="enhanced", checked_on=date(2024, 3, 31),
        expires_on=EXPIRY, recorded_by=carol,
    )  # fmt: skip


def run(today: date) -> str:
    out = StringIO()
    call_command("remind_expiring_checks", today=today.isoformat(), stdout=out)
    return out.getvalue()


def test_thirty_days_before_then_on_the_day_once_each(
    bobs_check, carol, bob, django_capture_on_commit_callbacks
):
    assert "Sent 0" in run(EXPIRY - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert "Sent 1" in run(EXPIRY - timedelta(days=30))
    to_carol = Notification.objects.get(person=carol)
    assert "Bob Brown's Enhanced check expires on 31/03/2027" in to_carol.message
    assert "expires on 31/03/2027" in Notification.objects.get(person=bob).message
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "carol@example.org"]
    # Re-runs the same day and the days after send nothing more until the expiry date.
    for day in (EXPIRY - timedelta(days=30), EXPIRY - timedelta(days=10), EXPIRY - timedelta(1)):
        assert "Sent 0" in run(day)
    assert "Sent 1" in run(EXPIRY)
    assert "Sent 0" in run(EXPIRY)
    assert "expired on 31/03/2027" in Notification.objects.filter(person=carol).latest("pk").message
    assert CheckReminder.objects.count() == 2
    assert Notification.objects.count() == 4


def test_a_renewed_check_is_not_reminded_of(riverside, carol, bob, bobs_check):
    SafeguardingCheck.objects.create(
        timebank=riverside, person=bob, kind="enhanced", checked_on=date(2027, 2, 1),
        expires_on=date(2030, 2, 1), recorded_by=carol,
    )  # fmt: skip
    assert "Sent 0" in run(EXPIRY - timedelta(days=30))
    assert "Sent 0" in run(EXPIRY)
    assert list(checks_expiring(riverside, today=EXPIRY - timedelta(days=5))) == []


def test_the_dashboard_lists_checks_expiring_within_thirty_days(riverside, bobs_check):
    assert list(checks_expiring(riverside, today=EXPIRY - timedelta(days=31))) == []
    assert list(checks_expiring(riverside, today=EXPIRY - timedelta(days=30))) == [bobs_check]
    assert list(checks_expiring(riverside, today=EXPIRY + timedelta(days=1))) == []


def test_a_missed_day_is_caught_up_but_long_expired_checks_are_left(bobs_check):
    assert "Sent 1" in check_reminders_send(today=EXPIRY + timedelta(days=2))
    assert "Sent 0" in check_reminders_send(today=EXPIRY + timedelta(days=3))


def test_a_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("remind_expiring_checks", today="next tuesday")
