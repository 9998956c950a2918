"""Every figure of the report on the small community in conftest.py, worked out by hand.

In the first quarter of 2025 (reversed bob→erin left out, December and April outside):
  Jan  5  alice → bob     2:00 gardening      (alice and bob first met in December: not new)
  Jan 20  bob → dave      1:00 transport
  Feb 14  surgery → erin  1:30 health         (an organisation gives)
  Feb 20  frank → alice and dave, 1:00 each, creative (a group session: frank earns 2:00)
  Mar  3  erin → alice    0:30 companionship
  Mar 25  alice → ivy     1:00 care
  Mar 15  alice gives 0:30 to the chest; Mar 20 the chest grants 0:30 to frank
Help: 120 + 60 + 90 + 120 + 30 + 60 = 480 minutes in 6 exchanges.
"""

from __future__ import annotations

from datetime import date

import pytest

from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from tests.insights.conftest import Q1_END, Q1_START, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(story, riverside):
    return report_build(timebank=riverside, period=ReportPeriod.checked(Q1_START, Q1_END))


def test_hours_and_exchanges_count_only_help_in_the_period(report):
    assert report.activity.help_minutes == 480
    assert report.activity.exchanges == 6


def test_hours_per_month_are_split_by_category(report):
    jan, feb, mar = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
    assert report.activity.minutes_by_month_category == {
        (jan, "gardening"): 120,
        (jan, "transport"): 60,
        (feb, "health"): 90,
        (feb, "creative"): 120,
        (mar, "companionship"): 30,
        (mar, "care"): 60,
    }
    assert report.activity.exchanges_by_month == {jan: 2, feb: 2, mar: 2}
    assert report.activity.months == [jan, feb, mar]
    assert [key for key, _label in report.activity.categories] == [
        "care",
        "companionship",
        "transport",
        "gardening",
        "creative",
        "health",
    ]


def test_active_members_are_those_who_gave_or_received(report):
    # alice, bob, dave, erin, frank, ivy; the surgery is an organisation, not a member.
    assert report.activity.active_members == 6
    jan, feb, mar = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
    assert report.activity.active_by_month == {jan: 3, feb: 4, mar: 3}


def test_members_active_in_the_same_months_each_count(story, riverside):
    """In January alone alice, bob and dave were each active that one month (their months
    are one list the three share): three members active in January, not one."""
    january = report_build(
        timebank=riverside, period=ReportPeriod.checked(date(2025, 1, 1), date(2025, 1, 31))
    )
    assert january.activity.active_members == 3
    assert january.activity.active_by_month == {date(2025, 1, 1): 3}


def test_new_members_are_those_accepted_in_the_period(report):
    # dave in January, ivy in March; Hillside's jo does not count.
    assert report.activity.new_members == 2
    assert report.activity.new_members_by_month == {date(2025, 1, 1): 1, date(2025, 3, 1): 1}


def test_retention_counts_members_still_helping_months_after_joining(report):
    # 3 and 6 months: alice, bob, erin, frank, gina, hal joined long enough ago; gina and hal
    # never exchanged. 12 months: frank and gina, and only frank still helps.
    assert report.activity.retention == {3: (6, 4), 6: (6, 4), 12: (2, 1)}


def test_each_members_give_and_take(report):
    flows = {f.party.name: f for f in report.reciprocity.members}
    assert {name: (f.earned, f.spent) for name, f in flows.items()} == {
        "Alice Ahmed": (180, 90),
        "Bob Brown": (60, 120),
        "Dave Davies": (0, 120),
        "Erin Evans": (30, 90),
        "Frank Fisher": (120, 0),
        "Ivy Ingram": (0, 60),
    }
    assert (flows["Alice Ahmed"].other_out, flows["Frank Fisher"].other_in) == (30, 30)


def test_reciprocity_overall(report):
    r = report.reciprocity
    assert (r.member_earned, r.member_spent) == (390, 480)
    assert r.spend_earn_ratio == pytest.approx(480 / 390)
    assert (r.both, r.only_give, r.only_receive) == (3, 1, 2)


def test_organisations_and_the_chest_have_their_own_give_and_take(report):
    [surgery] = report.reciprocity.organisations
    assert (surgery.party.name, surgery.earned, surgery.spent) == ("Riverside Surgery", 90, 0)
    [chest] = report.reciprocity.chest
    assert (chest.other_in, chest.other_out, chest.earned) == (30, 30, 0)


def test_the_network_of_the_period(report):
    n = report.network
    # Ties: alice-bob, bob-dave, surgery-erin, frank-alice, frank-dave, erin-alice, alice-ivy.
    assert (n.summary.nodes, n.summary.ties) == (7, 7)
    assert n.new_ties == 6
    assert n.members_reached == 6
    assert n.summary.density == pytest.approx(14 / 42)
    assert n.summary.ties_per_node == pytest.approx(2)
    assert (n.summary.components, n.summary.largest_component) == (1, 7)
    # alice alone links ivy (and erin's side); erin alone links the surgery.
    assert {n.parties[a].name for a in n.summary.brokers} == {"Alice Ahmed", "Erin Evans"}


def test_main_category_colours_each_node(report):
    n = report.network
    by_name = {n.parties[a].name: c for a, c in n.main_category.items()}
    assert by_name["Riverside Surgery"] == "health"
    assert by_name["Frank Fisher"] == "creative"


def test_members_at_risk_of_isolation(report):
    rows = [(r.party.name, r.partners, len(r.reasons)) for r in report.network.at_risk]
    # gina never exchanged (first), bob's last help was 20 January (over 60 days before 1 April),
    # ivy has one partner. hal never exchanged but has an open offer.
    assert rows == [("Gina Green", 0, 1), ("Bob Brown", 2, 1), ("Ivy Ingram", 1, 1)]
    assert "one exchange partner" in report.network.at_risk[2].reasons[0]


def test_a_shorter_isolation_window_finds_fewer(story, riverside):
    report = report_build(
        timebank=riverside, period=ReportPeriod.checked(Q1_START, Q1_END), isolation_days=365
    )
    # Over a year: gina joined in January 2024 and never exchanged, so she is still at risk.
    assert [r.party.name for r in report.network.at_risk] == ["Gina Green", "Ivy Ingram"]


def test_value_is_hours_times_the_hourly_value(report):
    # 8 hours at £12.60.
    assert report.value.pence == 10080
    custom = report_build(timebank=report.timebank, period=report.period, hourly_value_pence=1500)
    assert custom.value.pence == 12000


def test_outcomes_say_there_is_no_referral_data(report):
    assert report.outcomes is None


def test_hillside_sees_only_its_own_exchange(story, hillside):
    report = report_build(timebank=hillside, period=ReportPeriod.checked(Q1_START, Q1_END))
    assert report.activity.help_minutes == 180
    assert report.network.summary.ties == 1
    assert report.reciprocity.both == 0


def test_a_period_with_nothing_in_it_reports_zeros(story, riverside):
    report = report_build(
        timebank=riverside, period=ReportPeriod.checked(date(2020, 1, 1), date(2020, 1, 31))
    )
    assert (report.activity.help_minutes, report.activity.exchanges) == (0, 0)
    assert report.reciprocity.spend_earn_ratio is None
    assert report.network.summary.nodes == 0


def test_help_counts_on_the_day_it_happened_in_london(story, riverside):
    # Mar 31 is inside the period, Apr 2 outside: the day's end is midnight in London.
    report = report_build(
        timebank=riverside, period=ReportPeriod.checked(Q1_START, date(2025, 4, 2))
    )
    assert report.activity.help_minutes == 540
    assert at(date(2025, 4, 2)) < report.period.ends_before


def test_retention_agrees_with_counting_member_by_member_at_the_edges():
    """Members who joined exactly 90, 180 and 360 days before the end of a period that crosses
    both clock changes, a microsecond either side, and were last seen helping exactly that
    long after joining, a microsecond either side, or never: the sorted, once-per-member
    count gives what adding each span to each member's joining gives."""
    import random
    from datetime import UTC, timedelta

    from coproduce.insights.selectors import DAYS_PER_MONTH, RETENTION_MONTHS, _retention

    period = ReportPeriod.checked(date(2025, 3, 1), date(2025, 11, 30))
    end = period.ends_before.astimezone(UTC)
    tick = timedelta(microseconds=1)
    members, last = [], {}
    person = 0
    for months in RETENTION_MONTHS:
        span = timedelta(days=months * DAYS_PER_MONTH)
        for joined_off in (-tick, timedelta(0), tick, timedelta(hours=1), -timedelta(hours=1)):
            for seen_off in (None, -tick, timedelta(0), tick):
                person += 1
                joined = end - span + joined_off
                members.append((person, True, joined, joined))
                if seen_off is not None:
                    last[person] = joined + span + seen_off
    rng = random.Random(17)
    for _ in range(300):
        person += 1
        joined = end - timedelta(seconds=rng.randrange(0, 500 * 86400))
        members.append((person, rng.random() < 0.8, joined, joined))
        if rng.random() < 0.7:
            last[person] = joined + timedelta(seconds=rng.randrange(0, 400 * 86400))
    members.append((person + 1, True, None, end))  # applied, never activated

    expected = {}
    for months in RETENTION_MONTHS:
        span = timedelta(days=months * DAYS_PER_MONTH)
        cohort = [(p, a) for p, _on, a, _applied in members if a is not None and a + span <= end]
        still = [p for p, a in cohort if p in last and last[p] >= a + span]
        expected[months] = (len(cohort), len(still))
    assert _retention(period, last, members) == expected
    assert all(still for _cohort, still in expected.values())
