"""The funder's report read from kept summaries of the ledger (`insights.summary`) is exactly
the report read from the entries alone: whenever the summaries were last refreshed, whatever
was posted, imported with an old date or reversed since, and whichever days the period starts
and ends on."""

from __future__ import annotations

import importlib
import threading
import time
from collections import defaultdict
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from coproduce.exchanges.models import Exchange
from coproduce.insights import summary
from coproduce.insights.models import AccountMonth, AccountQuarter, SummaryState
from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from coproduce.insights.selectors import account_months
from coproduce.insights.summary import summary_refresh
from coproduce.insights.tables import FUNDER, report_json
from coproduce.ledger.services import transfer_post, transfer_reverse
from tests.insights.conftest import _account, at, exchanged

PERIODS = (
    (date(2025, 1, 1), date(2025, 3, 31)),  # whole months: all from the summaries
    (date(2025, 1, 15), date(2025, 3, 20)),  # both ends cut a month
    (date(2024, 12, 1), date(2025, 4, 30)),
    (date(2025, 3, 3), date(2025, 3, 3)),  # one day: no whole month
    (date(2025, 1, 25), date(2025, 2, 5)),  # two short ends, no whole month
    (date(2024, 1, 1), date(2026, 12, 31)),
    # The last month cut after every date the summary holds (read as a whole month), and just
    # before its latest (read live).
    (date(2025, 2, 1), date(2025, 4, 10)),
    (date(2025, 4, 1), date(2025, 4, 5)),
    (date(2025, 2, 1), date(2025, 4, 1)),
)


def _funder_json(timebank, period) -> str:
    report = report_build(timebank=timebank, period=period, named=False)
    return report_json(report, FUNDER).replace(report.generated_at.isoformat(), "")


def _figures(timebank):
    """Each period's funder JSON and flows, read as the report reads them now."""
    periods = [ReportPeriod.checked(start, end) for start, end in PERIODS]
    return [(_funder_json(timebank, p), account_months(timebank, p)) for p in periods]


def _without_summaries(timebank):
    """The same, with the summaries out of use (as before any refresh)."""
    kept = SummaryState.objects.values_list("time_zone", flat=True).get()
    SummaryState.objects.update(time_zone="")
    try:
        return _figures(timebank)
    finally:
        SummaryState.objects.update(time_zone=kept)


def _assert_exact(timebank):
    with CaptureQueriesContext(connection) as queries:
        read = _figures(timebank)
    for table in (
        "insights_accountmonth",
        "insights_accountquarter",
        "insights_helpmonth",
        "insights_tiespan",
        "insights_lasthelp",
    ):
        assert any(table in q["sql"] for q in queries.captured_queries)
    assert read == _without_summaries(timebank)
    assert _quarters() == _quarters_of_months()


def _quarters() -> dict[tuple[int, int], tuple[int, ...]]:
    return {
        (q.account_id, q.quarter): (
            q.earned, q.spent, q.other_in, q.other_out, q.help_months, q.entries
        )
        for q in AccountQuarter.objects.all()
    }  # fmt: skip


def _quarters_of_months() -> dict[tuple[int, int], tuple[int, ...]]:
    """Each account's quarters as the sums of its month rows, with the months of help as bits."""
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * 6)
    for m in AccountMonth.objects.all():
        in_quarter = (m.month % 100 - 1) % 3
        row = sums[(m.account_id, m.month - in_quarter)]
        for i, value in enumerate((m.earned, m.spent, m.other_in, m.other_out)):
            row[i] += value
        row[4] |= (1 << in_quarter) if m.help_entries else 0
        row[5] += m.entries
    return {key: tuple(row) for key, row in sums.items()}


def _transfer_on(timebank, day):
    return Exchange.objects.get(timebank=timebank, done_at=at(day)).transfer


@pytest.mark.django_db
def test_the_report_from_summaries_equals_the_report_from_the_entries(
    story, riverside, carol, monkeypatch
):
    alice, bob, dave, erin = story["alice"], story["bob"], story["dave"], story["erin"]
    assert SummaryState.objects.get().time_zone == ""  # as migrated: not used yet
    first = summary_refresh()
    assert first.rebuilt and first.folded > 0 and AccountMonth.objects.exists()
    _assert_exact(riverside)

    # After the refresh: an exchange dated back into a summarised month (as an import writes
    # it), a reversal of a summarised exchange, a gift, help in a month cut by the periods.
    exchanged(riverside, dave, alice, 75, date(2025, 2, 3), "transport", acting=carol)
    transfer_reverse(
        transfer=_transfer_on(riverside, date(2025, 1, 20)), acting=carol, reason="Not done"
    )
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=_account(riverside, bob),
        payee=_account(riverside, alice),
        minutes=15,
        kind="gift",
        occurred_at=at(date(2025, 3, 1)),
    )
    exchanged(riverside, bob, alice, 30, date(2025, 3, 18), "household", acting=carol)
    # In the last month of a period that ends after every date the summary holds: one before
    # the period's end, one after it.
    exchanged(riverside, erin, dave, 45, date(2025, 4, 8), "care", acting=carol)
    exchanged(riverside, dave, erin, 15, date(2025, 4, 20), "care", acting=carol)
    _assert_exact(riverside)

    # Refreshed again in small steps, then more after it: a reversal of what was just folded.
    monkeypatch.setattr(summary, "FOLD_IDS", 2)
    second = summary_refresh()
    assert not second.rebuilt and second.folded > 0
    assert second.watermark == SummaryState.objects.get().watermark
    _assert_exact(riverside)
    transfer_reverse(
        transfer=_transfer_on(riverside, date(2025, 2, 3)), acting=carol, reason="Not done"
    )
    exchanged(riverside, alice, dave, 60, date(2025, 1, 31), "care", acting=carol)
    _assert_exact(riverside)
    assert summary_refresh().folded > 0
    _assert_exact(riverside)
    assert summary_refresh().folded == 0  # nothing new: nothing to do


@pytest.mark.django_db
def test_a_last_month_cut_after_every_date_the_summary_holds_is_read_from_the_summary(
    story, riverside
):
    """A period ending today: its last month's summary rows hold nothing after its end, so they
    are read as they are, not each account's entries in the month (the story's latest help is
    on 2 April)."""
    summary_refresh()
    assert SummaryState.objects.get().latest_at == at(date(2025, 4, 2))

    def looked_up(start, end):
        with CaptureQueriesContext(connection) as queries:
            account_months(riverside, ReportPeriod.checked(start, end))
        captured = [q["sql"] for q in queries.captured_queries]
        (flows,) = [sql for sql in captured if "insights_accountmonth" in sql]
        return "ledger_account a " in flows  # account by account, through their entries

    assert not looked_up(date(2025, 2, 1), date(2025, 4, 10))
    assert looked_up(date(2025, 2, 1), date(2025, 4, 1))  # 2 April's help is after its end
    summary_refresh(rebuild=True)
    assert SummaryState.objects.get().latest_at == at(date(2025, 4, 2))


@pytest.mark.django_db
def test_a_quarter_wholly_in_the_period_is_read_from_its_quarter_rows(story, riverside, carol):
    """Riverside's first quarter of 2025 is one row per account, not three; a reversal in it
    sends that account's quarter back to its month rows, netted, and the figures stay exact."""
    alice, dave = story["alice"], story["dave"]
    summary_refresh()
    assert _quarters() == _quarters_of_months()
    assert {quarter for _account, quarter in _quarters()} >= {202501}

    def flows_read(start, end):
        with CaptureQueriesContext(connection) as queries:
            account_months(riverside, ReportPeriod.checked(start, end))
        (flows,) = [
            q["sql"] for q in queries.captured_queries if "insights_accountmonth" in q["sql"]
        ]
        return flows

    assert "insights_accountquarter" in flows_read(date(2025, 1, 1), date(2025, 3, 31))
    assert "insights_accountquarter" in flows_read(date(2024, 12, 1), date(2025, 4, 30))
    assert "insights_accountquarter" not in flows_read(date(2025, 2, 1), date(2025, 4, 30))
    transfer_reverse(
        transfer=_transfer_on(riverside, date(2025, 2, 20)), acting=carol, reason="Not done"
    )
    exchanged(riverside, alice, dave, 60, date(2025, 3, 31), "care", acting=carol)
    _assert_exact(riverside)
    summary_refresh()
    _assert_exact(riverside)


@pytest.mark.django_db
def test_the_migration_fills_the_quarters_from_the_months_already_folded(story, riverside):
    summary_refresh()
    folded = _quarters()
    AccountQuarter.objects.all().delete()
    migration = importlib.import_module("coproduce.insights.migrations.0008_account_quarters")
    # The migration reads only its editor's connection.
    migration.quarters_from_months(apps, SimpleNamespace(connection=connection))
    assert folded and _quarters() == folded == _quarters_of_months()


@pytest.mark.django_db
def test_summaries_cut_in_another_time_zone_are_not_used_until_rebuilt(story, riverside):
    summary_refresh()
    with override_settings(TIME_ZONE="America/New_York"):
        with CaptureQueriesContext(connection) as queries:
            read = _figures(riverside)
        for table in (
            "insights_accountmonth",
            "insights_accountquarter",
            "insights_helpmonth",
            "insights_tiespan",
            "insights_lasthelp",
        ):
            assert not any(table in q["sql"] for q in queries.captured_queries)
        assert summary_refresh().rebuilt
        assert SummaryState.objects.get().time_zone == "America/New_York"
        _assert_exact(riverside)
        assert _figures(riverside) == read


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refresh_waits_for_a_posting_under_way_and_counts_it_once(riverside, alice, bob, carol):
    """Ids are drawn before commit: a posting holding an id while a refresh reads the largest
    one must not be passed over. On PostgreSQL the refresh waits for it (LOCK TABLE); SQLite's
    writers take turns, so no posting is under way while another transaction writes."""
    from django.db import transaction

    exchanged(riverside, alice, bob, 60, date(2025, 1, 10), "gardening", acting=carol)
    summary_refresh()
    posted, release, refreshed = threading.Event(), threading.Event(), []

    def posting():
        try:
            with transaction.atomic():
                exchanged(riverside, bob, alice, 45, date(2025, 1, 12), "care", acting=carol)
                posted.set()
                release.wait(10)
        finally:
            connections.close_all()

    def refreshing():
        try:
            refreshed.append(summary_refresh())
        finally:
            connections.close_all()

    poster = threading.Thread(target=posting)
    poster.start()
    assert posted.wait(10)
    refresher = threading.Thread(target=refreshing)
    refresher.start()
    waiting = False
    for _ in range(100):  # until the refresh is seen waiting for the posting's lock
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'LOCK TABLE ledger_account%%'"
            )
            waiting = cursor.fetchone()[0] == 1
        if waiting:
            break
        time.sleep(0.05)
    assert waiting and not refreshed
    release.set()
    poster.join(10)
    refresher.join(10)
    newest = Exchange.objects.get(done_at=at(date(2025, 1, 12))).transfer
    assert refreshed[0].watermark >= max(newest.entries.values_list("id", flat=True))
    _assert_exact(riverside)
