"""The coordinator's and the funder's pages, and the exports, seen by each person in our story."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from coproduce.core.models import AuditEvent
from tests.insights.conftest import report_queries

pytestmark = pytest.mark.django_db

Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31", "timebank": "riverside"}
PRIVATE = [
    ("insights:report", []),
    ("insights:funder", []),
    ("insights:pdf", []),
    ("insights:csv", ["coordinator"]),
    ("insights:json", ["funder"]),
    ("insights:table_csv", ["coordinator", "at_risk"]),
]


def _get(client, name, args=(), **params):
    return client.get(reverse(name, args=args), {**Q1, **params})


def test_carol_sees_the_report_with_the_people_at_risk(story, carol, login):
    response = _get(login(carol), "insights:report")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Members at risk of isolation" in html
    assert "Gina Green" in html and "Ivy Ingram" in html
    # The figures and the network picture's data are on the page.
    assert 'id="chart-data"' in html and 'id="network-data"' in html
    assert "vendor/chart.js-chart.umd.min.js" in html
    assert "No referral data yet" in html


def test_the_isolation_list_links_to_each_persons_page(story, carol, login):
    response = _get(login(carol), "insights:report")
    html = response.content.decode()
    profile = reverse("community:profile", args=[story["gina"].public_id])
    assert f'href="{profile}"' in html


@pytest.mark.parametrize(("name", "args"), PRIVATE)
def test_alice_a_member_gets_no_insights(story, alice, login, name, args):
    assert _get(login(alice), name, args).status_code == 404


@pytest.mark.parametrize(("name", "args"), PRIVATE)
def test_dr_patel_a_professional_gets_no_insights(story, dr_patel, login, name, args):
    assert _get(login(dr_patel), name, args).status_code == 404


@pytest.mark.parametrize(("name", "args"), PRIVATE)
def test_harry_cannot_see_riversides_insights(story, harry, login, name, args):
    assert _get(login(harry), name, args).status_code == 404


@pytest.mark.parametrize(("name", "args"), PRIVATE)
def test_an_anonymous_visitor_is_sent_to_sign_in(story, client, name, args):
    response = _get(client, name, args)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_harry_sees_only_hillside_in_his_own_report(story, harry, login):
    response = _get(login(harry), "insights:report", timebank="hillside")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hillside Time Bank" in html
    assert "Gina Green" not in html and "Alice Ahmed" not in html


def test_the_funder_page_names_no_one(story, carol, login):
    response = _get(login(carol), "insights:funder")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Headline figures" in html
    for person in ["Alice Ahmed", "Bob Brown", "Gina Green", "Ivy Ingram", "Frank Fisher"]:
        assert person not in html
    assert 'id="network-data"' not in html
    assert "@media print" not in html  # print CSS lives in the stylesheet
    assert "insights/insights.css" in html


def test_a_start_after_the_end_is_explained_on_the_form(story, carol, login):
    response = _get(login(carol), "insights:report", date_from="2025-04-01", date_to="2025-01-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The start date is after the end date" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_date_to_error' in html or "id_date_to_error" in html


def test_a_date_that_is_not_a_date_is_explained(story, carol, login):
    response = _get(login(carol), "insights:report", date_from="next tuesday")
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def test_the_pdf_downloads(story, carol, login):
    response = _get(login(carol), "insights:pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "riverside-funder-2025-01-01-2025-03-31.pdf" in response["Content-Disposition"]


def test_the_json_export_carries_the_figures(story, carol, login):
    response = _get(login(carol), "insights:json", ["funder"])
    data = json.loads(response.content)
    assert data["figures"]["help_minutes"] == 480
    assert data["figures"]["exchanges"] == 6
    assert data["outcomes"] is None
    assert data["value"]["is_estimate"] is True
    assert "members" not in data["tables"]  # the funder's export names no one
    assert "Gina Green" not in response.content.decode()


def test_every_table_downloads_as_csv(story, carol, login):
    client = login(carol)
    for key in [
        "monthly",
        "retention",
        "reciprocity",
        "accounts",
        "organisations",
        "network",
        "value",
        "members",
        "at_risk",
        "connectors",
    ]:
        response = _get(client, "insights:table_csv", ["coordinator", key])
        assert response.status_code == 200, key
        assert response["Content-Type"].startswith("text/csv")
    at_risk = _get(client, "insights:table_csv", ["coordinator", "at_risk"]).content.decode()
    assert at_risk.splitlines()[1].startswith("Gina Green,Eastfield,never,0,")


def test_the_funder_cannot_download_a_table_with_names(story, carol, login):
    response = _get(login(carol), "insights:table_csv", ["funder", "members"])
    assert response.status_code == 404


def test_an_unknown_audience_is_not_found(story, carol, login):
    assert _get(login(carol), "insights:csv", ["everyone"]).status_code == 404


def test_a_bad_period_on_an_export_is_a_clear_400(story, carol, login):
    response = _get(login(carol), "insights:json", ["funder"], date_to="2024-01-01")
    assert response.status_code == 400
    assert "start date is after the end date" in response.content.decode()


def test_exporting_names_leaves_an_audit_row(story, carol, login):
    _get(login(carol), "insights:csv", ["coordinator"])
    event = AuditEvent.objects.get(action="insights.export")
    assert (event.actor, event.target) == (carol, "csv")


def test_the_report_page_costs_a_fixed_number_of_queries(
    story, carol, login, django_assert_max_num_queries
):
    client = login(carol)
    # The report (13 on SQLite, 16 on PostgreSQL: `report_queries`) and six for the page itself
    # (session, person, navigation and the time bank chooser).
    with django_assert_max_num_queries(report_queries() + 6):
        assert _get(client, "insights:report").status_code == 200
