"""Each account's last help read from the kept `LastHelp` rows (`insights.last_help`) is exactly
the last help found through its entries: for periods ending before, among and after the kept
moments, whatever was reversed or posted since the last refresh, meetings counted and gifts
not; and the refresh keeps one row per account, the same however it is folded."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from coproduce.exchanges.models import Exchange
from coproduce.insights import summary
from coproduce.insights.models import LastHelp, SummaryState
from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from coproduce.insights.selectors import HELP_KINDS, _reversed, parties_in
from coproduce.insights.summary import summary_refresh
from coproduce.insights.tables import FUNDER, report_json
from coproduce.ledger.models import HOUR, Entry
from coproduce.ledger.services import transfer_post, transfer_reverse
from tests.insights.conftest import Q1_END, Q1_START, _account, at, exchanged, report_queries

pytestmark = pytest.mark.django_db

PERIODS = (
    (Q1_START, Q1_END),  # dave and bob helped again after it: their kept moment is too late
    (date(2024, 12, 1), date(2025, 1, 19)),  # ends before most of the story
    (date(2025, 3, 1), date(2025, 3, 10)),  # ends on the day of the reversed exchange
    (date(2024, 1, 1), date(2026, 12, 31)),  # ends after everything
)


def _from_entries(timebank, period):
    """Each account's last help straight from its entries, reversed transfers left out."""
    return dict(
        Entry.objects.filter(
            timebank=timebank, kind__in=HELP_KINDS, occurred_at__lt=period.ends_before
        )
        .exclude(transfer_id__in=_reversed(timebank))
        .values("account_id")
        .annotate(last=Max("occurred_at"))
        .values_list("account_id", "last")
    )


def _last_help(timebank, period, *, summaries=True):
    kept = SummaryState.objects.values_list("time_zone", flat=True).get()
    if not summaries:
        SummaryState.objects.update(time_zone="")
    try:
        with CaptureQueriesContext(connection) as queries:
            parties = parties_in(timebank, period)
    finally:
        SummaryState.objects.update(time_zone=kept)
    read_kept = any("insights_lasthelp" in q["sql"] for q in queries.captured_queries)
    assert read_kept == (summaries and bool(kept))
    return {a: p.last_help for a, p in parties.items() if p.last_help is not None}


def _assert_exact(timebank):
    for dates in PERIODS:
        period = ReportPeriod.checked(*dates)
        found = _last_help(timebank, period)
        assert (
            found
            == _from_entries(timebank, period)
            == _last_help(timebank, period, summaries=False)
        ), dates


def _transfer_on(timebank, day):
    return Exchange.objects.get(timebank=timebank, done_at=at(day)).transfer


def test_the_last_help_from_the_kept_rows_is_the_last_help_from_the_entries(
    story, riverside, carol, monkeypatch
):
    alice, bob, dave, erin = (story[n] for n in ("alice", "bob", "dave", "erin"))
    summary_refresh()
    _assert_exact(riverside)
    # After the refresh: a reversal of a kept exchange (alice's and bob's last help before
    # 19 January goes back to December), help dated back before the kept moments, a meeting,
    # and a gift (not help).
    transfer_reverse(
        transfer=_transfer_on(riverside, date(2025, 1, 5)), acting=carol, reason="Not done"
    )
    exchanged(riverside, erin, dave, 30, date(2025, 1, 15), "care", acting=carol)
    transfer_post(
        timebank=riverside,
        acting=carol,
        entries=[(_account(riverside, bob), -60), (_account(riverside, alice), 60)],
        kind="meeting",
        occurred_at=at(date(2025, 3, 8)),
    )
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=_account(riverside, erin),
        payee=_account(riverside, story["gina"]),
        minutes=15,
        kind="gift",
        occurred_at=at(date(2025, 3, 9)),
    )
    _assert_exact(riverside)
    period = ReportPeriod.checked(*PERIODS[1])
    assert _last_help(riverside, period)[_account(riverside, alice).pk] == at(date(2024, 12, 10))
    assert _account(riverside, story["gina"]).pk not in _last_help(riverside, period)
    # Folded in, in small steps: the same again.
    monkeypatch.setattr(summary, "FOLD_IDS", 2)
    assert summary_refresh().folded > 0
    _assert_exact(riverside)


def test_the_refresh_keeps_each_accounts_latest_help_reversed_or_not(story, riverside, carol):
    summary_refresh()
    kept = sorted(LastHelp.objects.values_list("account_id", "last_at"))
    every = (
        Entry.objects.filter(unit=HOUR, kind__in=HELP_KINDS)
        .values("account_id")
        .annotate(last=Max("occurred_at"))
        .values_list("account_id", "last")
    )
    assert kept == sorted(every)  # both time banks, the reversed exchange's accounts as well
    assert summary_refresh().folded == 0
    summary_refresh(rebuild=True)
    assert sorted(LastHelp.objects.values_list("account_id", "last_at")) == kept


def test_kept_rows_emptied_by_a_rebuild_after_their_mark_was_read_are_not_trusted(
    story, riverside, monkeypatch
):
    """A rebuild starts between the report reading how far the rows go and reading them: the
    statement sees the mark moved and the rows are read again (then, mark 0, looked up)."""
    from coproduce.insights import last_help

    summary_refresh()
    period = ReportPeriod.checked(*PERIODS[0])
    statement, calls = last_help._statement, []

    def rebuilt_meanwhile(*args):
        calls.append(args[-1])
        if len(calls) == 1:
            LastHelp.objects.all().delete()
            SummaryState.objects.update(last_help_watermark=0)
        return statement(*args)

    monkeypatch.setattr(last_help, "_statement", rebuilt_meanwhile)
    parties = parties_in(riverside, period)
    assert len(calls) == 1
    found = {a: p.last_help for a, p in parties.items() if p.last_help is not None}
    assert found == _from_entries(riverside, period)


def test_the_funders_report_is_the_same_from_the_kept_rows_at_a_fixed_number_of_queries(
    story, riverside, django_assert_max_num_queries
):
    period = ReportPeriod.checked(Q1_START, Q1_END)

    def funder_json():
        report = report_build(timebank=riverside, period=period, named=False)
        return report_json(report, FUNDER).replace(report.generated_at.isoformat(), "")

    before = funder_json()
    summary_refresh()
    with django_assert_max_num_queries(report_queries(named=False)):
        after = funder_json()
    assert after == before
