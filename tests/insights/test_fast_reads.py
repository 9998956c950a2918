"""The report's faster reads (issue 17) give exactly what the plain ones gave: instants read as
numbers (PostgreSQL) or stored text (SQLite) are the datetimes Django reads, the memberships
read once give new members by month, retention and isolation as three reads did, and the ties
read in index order on PostgreSQL leave the planner as it was."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction
from django.db.models import Max

from coproduce.community.models import Membership, MembershipStatus, Role
from coproduce.insights.period import ReportPeriod
from coproduce.insights.reads import member_rows
from coproduce.insights.report import report_build
from coproduce.insights.selectors import HELP_KINDS, _reversed, parties_in
from coproduce.ledger.models import Entry
from tests.insights.conftest import LONDON, Q1_END, Q1_START

pytestmark = pytest.mark.django_db


def test_instants_read_fast_are_the_datetimes_django_reads(story, riverside, alice, bob):
    odd = datetime(2025, 7, 14, 23, 59, 59, 999_999, tzinfo=UTC)  # summer time, last microsecond
    Membership.objects.filter(timebank=riverside, person=alice).update(activated_at=odd)
    Membership.objects.filter(timebank=riverside, person=bob).update(activated_at=None)

    read = {person: (active, activated, applied) for person, active, activated, applied in
            member_rows(riverside)}  # fmt: skip
    expected = {
        m.person_id: (m.status == MembershipStatus.ACTIVE, m.activated_at, m.applied_at)
        for m in Membership.objects.filter(timebank=riverside, role=Role.MEMBER)
    }
    assert read == expected
    assert read[alice.pk][1] == odd and read[bob.pk][1] is None
    assert all(a is None or a.utcoffset().total_seconds() == 0 for _x, a, _y in read.values())

    period = ReportPeriod.checked(Q1_START, Q1_END)
    parties = parties_in(riverside, period)
    # Each account's last help straight from its entries, reversed transfers left out.
    last = dict(
        Entry.objects.filter(
            account_id__in=parties, kind__in=HELP_KINDS, occurred_at__lt=period.ends_before
        )
        .exclude(transfer_id__in=_reversed(riverside))
        .values("account_id")
        .annotate(last=Max("occurred_at"))
        .values_list("account_id", "last")
    )
    assert len(last) > 5
    assert {a: p.last_help for a, p in parties.items() if p.last_help is not None} == last


def test_a_member_joined_at_local_midnight_is_new_in_that_month(story, riverside, alice, bob):
    # 00:00 on 1 April in London is 23:00 on 31 March in UTC: April's newcomer.
    april = datetime(2025, 4, 1, tzinfo=LONDON)
    Membership.objects.filter(timebank=riverside, person=alice).update(activated_at=april)
    Membership.objects.filter(timebank=riverside, person=bob).update(
        activated_at=datetime(2025, 3, 31, 23, 59, 59, 999_999, tzinfo=LONDON)
    )
    report = report_build(
        timebank=riverside, period=ReportPeriod.checked(Q1_START, date(2025, 4, 30))
    )
    assert report.activity.new_members_by_month == {
        date(2025, 1, 1): 1,  # dave
        date(2025, 3, 1): 2,  # ivy and bob
        date(2025, 4, 1): 1,  # alice
    }


def test_a_member_who_left_still_counts_in_retention_but_is_not_at_risk(story, riverside):
    period = ReportPeriod.checked(Q1_START, Q1_END)
    before = report_build(timebank=riverside, period=period)
    # gina never exchanged: at risk while she is a member.
    assert "Gina Green" in {row.party.name for row in before.network.at_risk}
    Membership.objects.filter(timebank=riverside, person__username="gina").update(
        status=MembershipStatus.LEFT
    )
    after = report_build(timebank=riverside, period=period)
    assert after.activity.retention == before.activity.retention
    assert "Gina Green" not in {row.party.name for row in after.network.at_risk}


@pytest.mark.postgres
def test_the_planner_is_put_back_after_the_ties_are_read(story, riverside):
    with transaction.atomic(), connection.cursor() as cursor:
        report_build(timebank=riverside, period=ReportPeriod.checked(Q1_START, Q1_END))
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_hashagg'),"
            " current_setting('parallel_setup_cost'), current_setting('parallel_tuple_cost')"
        )
        assert cursor.fetchone() == ("on", "on", "1000", "0.1")
