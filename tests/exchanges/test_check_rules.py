"""The time bank's check rule (care and help with children need a current enhanced check of
whoever gives the help) holds on every path that arranges an exchange: the web form, the API,
matching's one-click invite, a coordinator's log of finished help, and agreeing later. Each
refusal says why and writes nothing.

Alice has no check; bob's expired yesterday; dan's is current."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduce.api.services import token_create
from coproduce.community.models import SafeguardingCheck
from coproduce.core.categories import Category
from coproduce.core.errors import ApplicationError
from coproduce.exchanges.models import Exchange, Participant, Request
from coproduce.exchanges.services import exchanges as services
from coproduce.ledger.models import Transfer
from tests.exchanges.conftest import propose


def _check(timebank, person, carol, *, expires_in_days: int) -> SafeguardingCheck:
    today = timezone.localdate()
    return SafeguardingCheck.objects.create(
        timebank=timebank,
        person=person,
        kind="enhanced",
        checked_on=today - timedelta(days=1000),
        expires_on=today + timedelta(days=expires_in_days),
        recorded_by=carol,
    )


def _nothing_written() -> None:
    assert not Exchange.objects.exists()
    assert not Participant.objects.exists()
    assert not Transfer.objects.exists()


@pytest.fixture
def bobs_expired_check(riverside, bob, carol):
    return _check(riverside, bob, carol, expires_in_days=-1)


def test_the_service_refuses_care_from_a_giver_with_no_check(riverside, alice, bob):
    with pytest.raises(ApplicationError, match="none is recorded") as refused:
        propose(riverside, alice, bob, category=Category.CARE, title="Sit with mum")
    assert refused.value.code == "check_needed"
    assert "Alice Ahmed cannot give help with “Care”" in refused.value.message
    _nothing_written()


def test_a_check_that_expired_is_refused_and_says_when(riverside, alice, bob, bobs_expired_check):
    yesterday = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    with pytest.raises(ApplicationError, match=f"expired on {yesterday}"):
        propose(riverside, bob, alice, category=Category.CHILDREN, title="School run")
    _nothing_written()


def test_a_check_counts_until_the_day_it_expires(riverside, alice, bob, carol):
    check = _check(riverside, bob, carol, expires_in_days=1)
    assert propose(riverside, bob, alice, category=Category.CARE).status == "proposed"
    check.expires_on = timezone.localdate()
    check.save()
    with pytest.raises(ApplicationError, match="expired on"):
        propose(riverside, bob, alice, category=Category.CARE, title="Another visit")


def test_a_current_check_lets_care_be_arranged_and_other_help_needs_none(
    riverside, alice, bob, dan, carol
):
    _check(riverside, dan, carol, expires_in_days=300)
    assert propose(riverside, dan, alice, category=Category.CARE).status == "proposed"
    assert propose(riverside, alice, bob, category=Category.GARDENING).status == "proposed"


def test_only_the_givers_need_the_check_in_a_group_session(riverside, alice, bob, dan, carol):
    _check(riverside, dan, carol, expires_in_days=300)
    session = propose(riverside, dan, [alice, bob], acting=dan, category=Category.CHILDREN)
    assert session.participants.count() == 3
    with pytest.raises(ApplicationError, match="Alice Ahmed cannot give"):
        propose(riverside, [dan, alice], bob, category=Category.CHILDREN, title="Team")


def test_the_rule_is_the_time_banks_own(riverside, alice, bob):
    riverside.checks_needed = {"gardening": "reference"}
    riverside.save()
    with pytest.raises(ApplicationError, match="Reference checked"):
        propose(riverside, alice, bob)
    assert propose(riverside, alice, bob, category=Category.CARE).status == "proposed"


def test_the_web_form_refuses_and_writes_nothing(login, alice, bob):
    response = login(bob).post(
        reverse("exchanges:exchange_new"),
        {"my_role": "receiving", "others": "alice", "title": "Sit with mum",
         "category": "care", "hours": "1", "paid_by": "receivers"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Alice Ahmed cannot give help with “Care”" in response.content.decode()
    _nothing_written()


def test_the_api_refuses_and_writes_nothing(riverside, alice, bob, settings):
    settings.ROOT_URLCONF = "tests.api.urls"
    _token, plaintext = token_create(
        person=bob, timebank=riverside, name="bob's app", scopes=["read", "write"]
    )
    response = Client().post(
        "/api/v1/exchanges",
        json.dumps({"role": "receiving", "others": ["alice"], "title": "Sit with mum",
                    "category": "care", "minutes": 60}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {plaintext}"},
    )  # fmt: skip
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "check_needed"
    assert "Alice Ahmed cannot give help with “Care”" in body["detail"]
    _nothing_written()


def test_matchings_invite_refuses_in_the_same_words(login, riverside, carol, alice, bob):
    wanted = Request.objects.create(
        timebank=riverside, person=alice, title="Someone to sit with my mum", category="care",
        created_at=timezone.now(),
    )  # fmt: skip
    client = login(carol)
    response = client.post(
        reverse("matching:invite", args=[wanted.public_id, bob.public_id]), follow=True
    )
    assert "Bob Brown cannot give help with “Care”" in response.content.decode()
    _nothing_written()


def test_a_coordinators_log_of_finished_help_is_refused(
    login, riverside, carol, alice, bob, bobs_expired_check
):
    response = login(carol).post(
        reverse("exchanges:exchange_log"),
        {"provider": "bob", "receiver": "alice", "title": "Babysitting", "category": "children",
         "hours": "2", "done_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Bob Brown cannot give help with “Children and families”" in response.content.decode()
    _nothing_written()


def test_agreeing_after_the_check_expired_is_refused(riverside, alice, bob, carol):
    check = _check(riverside, bob, carol, expires_in_days=5)
    visit = propose(riverside, bob, alice, category=Category.CARE)  # alice asked bob
    check.expires_on = timezone.localdate()
    check.save()
    with pytest.raises(ApplicationError, match="expired on"):
        services.exchange_agree(exchange=visit, acting=bob)
    visit.refresh_from_db()
    assert visit.status == "proposed"


def test_organisations_are_not_checked(riverside, alice, dr_patel, surgery):
    exchange = propose(riverside, surgery, alice, acting=dr_patel, category=Category.CARE)
    assert exchange.status == "proposed"
