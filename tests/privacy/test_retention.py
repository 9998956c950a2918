"""`coproduce manage prune_personal_data`: applications never activated and old read
notifications are deleted after their time; everything else stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from coproduce.community.models import Membership, Person
from coproduce.community.services import membership_apply
from coproduce.core.models import Notification
from coproduce.core.notifications import notify
from coproduce.privacy.retention import personal_data_prune
from tests.conftest import _join

pytestmark = pytest.mark.django_db


def _applied(timebank, username: str, days_ago: int, status: str = "applied") -> Person:
    person = Person.objects.get(
        pk=membership_apply(
            timebank=timebank,
            person=None,
            first_name=username.title(),
            username=username,
            password="a-long-enough-password-1",
            email=f"{username}@example.org",
        ).person_id
    )
    Membership.objects.filter(person=person).update(
        status=status, applied_at=timezone.now() - timedelta(days=days_ago)
    )
    return person


def _aged(notification: Notification, days: int, read: bool) -> None:
    when = timezone.now() - timedelta(days=days)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=when, read_at=when if read else None
    )


@pytest.fixture
def community(riverside, hillside, alice, carol):
    old = _applied(riverside, "olga", 200)
    declined = _applied(riverside, "dora", 400, status="left")
    fresh = _applied(riverside, "fred", 20)
    # Applied to riverside long ago and never welcomed, but an active member of hillside.
    both = _applied(riverside, "hugo", 300)
    _join(hillside, both)
    # Alice applied long ago too: she was welcomed, so her membership is hers to keep.
    Membership.objects.filter(person=alice).update(applied_at=timezone.now() - timedelta(days=900))
    old_read = notify(person=alice, kind="x", message="Old and read", timebank=riverside)
    _aged(old_read, 400, read=True)
    old_unread = notify(person=alice, kind="x", message="Old, never read", timebank=riverside)
    _aged(old_unread, 400, read=False)
    recent_read = notify(person=alice, kind="x", message="Recent and read", timebank=riverside)
    _aged(recent_read, 30, read=True)
    return {"old": old, "declined": declined, "fresh": fresh, "both": both}


def test_a_dry_run_says_what_it_would_prune_and_changes_nothing(community):
    before = (list(Membership.objects.values()), list(Notification.objects.values()))
    pruned = personal_data_prune(dry_run=True)
    assert pruned.summary() == (
        "would prune 3 application(s) never activated (2 person(s) with nothing else, to "
        "erase) and 1 read notification(s), and 0 copies of emails; nothing was changed"
    )
    assert (list(Membership.objects.values()), list(Notification.objects.values())) == before


def test_it_prunes_old_applications_and_old_read_notifications(riverside, alice, community):
    summary = call_command("prune_personal_data")
    assert summary == (
        "pruned 3 application(s) never activated (2 person(s) with nothing else erased) and "
        "1 read notification(s), and 0 copies of emails"
    )
    # Olga and dora belonged nowhere else: they are anonymised (the append-only audit log still
    # says someone applied) and cannot sign in.
    for who in ("old", "declined"):
        person = Person.objects.get(pk=community[who].pk)
        assert person.erased_at is not None and not person.is_active
        assert person.email == "" and not person.memberships.exists()
    fred = Person.objects.get(pk=community["fresh"].pk)
    assert fred.memberships.get().status == "applied"
    hugo = Person.objects.get(pk=community["both"].pk)
    assert hugo.erased_at is None
    assert [m.timebank.slug for m in hugo.memberships.all()] == ["hillside"]
    assert Membership.objects.get(person=alice).status == "active"
    assert sorted(Notification.objects.filter(person=alice).values_list("message", flat=True)) == [
        "Old, never read",
        "Recent and read",
    ]


def test_the_days_can_be_chosen_and_a_bad_number_is_refused(community, capsys):
    summary = call_command("prune_personal_data", "--applications-days", "10", "--dry-run")
    assert summary.startswith("would prune 4 application(s)")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("prune_personal_data", "--notifications-days", "0")
