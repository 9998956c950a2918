"""The funder's ties read from each pair's kept first and last exchange (`insights.TieSpan`)
are exactly the ties grouped from the pairings: whatever was reversed or posted since the last
refresh, for pairs who met either side of the period but not in it, in a time bank the
summaries have never seen, and however often the refresh runs. The refresh writes only the
summaries, never the ledger."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.community.models import TimeBank
from coproduce.exchanges.models import Exchange
from coproduce.insights.models import SummaryState, TieSpan
from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from coproduce.insights.summary import summary_refresh
from coproduce.ledger.models import Entry, Transfer
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import transfer_reverse
from tests.insights.conftest import Q1_END, Q1_START, _account, at, exchanged

pytestmark = pytest.mark.django_db

Q1 = (Q1_START, Q1_END)


def _network(timebank, dates=Q1, *, summaries=True):
    """The funder's network figures for the period: ties, nodes, new ties, and who hangs on a
    single partner; with the kept summaries, or (`summaries=False`) as if never built."""
    kept = SummaryState.objects.values_list("time_zone", flat=True).get()
    if not summaries:
        SummaryState.objects.update(time_zone="")
    try:
        with CaptureQueriesContext(connection) as queries:
            report = report_build(
                timebank=timebank, period=ReportPeriod.checked(*dates), named=False
            )
    finally:
        SummaryState.objects.update(time_zone=kept)
    read_spans = any("insights_tiespan" in q["sql"] for q in queries.captured_queries)
    assert read_spans == (summaries and bool(kept))
    network = report.network
    single = sorted(r.party.account_id for r in network.at_risk if r.partners == 1)
    return network.summary.ties, network.summary.nodes, network.new_ties, single


def _exact(timebank, dates=Q1):
    """The figures from the summaries, checked against the pairings grouped."""
    figures = _network(timebank, dates)
    assert figures == _network(timebank, dates, summaries=False)
    return figures


def _span(a, b):
    one, other = sorted((a.pk, b.pk))
    return TieSpan.objects.filter(one_id=one, other_id=other).first()


def test_a_reversal_after_the_refresh_takes_the_tie_out(story, riverside, carol):
    alice, ivy = _account(riverside, story["alice"]), _account(riverside, story["ivy"])
    summary_refresh()
    ties, nodes, new_ties, _single = _exact(riverside)
    care = Exchange.objects.get(timebank=riverside, done_at=at(date(2025, 3, 25))).transfer
    transfer_reverse(transfer=care, acting=carol, reason="Ivy was away that week")

    # The span is as it was (the summary knows of no reversal); the report reads the pair live.
    assert _span(alice, ivy) is not None
    assert _exact(riverside)[:3] == (ties - 1, nodes - 1, new_ties - 1)


def test_a_pair_keeps_its_tie_when_only_one_of_its_exchanges_is_reversed(story, riverside, carol):
    """Frank helped alice and dave together on 20 February, and alice helped frank on 12 March;
    the February exchange is reversed after the refresh: frank and alice still met in the
    period (read live, their span no longer to be trusted), frank and dave did not."""
    frank, alice = story["frank"], story["alice"]
    exchanged(riverside, alice, frank, 30, date(2025, 3, 12), "learning", acting=carol)
    summary_refresh()
    ties, nodes, new_ties, _single = _exact(riverside)
    together = Exchange.objects.get(timebank=riverside, done_at=at(date(2025, 2, 20))).transfer
    transfer_reverse(transfer=together, acting=carol, reason="Logged under the wrong people")

    assert _exact(riverside)[:3] == (ties - 1, nodes, new_ties - 1)  # dave has bob still


def test_a_reversal_before_the_refresh_is_still_left_out(story, riverside):
    bob, erin = _account(riverside, story["bob"]), _account(riverside, story["erin"])
    summary_refresh()
    assert _span(bob, erin) is not None  # bob's household help to erin, reversed in the story
    ties, _nodes, _new, _single = _exact(riverside)
    # alice and bob, bob and dave, the surgery and erin, frank and alice, frank and dave, erin
    # and alice, alice and ivy
    assert ties == 7


def test_a_pairing_after_the_refresh_is_read_live(story, riverside, carol):
    gina, hal = _account(riverside, story["gina"]), _account(riverside, story["hal"])
    summary_refresh()
    ties, nodes, new_ties, single = _exact(riverside)
    assert hal.pk not in single
    exchanged(riverside, story["gina"], story["hal"], 45, date(2025, 2, 11), "care", acting=carol)

    assert _span(gina, hal) is None
    now = _exact(riverside)
    assert now[:3] == (ties + 1, nodes + 2, new_ties + 1)
    assert {gina.pk, hal.pk} <= set(now[3])  # each with one partner


def test_a_kept_pair_meeting_again_after_the_refresh_is_one_tie_and_not_a_new_one(
    story, riverside, carol
):
    """Alice and bob met before the period (10 December) and in it; after the refresh they
    meet again: their kept span and the live pairing are merged into one tie, still not new
    (the live pairing alone would say new, the two side by side would count the tie twice)."""
    alice, bob = story["alice"], story["bob"]
    summary_refresh()
    before = _exact(riverside)
    exchanged(riverside, alice, bob, 30, date(2025, 3, 20), "gardening", acting=carol)

    assert _span(_account(riverside, alice), _account(riverside, bob)) is not None
    assert _exact(riverside) == before


def test_a_pair_who_met_before_and_after_the_period_but_not_in_it(story, riverside, carol):
    """Bob and dave met on 20 January and 2 April: from February to March their span goes
    round the period without telling whether they met in it; a look-up says they did not,
    until they do."""
    bob, dave = story["bob"], story["dave"]
    february_to_march = (date(2025, 2, 1), date(2025, 3, 31))
    summary_refresh()
    before = _exact(riverside, february_to_march)

    exchanged(riverside, dave, bob, 30, date(2025, 3, 5), "transport", acting=carol)
    summary_refresh()  # now inside the span: found by the look-up, not read live
    span = _span(_account(riverside, bob), _account(riverside, dave))
    assert (span.first_at, span.last_at) == (at(date(2025, 1, 20)), at(date(2025, 4, 2)))
    after = _exact(riverside, february_to_march)
    assert after[0] == before[0] + 1 and after[2] == before[2]  # a tie, and not a new one


def test_a_bank_with_no_summaries_yet_groups_its_pairings(story, riverside, carol):
    from tests.conftest import _join, _person

    assert SummaryState.objects.get().tie_watermark == 0  # as migrated
    never = _network(riverside, summaries=False)
    assert _network(riverside) == never  # the summaries are not read before a refresh

    # A bank opened after the refresh: no span of its own, its exchanges all read live.
    summary_refresh()
    lakeside = TimeBank.objects.create(slug="lakeside", name="Lakeside Time Bank")
    lena = _join(lakeside, _person("lena", "Lena", "Lake"), role="coordinator")
    mo = _join(lakeside, _person("mo", "Mo", "Marsh"))
    exchanged(lakeside, mo, lena, 60, date(2025, 3, 1), "care", acting=lena)
    assert not TieSpan.objects.filter(timebank=lakeside).exists()
    assert _exact(lakeside)[:3] == (1, 2, 1)
    assert _exact(riverside) == never


def test_a_refresh_run_twice_changes_nothing_the_second_time_and_never_the_ledger(
    story, riverside, carol
):
    ledger = (
        list(Transfer.objects.order_by("pk").values_list()),
        list(Entry.objects.order_by("pk").values_list()),
    )
    first = summary_refresh()
    spans = list(TieSpan.objects.order_by("pk").values_list())
    state = SummaryState.objects.values_list("watermark", "pairing_watermark", "tie_watermark")
    marks = state.get()
    assert first.rebuilt and len(spans) == 9  # eight of riverside's pairs and hillside's one

    again = summary_refresh()
    assert (again.folded, again.rebuilt) == (0, False)
    assert list(TieSpan.objects.order_by("pk").values_list()) == spans
    assert state.get() == marks

    # Folding more moves only the pair it concerns, and a rebuild comes back to the same spans.
    exchanged(riverside, story["alice"], story["bob"], 30, date(2025, 5, 6), "care", acting=carol)
    summary_refresh()
    alice_bob = _span(_account(riverside, story["alice"]), _account(riverside, story["bob"]))
    assert (alice_bob.first_at, alice_bob.last_at) == (at(date(2024, 12, 10)), at(date(2025, 5, 6)))
    moved = list(TieSpan.objects.order_by("pk").values_list())
    assert [s for s in moved if s[0] != alice_bob.pk] == [s for s in spans if s[0] != alice_bob.pk]
    summary_refresh(rebuild=True)
    rebuilt = TieSpan.objects.values_list(
        "timebank_id", "one_id", "other_id", "first_at", "last_at"
    )
    assert sorted(rebuilt) == sorted(s[1:] for s in moved)

    assert (
        list(Transfer.objects.order_by("pk").values_list())[: len(ledger[0])],
        list(Entry.objects.order_by("pk").values_list())[: len(ledger[1])],
    ) == ledger
    assert ledger_verify(timebank_id=riverside.pk).ok


def test_spans_emptied_by_a_rebuild_after_their_mark_was_read_are_not_trusted(
    story, riverside, monkeypatch
):
    """A rebuild starts between the report reading how far the spans go and reading them: the
    statement sees the mark gone back and the ties are read again (then from the pairings)."""
    from coproduce.insights import tie_reads

    summary_refresh()
    expected = _network(riverside)
    statement, calls = tie_reads._ties_statement, []

    def rebuilt_meanwhile(*args):
        calls.append(args[-1])
        if len(calls) == 1:
            TieSpan.objects.all().delete()
            SummaryState.objects.update(tie_watermark=0)
        return statement(*args)

    monkeypatch.setattr(tie_reads, "_ties_statement", rebuilt_meanwhile)
    report = report_build(timebank=riverside, period=ReportPeriod.checked(*Q1), named=False)
    assert len(calls) == 1  # read once from the spans, then (mark 0) from the pairings
    assert report.network.summary.ties == expected[0]
    assert report.network.new_ties == expected[2]
