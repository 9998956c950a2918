"""Only Riverside's coordinator sees Riverside's dashboard; everyone else is told there is no
such page, and another time bank's coordinator sees only their own community."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership
from tests.conftest import _join, _person

PAGES = ["/coordinator/", "/coordinator/applications/", "/coordinator/near-limit/"]


@pytest.fixture
def waiting_applicant(riverside):
    return _join(riverside, _person("walter", "Walter", "Waiting"), status="applied")


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, riverside, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", PAGES)
def test_alice_a_member_gets_a_404(login, alice, url):
    assert login(alice).get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_dr_patel_a_professional_gets_a_404(login, dr_patel, url):
    assert login(dr_patel).get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_a_paused_coordinator_gets_a_404(login, carol, riverside, url):
    Membership.objects.filter(person=carol).update(status="paused")
    assert login(carol).get(url).status_code == 404


def test_carol_the_coordinator_sees_her_dashboard(login, carol, waiting_applicant):
    response = login(carol).get("/coordinator/")
    assert response.status_code == 200
    assert "Walter Waiting" in response.content.decode()


def test_an_unknown_list_is_a_404_even_for_carol(login, carol):
    assert login(carol).get("/coordinator/nothing-here/").status_code == 404


def test_harry_sees_only_hillside_not_riversides_applicants(login, harry, waiting_applicant):
    client = login(harry)
    for url in ["/coordinator/", "/coordinator/applications/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "Hillside" in response.content.decode()
        assert "Walter" not in response.content.decode()


def test_harry_cannot_switch_himself_into_riverside(login, harry, waiting_applicant):
    client = login(harry)
    assert client.post("/switch/", {"timebank": "riverside"}).status_code == 404
    # Even with Riverside's slug forced into his session, he stays in Hillside.
    session = client.session
    session["timebank_slug"] = "riverside"
    session.save()
    response = client.get("/coordinator/")
    assert "Walter" not in response.content.decode()
    assert "Hillside" in response.content.decode()
