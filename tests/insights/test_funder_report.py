"""The funder's report is built without what only the coordinator's named views show (each
account's main category), and has exactly the figures of the full report; its network figures
are those of a recount from the exchanges themselves."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest

from coproduce.insights.graph import summarise
from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from coproduce.insights.tables import FUNDER, report_csv, report_dict, report_json, tables
from tests.insights.conftest import Q1_END, Q1_START, at, exchanged, report_queries

pytestmark = pytest.mark.django_db


def _funder_view(report) -> tuple[dict, str]:
    shown = report_dict(report, FUNDER)
    shown.pop("generated_at")
    return shown, report_csv(report, FUNDER)


def _both(timebank, period):
    full = report_build(timebank=timebank, period=period)
    funder = report_build(timebank=timebank, period=period, named=False)
    return full, funder


def test_the_funders_report_shows_the_same_figures_as_the_full_report(story, riverside):
    full, funder = _both(riverside, ReportPeriod.checked(Q1_START, Q1_END))
    assert _funder_view(funder) == _funder_view(full)
    assert (funder.network.main_category, funder.network.ties) == ({}, [])
    assert full.network.main_category  # the coordinator's picture still has its colours


def _recount(timebank, period):
    """Ties, new ties and nodes of the period straight from the exchanges' participants and
    transfers (not the pairings the report reads), reversed transfers left out."""
    from coproduce.exchanges.models import Exchange
    from coproduce.ledger.models import Transfer

    reversed_ids = set(
        Transfer.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True)
    )
    in_period, earlier = set(), set()
    for exchange in Exchange.objects.filter(timebank=timebank, transfer__isnull=False):
        transfer = exchange.transfer
        if transfer.pk in reversed_ids or transfer.occurred_at >= period.ends_before:
            continue
        sides = list(exchange.participants.values_list("side", "account_id"))
        for _, giver in (s for s in sides if s[0] == "provider"):
            for _, taker in (s for s in sides if s[0] == "receiver"):
                if giver == taker:
                    continue
                pair = (min(giver, taker), max(giver, taker))
                (in_period if transfer.occurred_at >= period.starts_at else earlier).add(pair)
    nodes = {a for pair in in_period for a in pair}
    return in_period, in_period - earlier, summarise(nodes, in_period)


def test_on_a_generated_history_with_a_backdated_exchange_and_a_reversal(story, riverside, carol):
    from coproduce.ledger.services import transfer_reverse
    from tests.conftest import _join, _person

    rng = random.Random(14)
    people = [story[name] for name in ("alice", "bob", "dave", "erin", "frank", "gina", "ivy")]
    people += [_join(riverside, _person(f"gen{i}", f"Gen{i}", "Member")) for i in range(8)]
    categories = ["care", "transport", "learning", "household", "gardening"]
    start = date(2024, 9, 1)
    made = []
    for _ in range(36):
        giver, taker = rng.sample(people, 2)
        on = start + timedelta(days=rng.randrange(0, 240))
        made.append(
            exchanged(riverside, giver, taker, 15, on, rng.choice(categories), acting=carol)
        )
    period = ReportPeriod.checked(date(2024, 12, 1), date(2025, 3, 31))
    before, _ = _both(riverside, period)

    # Posted today, dated back into the period: a new tie between two newcomers, and a
    # reversal of an exchange inside the period.
    exchanged(riverside, people[-1], people[-2], 30, date(2025, 1, 15), "civic", acting=carol)
    inside = next(
        e for e in made if period.starts_at <= e.transfer.occurred_at < period.ends_before
    )
    transfer_reverse(transfer=inside.transfer, acting=carol, reason="Logged by mistake")

    full, funder = _both(riverside, period)
    assert _funder_view(funder) == _funder_view(full)
    ties, new_ties, summary = _recount(riverside, period)
    assert {(t.a, t.b) for t in full.network.ties} == ties
    for network in (full.network, funder.network):
        assert network.new_ties == len(new_ties)
        assert network.summary == summary
    assert funder.activity.exchanges == before.activity.exchanges  # one in, one reversed
    assert funder.activity.help_minutes == before.activity.help_minutes + 30 - 15


def test_the_funders_report_costs_a_fixed_number_of_queries(
    story, riverside, django_assert_max_num_queries
):
    # As the full report: the figures (the memberships read once, for new members, retention
    # and isolation, where it took three), one for outcomes; on PostgreSQL three more: the
    # report's work_mem, and the planner settings set and put back around the ties. And one
    # for how far the pairs' kept spans go (none here: the pairings are grouped as before).
    with django_assert_max_num_queries(report_queries(named=False)):
        report = report_build(
            timebank=riverside, period=ReportPeriod.checked(Q1_START, Q1_END), named=False
        )
        tables(report, FUNDER)
        json.loads(report_json(report, FUNDER))
    assert at(Q1_END) < report.period.ends_before
