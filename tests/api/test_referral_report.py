"""The referral report through the API, as on /referrals/report/: carol reads every
organisation's figures together or one organisation's; dr_patel reads his surgery's and never
the council's; members and other time banks' coordinators are told there is no such report.
Figures only: nobody referred is named."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.core.models import AuditEvent
from tests.partners.conftest import council, make_referral, sam, surgery
from tests.partners.test_outcomes import three_referrals

pytestmark = pytest.mark.django_db
# Fixtures shared with the partners' own tests (the report's figures are proven there).
_ = council, make_referral, sam, surgery, three_referrals


def test_carol_reads_every_organisations_referrals_together(api_as, carol, three_referrals):
    response = api_as(carol).get("/referrals/report")

    assert response.status_code == 200, response.content
    report = response.json()
    assert report["organisation"] is None
    assert [o["name"] for o in report["organisations"]] == [
        "Riverside Council",
        "Riverside Surgery",
    ]
    summary = report["summary"]
    assert summary["referrals"] == 3
    assert summary["by_status"]["active"] == 2 and summary["by_status"]["received"] == 1
    assert summary["median_days_to_first_exchange"] == 15.0
    assert summary["wellbeing"] == {
        "before": {"mean": 19.62, "n": 2},
        "after": {"mean": 22.35, "n": 1},
        "change": {"mean": 5.47, "n": 1},
    }
    assert sum(month["total"] for month in report["months"]) == 3
    goals = {goal["goal"]: goal for goal in report["goals"]}
    assert goals["less_isolated"]["by_progress"] == {"met": 1, "partly": 0, "not_met": 0}
    assert goals["other"]["label"] == "Their own goal"
    for name in ("Edna", "Frank", "Grace", "Wright"):
        assert name not in response.content.decode()


def test_carol_chooses_one_organisation(api_as, carol, council, three_referrals):
    report = api_as(carol).get("/referrals/report", organisation=str(council.public_id)).json()

    assert report["organisation"]["name"] == "Riverside Council"
    assert report["summary"]["referrals"] == 1


def test_dr_patel_reads_his_surgerys_report_and_not_the_councils(
    api_as, dr_patel, council, surgery, three_referrals
):
    as_dr_patel = api_as(dr_patel)

    own = as_dr_patel.get("/referrals/report").json()
    council_report = as_dr_patel.get("/referrals/report", organisation=str(council.public_id))

    assert own["organisation"]["public_id"] == str(surgery.public_id)
    assert [o["name"] for o in own["organisations"]] == ["Riverside Surgery"]
    assert own["summary"]["referrals"] == 2
    assert council_report.status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob", "harry"])
def test_no_one_else_reads_riversides_report(request, api_as, three_referrals, surgery, who):
    api = api_as(request.getfixturevalue(who))

    whole = api.get("/referrals/report")
    one = api.get("/referrals/report", organisation=str(surgery.public_id))

    if who == "harry":  # Hillside's coordinator: his own bank's (no organisation), never ours
        assert whole.status_code == 200
        assert whole.json()["summary"]["referrals"] == 0
        assert whole.json()["organisations"] == []
    else:
        assert whole.status_code == 404
    assert one.status_code == 404


def test_an_organisation_that_is_not_one_is_a_404_and_reading_records_nothing(
    api_as, carol, three_referrals
):
    api = api_as(carol)
    events = AuditEvent.objects.count()

    response = api.get("/referrals/report", organisation="00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert AuditEvent.objects.count() == events


def test_the_report_costs_a_bounded_number_of_queries(api_as, carol, three_referrals):
    api = api_as(carol)
    api.get("/referrals/report")  # the token's last use, written once
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/referrals/report").status_code == 200
    # The token (1), the reader's standing (2, read again by the report's selector), the
    # organisations (1), the figures (6): as on the page.
    assert len(queries) <= 12, [q["sql"] for q in queries]
