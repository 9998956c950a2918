"""Referral outcomes in the insights report, on a small group of people dr_patel's surgery
referred into Riverside, worked out by hand.

Received in the first quarter of 2025 (stages as they stand today; SWEMWBS raw total → metric):
  edna   6 Jan  active     first exchange 16 Jan (10 days)  start 17 → 16.88  review 25 → 22.35
  fred  13 Jan  inducted   first exchange 12 Feb (30 days)  start 21 → 19.25  review 28 → 25.03
  grace  3 Feb  closed     first exchange  5 Feb  (2 days)  start 14 → 15.32  review 21 → 19.25
  hana  10 Feb  inducted   no exchange yet                  start 24 → 21.54
  ian    3 Mar  received   not yet a member                 start 18 → 17.43
  june  20 Mar  could not be reached
Outside it: ken (2 Dec 2024, active, measured 7.00 then 35.00) and lola (2 Apr 2025, received).

So for the quarter: 6 referrals; median days to a first exchange 10 (3 people: 2, 10, 30);
wellbeing at the start (16.88 + 19.25 + 15.32 + 21.54 + 17.43) / 5 = 90.42 / 5 = 18.084 → 18.08
(5 people); at review (22.35 + 25.03 + 19.25) / 3 = 66.63 / 3 = 22.21 (3 people); the change on
edna, fred and grace, measured both times: 22.21 - (16.88 + 19.25 + 15.32) / 3 = 22.21 - 17.15
= +5.06 (3 people). A funder sees the start (5 people) but not the review or the change (3).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zlib
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.insights.outcomes import Measure, Outcomes, outcomes_for
from coproduce.insights.pdf import _outcomes_text, report_pdf
from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from coproduce.insights.tables import COORDINATOR, FUNDER, report_dict, tables
from coproduce.partners.models import Referral
from coproduce.partners.services.referrals import (
    outcome_record,
    referral_create,
    referral_induct,
    referral_move,
)
from tests.insights.conftest import Q1_END, Q1_START, at, exchanged

pytestmark = pytest.mark.django_db

Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31", "timebank": "riverside"}
Q1_PERIOD = ReportPeriod(Q1_START, Q1_END)

RAW_17 = [2, 2, 3, 2, 3, 2, 3]  # 16.88
RAW_25 = [3, 4, 3, 3, 4, 4, 4]  # 22.35
RAW_21 = [3] * 7  # 19.25
RAW_28 = [4] * 7  # 25.03
RAW_14 = [2] * 7  # 15.32
RAW_24 = [4, 4, 4, 3, 3, 3, 3]  # 21.54
RAW_18 = [3, 3, 3, 3, 2, 2, 2]  # 17.43

FUNDER_HIDES = "not shown (fewer than 5 people)"


def _refer(riverside, surgery, dr_patel, first_name: str) -> Referral:
    return referral_create(
        timebank=riverside,
        acting=dr_patel,
        organisation=surgery,
        first_name=first_name,
        last_name="Referred",
        phone="07700 900123",
        contact_preference="phone",
        goals=["less_isolated"],
        consent=True,
        consent_given_by=first_name,
        consent_given_on=timezone.localdate(),
        consent_how="verbal",
    )


def _inducted(referral: Referral, carol) -> Referral:
    today = timezone.localdate()
    referral_move(referral=referral, acting=carol, to_status="contacted", on=today)
    return referral_induct(referral=referral, acting=carol, inducted_on=today)


def _measured(referral: Referral, carol, start: list[int], review: list[int] | None = None):
    today = timezone.localdate()
    outcome_record(referral=referral, acting=carol, stage="start", measured_on=today, items=start)
    if review is not None:
        outcome_record(
            referral=referral,
            acting=carol,
            stage="review",
            measured_on=today,
            items=review,
            goal_progress={"less_isolated": "met"},
        )


def _received_on(referral: Referral, day: date) -> None:
    # Referrals are received "now"; the story is dated in the past, as the exchanges are.
    Referral.objects.filter(pk=referral.pk).update(received_at=at(day))


@pytest.fixture
def referred(riverside, surgery, dr_patel, carol, bob):
    """The referrals in the module's docstring, each through the partners' own services."""
    today = timezone.localdate()
    people = {
        name: _refer(riverside, surgery, dr_patel, name.title())
        for name in ["edna", "fred", "grace", "hana", "ian", "june", "ken", "lola"]
    }
    for name in ["edna", "fred", "grace", "hana", "ken"]:
        people[name] = _inducted(people[name], carol)
    for name in ["edna", "ken"]:
        referral_move(referral=people[name], acting=carol, to_status="active", on=today)
    _measured(people["edna"], carol, RAW_17, RAW_25)
    _measured(people["fred"], carol, RAW_21, RAW_28)
    _measured(people["grace"], carol, RAW_14, RAW_21)
    _measured(people["hana"], carol, RAW_24)
    _measured(people["ian"], carol, RAW_18)
    _measured(people["ken"], carol, [1] * 7, [5] * 7)
    referral_move(referral=people["grace"], acting=carol, to_status="closed", on=today)
    referral_move(
        referral=people["june"],
        acting=carol,
        to_status="unreachable",
        on=today,
        reason="No answer to three calls and a letter.",
    )
    for name, received, first_exchange in [
        ("edna", date(2025, 1, 6), date(2025, 1, 16)),
        ("fred", date(2025, 1, 13), date(2025, 2, 12)),
        ("grace", date(2025, 2, 3), date(2025, 2, 5)),
        ("hana", date(2025, 2, 10), None),
        ("ian", date(2025, 3, 3), None),
        ("june", date(2025, 3, 20), None),
        ("ken", date(2024, 12, 2), date(2024, 12, 4)),
        ("lola", date(2025, 4, 2), None),
    ]:
        _received_on(people[name], received)
        if first_exchange:
            person = people[name].person
            exchanged(riverside, bob, person, 60, first_exchange, "gardening", acting=carol)
    return people


Q1_OUTCOMES = Outcomes(
    referrals=6,
    by_stage={
        "received": 1,
        "contacted": 0,
        "inducted": 2,
        "active": 1,
        "closed": 1,
        "declined": 0,
        "unreachable": 1,
    },
    median_days_to_first_exchange=Measure(10.0, 3),
    wellbeing_start=Measure(18.08, 5),
    wellbeing_review=Measure(22.21, 3),
    wellbeing_change=Measure(5.06, 3),
)


def _row(html: str, label: str) -> list[str]:
    """The cells of the table row whose header is `label`."""
    match = re.search(rf'<tr><th scope="row">{re.escape(label)}</th>(.*?)</tr>', html)
    assert match, f"no row {label!r}"
    return re.findall(r"<td>(.*?)</td>", match.group(1))


def _get(client, name, args=()):
    return client.get(reverse(name, args=args), Q1)


# --- the figures ---------------------------------------------------------------------------------


def test_the_outcomes_are_the_hand_worked_figures_for_the_quarter(referred, riverside):
    assert outcomes_for(riverside, Q1_PERIOD) == Q1_OUTCOMES


def test_referrals_received_outside_the_period_are_not_counted(referred, riverside):
    december = outcomes_for(riverside, ReportPeriod(date(2024, 12, 1), date(2024, 12, 31)))
    assert december is not None
    assert december.referrals == 1  # ken alone
    assert december.by_stage["active"] == 1
    assert december.median_days_to_first_exchange == Measure(2.0, 1)
    assert december.wellbeing_change == Measure(28.0, 1)  # 35.00 - 7.00
    april = outcomes_for(riverside, ReportPeriod(date(2025, 4, 1), date(2025, 4, 30)))
    assert april is not None
    assert (april.referrals, april.by_stage["received"]) == (1, 1)  # lola alone


def test_a_period_with_no_referrals_in_it_reports_zeros_not_the_notice(referred, riverside):
    quiet = outcomes_for(riverside, ReportPeriod(date(2020, 1, 1), date(2020, 1, 31)))
    assert quiet is not None
    assert quiet.referrals == 0
    assert quiet.median_days_to_first_exchange == Measure(None, 0)
    assert quiet.wellbeing_start == Measure(None, 0)


def test_a_time_bank_that_never_had_a_referral_has_no_outcomes(riverside, carol):
    assert outcomes_for(riverside, Q1_PERIOD) is None


def test_hillside_does_not_see_riversides_referrals(referred, hillside):
    assert outcomes_for(hillside, Q1_PERIOD) is None


def test_funders_see_no_wellbeing_figure_behind_fewer_than_5_people():
    funders = Q1_OUTCOMES.for_funders()
    assert funders.wellbeing_start == Measure(18.08, 5)
    hidden = Measure(None, None, suppressed=True)
    assert funders.wellbeing_review == hidden
    assert funders.wellbeing_change == hidden
    # The wait for a first exchange and the stages are not health data: they stay.
    assert funders.median_days_to_first_exchange == Measure(10.0, 3)
    assert funders.by_stage == Q1_OUTCOMES.by_stage
    # No one measured at all is nothing to hide.
    assert Measure(None, 0).without_small_group() == Measure(None, 0)


def test_outcomes_cost_one_query_without_referrals_and_five_with_them(
    referred, riverside, hillside, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert outcomes_for(hillside, Q1_PERIOD) is None
    with django_assert_num_queries(5):
        assert outcomes_for(riverside, Q1_PERIOD) is not None


# --- the pages -----------------------------------------------------------------------------------


def test_carol_sees_every_outcome_figure_on_her_report(referred, carol, login):
    response = _get(login(carol), "insights:report")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No referral data yet" not in html
    assert "6 referrals from partner organisations were received in this period." in html
    assert '<caption id="caption-referrals">' in html
    assert _row(html, "Received") == ["1"]
    assert _row(html, "Inducted") == ["2"]
    assert _row(html, "Could not be reached") == ["1"]
    assert _row(html, "All referrals") == ["6"]
    assert _row(html, "Median days from referral to first exchange") == ["10", "3"]
    assert _row(html, "Wellbeing at the start (mean SWEMWBS metric score)") == ["18.08", "5"]
    assert _row(html, "Wellbeing at review (mean SWEMWBS metric score)") == ["22.21", "3"]
    assert _row(html, "Change in wellbeing from start to review, on the same people") == [
        "+5.06",
        "3",
    ]
    assert "only on the people with both measures" in html  # the method note
    assert FUNDER_HIDES not in html


def test_the_funder_page_hides_the_small_groups_wellbeing(referred, carol, login):
    response = _get(login(carol), "insights:funder")
    assert response.status_code == 200
    html = response.content.decode()
    assert _row(html, "Inducted") == ["2"]
    assert _row(html, "Median days from referral to first exchange") == ["10", "3"]
    assert _row(html, "Wellbeing at the start (mean SWEMWBS metric score)") == ["18.08", "5"]
    hidden = [FUNDER_HIDES, "fewer than 5"]
    assert _row(html, "Wellbeing at review (mean SWEMWBS metric score)") == hidden
    assert _row(html, "Change in wellbeing from start to review, on the same people") == hidden
    assert "22.21" not in html and "5.06" not in html
    assert "A wellbeing figure behind fewer than 5 people is not shown" in html
    for name in ["Edna", "Fred", "Grace"]:
        assert f"{name} Referred" not in html


def test_the_notice_stays_for_a_time_bank_without_referrals(story, carol, login):
    for page in ["insights:report", "insights:funder"]:
        html = _get(login(carol), page).content.decode()
        assert "No referral data yet" in html
        assert 'id="caption-outcomes"' not in html


# --- the exports ---------------------------------------------------------------------------------


def test_the_funders_csv_has_the_outcome_tables_without_the_small_groups(referred, carol, login):
    response = _get(login(carol), "insights:csv", ["funder"])
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    start = rows.index(["Time to first exchange and wellbeing"])
    assert rows[start + 1] == ["Measure", "Value", "People behind it"]
    assert rows[start + 2 : start + 6] == [
        ["Median days from referral to first exchange", "10", "3"],
        ["Wellbeing at the start (mean SWEMWBS metric score)", "18.08", "5"],
        ["Wellbeing at review (mean SWEMWBS metric score)", FUNDER_HIDES, "fewer than 5"],
        [
            "Change in wellbeing from start to review, on the same people",
            FUNDER_HIDES,
            "fewer than 5",
        ],
    ]
    stages = rows.index(["Referrals received in the period, by the stage they have reached"])
    assert rows[stages + 2] == ["Received", "1"]
    assert rows[stages + 9] == ["All referrals", "6"]


def test_carols_csv_of_the_outcomes_table_shows_every_figure(referred, carol, login):
    client = login(carol)
    response = client.get(reverse("insights:table_csv", args=["coordinator", "outcomes"]), Q1)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[3] == ["Wellbeing at review (mean SWEMWBS metric score)", "22.21", "3"]
    assert rows[4] == ["Change in wellbeing from start to review, on the same people", "+5.06", "3"]


def test_the_funders_json_carries_the_outcomes_without_the_small_groups(referred, carol, login):
    data = json.loads(_get(login(carol), "insights:json", ["funder"]).content)
    outcomes = data["outcomes"]
    assert outcomes["referrals"] == 6
    assert outcomes["by_stage"]["unreachable"] == 1
    assert outcomes["median_days_to_first_exchange"] == {
        "value": 10.0,
        "n": 3,
        "suppressed": False,
    }
    assert outcomes["wellbeing_start"] == {"value": 18.08, "n": 5, "suppressed": False}
    hidden = {"value": None, "n": None, "suppressed": True}
    assert outcomes["wellbeing_review"] == hidden
    assert outcomes["wellbeing_change"] == hidden
    assert "22.21" not in json.dumps(data)
    assert "referrals" in data["tables"] and "outcomes" in data["tables"]


def test_carols_json_carries_every_outcome_figure(referred, riverside):
    report = report_build(timebank=riverside, period=Q1_PERIOD)
    outcomes = json.loads(json.dumps(report_dict(report, COORDINATOR)))["outcomes"]
    assert outcomes["wellbeing_review"] == {"value": 22.21, "n": 3, "suppressed": False}
    assert outcomes["wellbeing_change"] == {"value": 5.06, "n": 3, "suppressed": False}


def _pdf_text(pdf: bytes) -> str:
    """The text drawn on the PDF's pages: each stream, ASCII85 then Flate decoded."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data, adobe=True)
        try:
            data = zlib.decompress(data)
        except zlib.error:
            continue
        text.append(data.decode("latin-1"))
    return "\n".join(text)


def test_the_pdf_gives_the_outcomes_without_the_small_groups(referred, riverside):
    report = report_build(timebank=riverside, period=Q1_PERIOD)
    assert _outcomes_text(report) == (
        "6 referrals from partner organisations were received in this period. A wellbeing "
        "figure behind fewer than 5 people is not shown, so that no one can be recognised "
        "from it."
    )
    text = _pdf_text(report_pdf(report))
    assert "Time to first exchange and wellbeing" in text
    assert "18.08" in text
    assert "fewer than 5" in text
    assert "22.21" not in text and "5.06" not in text


def test_the_pdf_still_says_there_is_no_referral_data(story, riverside):
    report = report_build(timebank=riverside, period=Q1_PERIOD)
    assert _outcomes_text(report).startswith("No referral data yet")
    assert not any(t.key in {"referrals", "outcomes"} for t in tables(report, FUNDER))
