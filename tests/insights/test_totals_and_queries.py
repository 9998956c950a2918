"""The report agrees with the ledger, and costs a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db.models import Q, Sum

from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from coproduce.insights.tables import COORDINATOR, report_json, tables
from coproduce.ledger.models import Entry
from tests.insights.conftest import Q1_END, Q1_START, at, report_queries

pytestmark = pytest.mark.django_db


def _ledger(riverside, kind=None):
    """The ledger's own sums for Q1, straight from the entries (reversal pairs left out)."""
    period = ReportPeriod(Q1_START, Q1_END)
    entries = Entry.objects.filter(
        timebank=riverside,
        unit="hour",
        transfer__occurred_at__gte=period.starts_at,
        transfer__occurred_at__lt=period.ends_before,
    ).exclude(Q(transfer__kind="reversal") | Q(transfer__reversed_by__isnull=False))
    if kind:
        entries = entries.filter(account__kind=kind)
    return entries.aggregate(
        credits_in=Sum("amount", filter=Q(amount__gt=0), default=0),
        credits_out=Sum("amount", filter=Q(amount__lt=0), default=0),
    )


def test_report_totals_equal_the_ledgers_for_the_period(story, riverside):
    report = report_build(timebank=riverside, period=ReportPeriod.checked(Q1_START, Q1_END))
    ledger = _ledger(riverside)
    totals = report.reciprocity.totals()
    assert totals["credits_in"] == ledger["credits_in"] == 540
    assert totals["credits_out"] == -ledger["credits_out"] == 540
    r = report.reciprocity
    for kind, flows in [
        ("member", r.members),
        ("organisation", r.organisations),
        ("chest", r.chest),
    ]:
        by_kind = _ledger(riverside, kind)
        assert sum(f.credits_in for f in flows) == by_kind["credits_in"], kind
        assert sum(f.credits_out for f in flows) == -by_kind["credits_out"], kind
    assert report.activity.help_minutes == totals["help_minutes"]


def test_help_posted_straight_to_the_ledger_is_other_help_and_the_totals_still_agree(
    story, riverside, carol
):
    """An exchange-kind transfer with no exchange (a script's, not the app's) has no pairing:
    the report finds it from the ledger and shows it as other help in its month."""
    from datetime import date

    from coproduce.ledger.accounts import member_account_get_or_open
    from coproduce.ledger.services import transfer_post

    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=member_account_get_or_open(timebank=riverside, person=story["bob"]),
        payee=member_account_get_or_open(timebank=riverside, person=story["alice"]),
        minutes=25,
        kind="exchange",
        occurred_at=at(date(2025, 2, 14)),
    )
    report = report_build(timebank=riverside, period=ReportPeriod.checked(Q1_START, Q1_END))
    activity = report.activity
    assert activity.minutes_by_month_category[(date(2025, 2, 1), "other")] == 25
    assert ("other", "Other help") in activity.categories
    assert activity.help_minutes == report.reciprocity.totals()["help_minutes"] == 480 + 25
    assert activity.exchanges == 7


def test_the_reversal_pair_is_in_the_ledger_but_not_in_the_report(story, riverside):
    period = ReportPeriod(Q1_START, Q1_END)
    everything = Entry.objects.filter(
        timebank=riverside,
        transfer__occurred_at__gte=period.starts_at,
        transfer__occurred_at__lt=period.ends_before,
        amount__gt=0,
    ).aggregate(total=Sum("amount"))["total"]
    assert everything == 540 + 45 + 45
    assert at(Q1_END) < period.ends_before


def test_the_whole_report_costs_a_fixed_number_of_queries(
    story, riverside, django_assert_max_num_queries
):
    # Eight for the figures and one for outcomes (has the time bank any referral? none here),
    # and on PostgreSQL three more: work_mem for the report's transaction, and the planner
    # settings set and put back around the ties (`insights.network._raw_rows`).
    with django_assert_max_num_queries(report_queries()):
        report = report_build(timebank=riverside, period=ReportPeriod.checked(Q1_START, Q1_END))
        tables(report, COORDINATOR)
        report_json(report, COORDINATOR)


def test_more_members_and_exchanges_cost_no_more_queries(
    story, riverside, carol, django_assert_max_num_queries
):
    from datetime import date

    from tests.conftest import _join, _person
    from tests.insights.conftest import exchanged

    newcomers = [_join(riverside, _person(f"m{i}", f"M{i}", "New")) for i in range(6)]
    for i, person in enumerate(newcomers):
        exchanged(
            riverside, person, story["alice"], 30, date(2025, 2, 1 + i), "learning", acting=carol
        )
    # Eight for the figures and one for outcomes (has the time bank any referral? none here),
    # and on PostgreSQL three more: work_mem for the report's transaction, and the planner
    # settings set and put back around the ties (`insights.network._raw_rows`).
    with django_assert_max_num_queries(report_queries()):
        report = report_build(timebank=riverside, period=ReportPeriod.checked(Q1_START, Q1_END))
        tables(report, COORDINATOR)
    assert report.activity.exchanges == 12
