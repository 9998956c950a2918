"""Wellbeing outcomes (SWEMWBS), the referral report's figures and the insights function."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_confirm,
    exchange_mark_done,
    exchange_propose,
)
from coproduce.partners import selectors
from coproduce.partners.models import Outcome, Referral
from coproduce.partners.services.referrals import outcome_record, referral_induct, referral_move
from coproduce.partners.swemwbs import METRIC, swemwbs_score

TODAY = timezone.localdate
LOW = [2, 2, 3, 2, 3, 2, 3]  # raw 17 → 16.88
HIGHER = [3, 4, 3, 3, 4, 4, 4]  # raw 25 → 22.35


def test_the_conversion_table_covers_every_raw_total_and_rises():
    assert sorted(METRIC) == list(range(7, 36))
    scores = [Decimal(METRIC[raw]) for raw in range(7, 36)]
    assert scores == sorted(scores)
    assert (scores[0], scores[-1]) == (Decimal("7.00"), Decimal("35.00"))


def test_scores_are_the_published_ones():
    assert swemwbs_score(LOW) == (17, Decimal("16.88"))
    assert swemwbs_score(HIGHER) == (25, Decimal("22.35"))
    assert swemwbs_score([1] * 7) == (7, Decimal("7.00"))
    assert swemwbs_score([5] * 7) == (35, Decimal("35.00"))


@pytest.mark.parametrize("bad", [0, 6, -1, True, "3"])
def test_an_item_outside_1_to_5_is_refused_and_nothing_is_written(edna, carol, bad):
    items = [3, 3, 3, bad, 3, 3, 3]
    with pytest.raises(ApplicationError, match="Statement 4"):
        outcome_record(referral=edna, acting=carol, stage="start", measured_on=TODAY(), items=items)
    assert Outcome.objects.count() == 0


def test_six_answers_are_not_enough(edna, carol):
    with pytest.raises(ApplicationError, match="seven"):
        outcome_record(
            referral=edna, acting=carol, stage="start", measured_on=TODAY(), items=[3] * 6
        )


def test_dr_patel_records_the_start_and_the_review(edna, dr_patel):
    start = outcome_record(
        referral=edna, acting=dr_patel, stage="start", measured_on=TODAY(), items=LOW
    )
    assert (start.raw_total, start.metric_score) == (17, Decimal("16.88"))
    review = outcome_record(
        referral=edna,
        acting=dr_patel,
        stage="review",
        measured_on=TODAY(),
        items=HIGHER,
        goal_progress={"less_isolated": "met", "get_out": "partly", "other": "not_met"},
        own_words="I look forward to Tuesdays now.",
    )
    assert review.metric_score == Decimal("22.35")
    assert review.goal_progress["less_isolated"] == "met"
    assert [g["progress"] for g in review.goal_list] == ["Met", "Partly met", "Not met"]


def test_a_review_needs_a_start_and_every_goal(edna, carol):
    with pytest.raises(Conflict, match="start first"):
        outcome_record(
            referral=edna, acting=carol, stage="review", measured_on=TODAY(), items=HIGHER
        )
    outcome_record(referral=edna, acting=carol, stage="start", measured_on=TODAY(), items=LOW)
    with pytest.raises(ApplicationError, match="each of their goals"):
        outcome_record(
            referral=edna,
            acting=carol,
            stage="review",
            measured_on=TODAY(),
            items=HIGHER,
            goal_progress={"less_isolated": "met"},
        )
    with pytest.raises(Conflict, match="already"):
        outcome_record(referral=edna, acting=carol, stage="start", measured_on=TODAY(), items=LOW)


def test_sam_and_alice_cannot_record_the_surgerys_outcomes(edna, sam, alice):
    for person in (sam, alice):
        with pytest.raises(PermissionDenied):
            outcome_record(
                referral=edna, acting=person, stage="start", measured_on=TODAY(), items=LOW
            )


def _first_exchange(referral: Referral, carol, bob, days_after: int) -> None:
    """bob helps the referred person; it is confirmed `days_after` days after the referral."""
    exchange = exchange_propose(
        timebank=referral.timebank,
        acting=bob,
        providers=[bob],
        receivers=[referral.person],
        title="Help in the garden",
        category="gardening",
        expected_minutes=60,
    )
    exchange_agree(exchange=exchange, acting=carol)
    exchange_mark_done(exchange=exchange, acting=bob, actual_minutes=60)
    exchange_confirm(exchange=exchange, acting=carol)
    exchange.refresh_from_db()
    Referral.objects.filter(pk=referral.pk).update(
        received_at=exchange.confirmed_at - timedelta(days=days_after)
    )


def _inducted(make_referral, carol, **kw) -> Referral:
    referral = make_referral(**kw)
    referral_move(referral=referral, acting=carol, to_status="contacted", on=TODAY())
    return referral_induct(referral=referral, acting=carol, inducted_on=TODAY())


@pytest.fixture
def three_referrals(make_referral, carol, bob, sam, council):
    """Edna (10 days to her first exchange, measured before and after), Frank (20 days, measured
    at the start only), and Grace from the council, who has not been contacted."""
    edna = _inducted(make_referral, carol)
    frank = _inducted(make_referral, carol, first_name="Frank", last_name="Okoro")
    _first_exchange(edna, carol, bob, 10)
    _first_exchange(frank, carol, bob, 20)
    for referral, items in ((edna, LOW), (frank, HIGHER)):
        outcome_record(
            referral=referral, acting=carol, stage="start", measured_on=TODAY(), items=items
        )
    outcome_record(
        referral=edna,
        acting=carol,
        stage="review",
        measured_on=TODAY(),
        items=HIGHER,
        goal_progress={"less_isolated": "met", "get_out": "met", "other": "partly"},
    )
    grace = make_referral(acting=sam, organisation=council, first_name="Grace")
    return edna, frank, grace


def test_the_outcomes_for_insights(three_referrals, riverside):
    year_ago = TODAY() - timedelta(days=365)
    figures = selectors.referral_outcomes(timebank=riverside, start=year_ago, end=TODAY())
    assert figures == {
        "referrals": 3,
        "by_stage": {
            "received": 1,
            "contacted": 0,
            "inducted": 0,  # their first exchanges moved them on
            "active": 2,
            "closed": 0,
            "declined": 0,
            "unreachable": 0,
        },
        "median_days_to_first_exchange": 15.0,
        "first_exchange_n": 2,
        "swemwbs": {
            "before": {"mean": 19.62, "n": 2},  # (16.88 + 22.35) / 2
            "after": {"mean": 22.35, "n": 1},
            "change": {"mean": 5.47, "n": 1},  # edna: 22.35 - 16.88
        },
    }


def test_the_outcomes_count_only_referrals_received_in_the_period(three_referrals, riverside):
    long_ago = date(2001, 1, 1)
    figures = selectors.referral_outcomes(
        timebank=riverside, start=long_ago, end=long_ago + timedelta(days=30)
    )
    assert figures["referrals"] == 0
    assert figures["median_days_to_first_exchange"] is None
    assert figures["swemwbs"]["before"] == {"mean": None, "n": 0}


def test_the_surgerys_report_leaves_the_council_out(three_referrals, dr_patel, riverside, surgery):
    report = selectors.referral_report(person=dr_patel, timebank=riverside, organisation=surgery)
    assert report["summary"]["referrals"] == 2
    assert sum(row["total"] for row in report["months"]) == 2
    goals = {row["label"]: row["counts"] for row in report["goals"]}
    assert goals["Feel less isolated"] == [1, 0, 0]
    assert goals["Their own goal"] == [0, 1, 0]


def test_the_report_reads_in_a_bounded_number_of_queries(
    three_referrals, carol, riverside, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        selectors.referral_report(person=carol, timebank=riverside, organisation=None)
