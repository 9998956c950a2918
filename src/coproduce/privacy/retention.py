"""Pruning personal data that is no longer needed (`coproduce manage prune_personal_data`, run
nightly by cron): applications that never became memberships, and notifications already read.

- An application never activated (status `applied`, or `left` when it was declined, and never
  active) older than `applications_days` (default 180) is deleted. A person left with no
  membership at all is erased as in `privacy.erasure` (an anonymous "Former member" who cannot
  sign in), never deleted: the append-only audit log refers to them (they applied), and the
  application's database role may not delete people (`core.db_grants`).
- A notification read more than `notifications_days` ago (default 365, counted from when it was
  sent) is deleted. Unread ones are kept: the person has not seen them yet.
- A copy of an outgoing email (`core.OutgoingEmail`: address, subject and body, kept to retry
  and to answer "did it go?") older than `emails_days` (default 30) is deleted, whatever became
  of it: `mail_retry` gives up after three days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coproduce.community.models import Membership, MembershipStatus, Person
from coproduce.core.models import Notification, OutgoingEmail
from coproduce.matching.models import MatchProfile
from coproduce.privacy.erasure import person_anonymise

APPLICATIONS_DAYS = 180
NOTIFICATIONS_DAYS = 365
EMAILS_DAYS = 30


@dataclass(frozen=True)
class Pruned:
    applications: int
    people_erased: int
    notifications: int
    dry_run: bool
    emails: int = 0

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"would prune {self.applications} application(s) never activated "
                f"({self.people_erased} person(s) with nothing else, to erase) and "
                f"{self.notifications} read notification(s), and {self.emails} copies of "
                "emails; nothing was changed"
            )
        return (
            f"pruned {self.applications} application(s) never activated "
            f"({self.people_erased} person(s) with nothing else erased) and "
            f"{self.notifications} read notification(s), and {self.emails} copies of emails"
        )


def _stale_applications(cutoff: datetime) -> list[Membership]:
    return list(
        Membership.objects.filter(
            status__in=[MembershipStatus.APPLIED, MembershipStatus.LEFT],
            activated_at__isnull=True,
            applied_at__lt=cutoff,
        )
        .select_related("person")
        .order_by("pk")
    )


@transaction.atomic
def personal_data_prune(
    *,
    now: datetime | None = None,
    applications_days: int = APPLICATIONS_DAYS,
    notifications_days: int = NOTIFICATIONS_DAYS,
    emails_days: int = EMAILS_DAYS,
    dry_run: bool = False,
) -> Pruned:
    now = now or timezone.now()
    stale = _stale_applications(now - timedelta(days=applications_days))
    notifications = Notification.objects.filter(
        read_at__isnull=False, created_at__lt=now - timedelta(days=notifications_days)
    )
    emails = OutgoingEmail.objects.filter(created_at__lt=now - timedelta(days=emails_days))
    people = {m.person_id: m.person for m in stale}
    stale_ids = [m.pk for m in stale]
    # People whose every membership is a stale application: nothing of theirs stays.
    keeping = set(
        Membership.objects.filter(person_id__in=people)
        .exclude(pk__in=stale_ids)
        .values_list("person_id", flat=True)
    )
    leaving = [p for pk, p in sorted(people.items()) if pk not in keeping and p.erased_at is None]
    if dry_run:
        return Pruned(
            applications=len(stale),
            people_erased=len(leaving),
            notifications=notifications.count(),
            dry_run=True,
            emails=emails.count(),
        )
    notification_count = notifications.delete()[0]
    email_count = emails.delete()[0]
    Membership.objects.filter(pk__in=stale_ids).delete()
    for person in leaving:
        Notification.objects.filter(person=person).delete()
        MatchProfile.objects.filter(person=person).delete()  # derived: matching's index
        person_anonymise(Person.objects.select_for_update().get(pk=person.pk))
    return Pruned(
        applications=len(stale),
        people_erased=len(leaving),
        notifications=notification_count,
        dry_run=False,
        emails=email_count,
    )
