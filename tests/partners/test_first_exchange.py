"""A referral moves on by itself at the referred person's first exchange, the referrer sees the
date of it (and nothing else of the exchange), and new referrals wait on the coordinator's
dashboard (issue 13, defect 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_confirm,
    exchange_log_finished,
    exchange_mark_done,
    exchange_propose,
)
from coproduce.partners.models import Referral, ReferralEvent
from coproduce.partners.services.referrals import referral_induct, referral_move


def TODAY():
    return timezone.localdate()


def _inducted(make_referral, carol, **kw) -> Referral:
    referral = make_referral(**kw)
    referral_move(referral=referral, acting=carol, to_status="contacted", on=TODAY())
    return referral_induct(referral=referral, acting=carol, inducted_on=TODAY())


def _bob_helps(referral: Referral, bob, carol, *, title: str = "Help in the garden"):
    exchange = exchange_propose(
        timebank=referral.timebank,
        acting=bob,
        providers=[bob],
        receivers=[referral.person],
        title=title,
        category="gardening",
        expected_minutes=60,
    )
    exchange_agree(exchange=exchange, acting=carol)
    exchange_mark_done(exchange=exchange, acting=bob, actual_minutes=60)
    return exchange


def test_the_first_confirmed_exchange_makes_the_referral_active(make_referral, carol, bob):
    edna = _inducted(make_referral, carol)
    exchange = _bob_helps(edna, bob, carol)
    assert Referral.objects.get(pk=edna.pk).status == "inducted"  # done, not yet confirmed
    exchange_confirm(exchange=exchange, acting=carol)
    edna.refresh_from_db()
    assert (edna.status, edna.active_on) == ("active", TODAY())
    event = edna.events.last()
    assert (event.from_status, event.to_status) == ("inducted", "active")
    assert event.reason == "First exchange confirmed"
    # The step is the person's own: the referrer's history never names bob.
    assert event.recorded_by == edna.person
    # A second exchange moves nothing further.
    events = ReferralEvent.objects.count()
    exchange_confirm(exchange=_bob_helps(edna, bob, carol, title="Again"), acting=carol)
    assert ReferralEvent.objects.count() == events
    assert Referral.objects.get(pk=edna.pk).status == "active"


def test_an_exchange_a_coordinator_logs_counts_too(make_referral, carol, bob, riverside):
    edna = _inducted(make_referral, carol)
    exchange_log_finished(
        timebank=riverside,
        acting=carol,
        provider=bob,
        receiver=edna.person,
        title="Shopping",
        category="gardening",
        minutes=60,
        done_on=TODAY() - timedelta(days=1),
    )
    assert Referral.objects.get(pk=edna.pk).status == "active"


def test_a_referral_moved_on_by_hand_is_left_alone(make_referral, carol, bob):
    edna = _inducted(make_referral, carol)
    referral_move(referral=edna, acting=carol, to_status="closed", on=TODAY(), reason="Moved")
    exchange_confirm(exchange=_bob_helps(edna, bob, carol), acting=carol)
    assert Referral.objects.get(pk=edna.pk).status == "closed"


def test_the_referrer_sees_the_first_exchange_date_but_not_the_exchange(
    make_referral, carol, bob, dr_patel, login
):
    edna = _inducted(make_referral, carol)
    url = reverse("partners:referral", args=[edna.public_id])
    before = login(dr_patel).get(url).content.decode()
    assert "First exchange" in before and "Not yet" in before
    exchange_confirm(exchange=_bob_helps(edna, bob, carol), acting=carol)
    page = login(dr_patel).get(url).content.decode()
    assert "First exchange" in page
    assert timezone.localdate().strftime("%-d %B %Y") in page
    assert "First exchange confirmed" in page  # the history's step
    assert "Help in the garden" not in page and "Bob" not in page


@pytest.fixture
def dashboard(login, carol):
    client = login(carol)

    def read() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("coordinator:dashboard"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    return read


def _section(html: str, key: str) -> str:
    start = html.index(f'<section id="{key}"')
    return html[start : html.index("</section>", start)]


def test_new_referrals_wait_on_the_coordinators_dashboard(make_referral, carol, dashboard):
    edna = make_referral()
    _queries, html = dashboard()
    section = _section(html, "referrals")
    assert "New referrals" in section
    assert reverse("partners:referral", args=[edna.public_id]) in section
    assert "Riverside Surgery" in section
    # Once contacted it has left the list.
    referral_move(referral=edna, acting=carol, to_status="contacted", on=TODAY())
    assert "None at the moment" in _section(dashboard()[1], "referrals")


def test_the_referrals_section_costs_one_query_whatever_their_number(
    make_referral, dashboard, django_assert_max_num_queries
):
    for n in range(3):
        make_referral(first_name=f"Few{n}")
    few, html = dashboard()
    assert '<span class="todo-count">3</span> in all.' in _section(html, "referrals")
    for n in range(30):
        make_referral(first_name=f"Many{n}")
    with django_assert_max_num_queries(22):
        many, html = dashboard()
    assert many == few
    assert '<span class="todo-count">33</span> in all.' in _section(html, "referrals")
    assert reverse("coordinator:section", args=["referrals"]) in html


def test_the_see_all_page_lists_every_new_referral(make_referral, login, carol):
    for n in range(12):
        make_referral(first_name=f"Person{n:02}")
    page = login(carol).get(reverse("coordinator:section", args=["referrals"]))
    assert page.status_code == 200
    assert page.content.decode().count("Person") >= 12
