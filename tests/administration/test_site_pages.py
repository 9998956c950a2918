"""The site administrator's pages (issue 12): rosa sees every time bank with its size and health,
makes a new one (the same service as `coproduce timebank create`, the link shown once), and
invites, re-invites and stops inviting each bank's coordinators. Nobody else sees any of it (a
404, coordinators included), and nothing there deletes a time bank's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.administration.selectors import timebanks_overview
from coproduce.community.invitations import invitation_by_token
from coproduce.community.models import Invitation, InvitationKind, Membership, TimeBank
from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Account, AccountKind
from coproduce.ledger.services import transfer_post
from tests.conftest import _join, _person

pytestmark = pytest.mark.django_db

NEW_BANK = {
    "name": "North Leeds Time Bank",
    "slug": "north-leeds",
    "coordinator_email": "nadia@example.org",
    "language": "en-gb",
    "timezone": "Europe/London",
}


def _rows() -> tuple[int, ...]:
    return (
        TimeBank.objects.count(),
        Account.objects.count(),
        Invitation.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )


def _token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


# --- Who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/site/",
        "/site/timebanks/new/",
        "/site/timebanks/riverside/",
        "/site/timebanks/riverside/invite/",
    ],
)
def test_only_a_site_administrator_sees_the_site_pages(client, path, alice, carol, harry):
    assert client.get(path)["Location"].startswith("/login/")
    for person in (alice, carol, harry):
        client.force_login(person)
        assert client.get(path).status_code == 404, person


def test_nobody_else_can_make_a_time_bank_or_invite_a_coordinator(client, carol, riverside):
    before = _rows()
    client.force_login(carol)
    assert client.post("/site/timebanks/new/", NEW_BANK).status_code == 404
    invite = {"email": "dave@example.org", "name": "Dave"}
    assert client.post("/site/timebanks/riverside/invite/", invite).status_code == 404
    assert _rows() == before


def test_a_site_administrator_who_has_not_given_her_second_step_is_sent_to_give_it(client, rosa):
    client.force_login(rosa)  # the password alone
    assert client.get("/site/")["Location"] == "/two-step/set-up/"


def test_the_menu_offers_the_site_administration_to_site_administrators_only(as_rosa, client):
    assert b'href="/site/"' in as_rosa.get("/site/").content


# --- The overview --------------------------------------------------------------------------------


def test_rosa_sees_each_time_bank_with_its_size_and_health(
    as_rosa, riverside, hillside, carol, alice, bob, harry
):
    _join(riverside, _person("ann", "Ann", "Applicant"), status="applied")
    transfer_post(
        timebank=riverside,
        payer=Account.objects.get(person=alice),
        payee=Account.objects.get(person=bob),
        minutes=90,
        memo="gardening",
        acting=carol,
    )
    page = as_rosa.get("/site/")
    assert page.status_code == 200
    rows = {row.timebank.slug: row for row in page.context["rows"]}
    river = rows["riverside"]
    assert (river.active_members, river.coordinators, river.applications) == (3, 1, 1)
    assert river.ledger_balanced and river.last_activity is not None
    hill = rows["hillside"]
    assert (hill.active_members, hill.coordinators, hill.applications) == (1, 1, 0)
    assert b"Riverside Time Bank" in page.content and b"Hillside Time Bank" in page.content
    assert b"/site/timebanks/riverside/" in page.content


def test_the_months_exchanges_and_hours_are_counted(rosa, riverside, alice, bob, carol):
    from coproduce.exchanges.models import Exchange, ExchangeStatus

    now = timezone.now()
    for minutes, when in ((60, now), (30, now), (120, now - timedelta(days=40))):
        Exchange.objects.create(
            timebank=riverside,
            title="Help",
            category="garden",
            status=ExchangeStatus.CONFIRMED,
            expected_minutes=minutes,
            actual_minutes=minutes,
            created_at=when,
            confirmed_at=when,
            proposed_by=alice,
        )
    (row,) = timebanks_overview(acting=rosa)
    assert (row.exchanges_this_month, row.minutes_this_month) == (2, 90)


def test_a_ledger_that_does_not_balance_is_shown(as_rosa, riverside, alice):
    Account.objects.filter(person=alice).update(balance=60)  # what verify would catch
    page = as_rosa.get("/site/")
    assert page.context["rows"][0].ledger_balanced is False
    assert b"does not balance" in page.content


@pytest.mark.parametrize("banks", [1, 3, 10])
def test_the_overview_costs_the_same_queries_however_many_time_banks(as_rosa, banks):
    for n in range(banks):
        bank = TimeBank.objects.create(slug=f"bank-{n}", name=f"Bank {n}")
        _join(bank, _person(f"coordinator-{n}", "C", str(n)), role="coordinator")
    as_rosa.get("/site/")
    with CaptureQueriesContext(connection) as queries:
        page = as_rosa.get("/site/")
    assert len(page.context["rows"]) == banks
    # session, person, two-step device, memberships (middleware), then the page's five
    assert len(queries) == 9, "\n".join(q["sql"] for q in queries.captured_queries)


# --- Making a time bank --------------------------------------------------------------------------


def test_rosa_makes_a_time_bank_and_sees_its_coordinators_link_once(as_rosa, rosa):
    page = as_rosa.post("/site/timebanks/new/", NEW_BANK)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    bank = TimeBank.objects.get(slug="north-leeds")
    assert (bank.language, bank.time_zone) == ("en-gb", "Europe/London")
    assert Account.objects.get(timebank=bank).kind == AccountKind.CHEST
    url = page.context["invited"].url
    assert url.startswith(settings.SITE_URL + "/invitation/") and url.encode() in page.content
    invitation = invitation_by_token(_token_of(url))
    assert invitation is not None and invitation.kind == InvitationKind.COORDINATOR
    assert invitation.invited_by == rosa and invitation.email == "nadia@example.org"
    created = AuditEvent.objects.get(action="timebank.created")
    assert created.actor == rosa and created.timebank_id == bank.pk
    assert AuditEvent.objects.filter(action="invitation.created", actor=rosa).exists()
    # Never again: the bank's page lists the invitation but not its link.
    assert url.encode() not in as_rosa.get("/site/timebanks/north-leeds/").content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "riverside"}, b"is taken by another time bank"),
        ({"slug": "North Leeds"}, b"is not a slug"),
        ({"timezone": "Mars/Olympus"}, b"unknown time zone"),
        ({"language": "tlh"}, b"Select a valid choice"),
        ({"coordinator_email": "nadia"}, b"Enter a valid email address"),
        ({"name": ""}, b"This field is required"),
    ],
)
def test_a_bad_time_bank_form_says_why_and_changes_nothing(as_rosa, riverside, change, message):
    before = _rows()
    page = as_rosa.post("/site/timebanks/new/", {**NEW_BANK, **change})
    assert page.status_code == 200
    assert message in page.content
    assert _rows() == before


# --- Coordinators and their invitations ----------------------------------------------------------


def test_rosa_sees_a_banks_coordinators_and_invites_another(as_rosa, rosa, riverside, carol):
    page = as_rosa.get("/site/timebanks/riverside/")
    assert [m.person for m in page.context["coordinators"]] == [carol]
    assert b"Carol Jones" in page.content
    read = AuditEvent.objects.get(action="member.contact_viewed", actor=rosa)
    assert read.timebank_id == riverside.pk and read.data["people"] == [str(carol.public_id)]
    assert b"delete" not in page.content.lower().replace(b"cannot be deleted", b"")

    invited = as_rosa.post(
        "/site/timebanks/riverside/invite/", {"email": "dave@example.org", "name": "Dave"}
    )
    assert invited.status_code == 200
    url = invited.context["invited"].url
    invitation = invitation_by_token(_token_of(url))
    assert invitation.timebank == riverside and invitation.kind == InvitationKind.COORDINATOR
    assert invitation.invited_by == rosa
    listed = as_rosa.get("/site/timebanks/riverside/").context["invitations"]
    assert listed == [invitation]


def test_a_new_link_stops_the_old_one_and_withdrawing_stops_it_for_good(as_rosa, rosa, riverside):
    first = as_rosa.post("/site/timebanks/riverside/invite/", {"email": "dave@example.org"})
    old_token = _token_of(first.context["invited"].url)
    invitation = first.context["invited"].invitation

    resent = as_rosa.post(f"/site/invitations/{invitation.public_id}/resend/")
    assert resent.status_code == 200
    new_token = _token_of(resent.context["invited"].url)
    assert invitation_by_token(old_token) is None
    assert invitation_by_token(new_token) is not None
    assert AuditEvent.objects.filter(action="invitation.resent", actor=rosa).exists()

    revoked = as_rosa.post(f"/site/invitations/{invitation.public_id}/revoke/")
    assert revoked["Location"] == "/site/timebanks/riverside/"
    assert invitation_by_token(new_token) is None
    assert AuditEvent.objects.filter(action="invitation.revoked", actor=rosa).exists()
    assert as_rosa.get("/site/timebanks/riverside/").context["invitations"] == []


def test_nobody_else_can_resend_or_withdraw_a_coordinators_invitation(
    client, as_rosa, carol, harry
):
    made = as_rosa.post("/site/timebanks/riverside/invite/", {"email": "dave@example.org"})
    invitation = made.context["invited"].invitation
    before = (_rows(), Invitation.objects.get(pk=invitation.pk).token_hash)
    for person in (carol, harry):
        client.force_login(person)
        for action in ("resend", "revoke"):
            response = client.post(f"/site/invitations/{invitation.public_id}/{action}/")
            assert response.status_code == 404
    assert (_rows(), Invitation.objects.get(pk=invitation.pk).token_hash) == before


def test_the_site_pages_offer_no_way_to_delete_anything(as_rosa, riverside, carol):
    from django.urls import get_resolver

    names = [p.name for p in get_resolver("coproduce.administration.urls").url_patterns]
    assert not [name for name in names if "delete" in name or "remove" in name]
