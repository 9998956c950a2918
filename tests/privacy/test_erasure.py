"""Erasing a person: bob asks to be erased, or carol erases him for him.

Bob has helped alice (confirmed, in the ledger), alice has helped bob, a third exchange is
proposed and a fourth agreed; he has an open offer, thanks both ways and a notification that
names him in alice's messages. After erasure the ledger verifies clean, the insights report's
figures are byte-for-byte the same (only his name differs in the coordinator's tables), he
cannot sign in, and no page names him.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coproduce.cli import main as cli_main
from coproduce.community.models import Membership, Person
from coproduce.core.errors import Conflict, PermissionDenied
from coproduce.core.models import AuditEvent, Notification
from coproduce.exchanges.models import Exchange, Feedback, Offer
from coproduce.exchanges.services.feedback import feedback_give
from coproduce.exchanges.services.listings import listing_create
from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from coproduce.insights.tables import COORDINATOR, FUNDER, report_csv, report_json
from coproduce.ledger.models import Account, Entry, Transfer
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import LedgerError, transfer_post
from coproduce.privacy.erasure import member_erase, person_erase
from tests.conftest import _join, _person
from tests.exchanges.conftest import propose, step

pytestmark = pytest.mark.django_db
FIXED = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def story(riverside, alice, bob, carol):
    dan = _join(riverside, _person("dan", "Dan", "Davies"))
    bob.phone, bob.email, bob.about = "07700 900123", "bob@example.org", "Retired joiner"
    bob.gives = "Woodwork"
    bob.save()
    helped_alice = step(propose(riverside, bob, alice, title="Shelves for alice"), "confirmed")
    step(propose(riverside, alice, bob, minutes=60, title="Bob's garden"), "confirmed")
    # Two partners, so bob is not on the "at risk of isolation" list, which counts today's
    # active members (see the last test).
    step(propose(riverside, bob, dan, minutes=30, title="A lift for dan"), "confirmed")
    proposed = propose(riverside, alice, bob, title="Dog walking")
    agreed = step(propose(riverside, bob, alice, title="Fix the gate"), "agreed")
    listing_create(
        kind="offer", timebank=riverside, acting=bob, title="Woodwork by Bob", category="household"
    )
    feedback_give(exchange=helped_alice, author=alice, about_person=bob, message="Thanks Bob!")
    feedback_give(exchange=helped_alice, author=bob, about_person=alice, message="Lovely tea")
    return {"proposed": proposed, "agreed": agreed}


def _figures(timebank) -> dict[str, str]:
    report = report_build(timebank=timebank, period=ReportPeriod.default())
    report.generated_at = FIXED
    return {
        "funder_csv": report_csv(report, FUNDER),
        "funder_json": report_json(report, FUNDER),
        "coordinator_csv": report_csv(report, COORDINATOR),
    }


def _ledger_figures():
    report = ledger_verify()
    assert report.ok, report.problems
    return (report.accounts, report.transfers, report.entries, report.minutes_moved)


def _history():
    return (
        list(Transfer.objects.order_by("pk").values_list("pk", "memo", "occurred_at")),
        list(Entry.objects.order_by("pk").values_list("pk", "account_id", "amount")),
        list(Account.objects.order_by("pk").values_list("pk", "balance")),
    )


def test_bob_erases_himself_and_the_ledger_and_reports_are_unchanged(
    riverside, alice, bob, carol, story, login, capsys
):
    before = _figures(riverside)
    ledger_before = _ledger_figures()
    history_before = _history()

    client = login(bob)
    page = client.get("/privacy/erase/").content.decode()
    assert "This cannot be undone" in page
    response = client.post("/privacy/erase/", {"password": "pw-bob", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/privacy/erased/"

    # The ledger: nothing written, nothing changed, and `coproduce ledger verify` is clean.
    assert _ledger_figures() == ledger_before
    assert _history() == history_before
    assert cli_main(["ledger", "verify"]) == 0
    capsys.readouterr()
    # The reports: the funder's CSV and JSON are identical; the coordinator's differ by his name.
    after = _figures(riverside)
    assert after["funder_csv"] == before["funder_csv"]
    assert after["funder_json"] == before["funder_json"]
    # The coordinator's tables name people: his name and area are gone (and with them his
    # place in the name order); every number is the same.
    assert "Bob Brown,Northbank" in before["coordinator_csv"]
    renamed = before["coordinator_csv"].replace("Bob Brown,Northbank", "Former member,")
    assert sorted(after["coordinator_csv"].splitlines()) == sorted(renamed.splitlines())
    assert "Bob Brown" not in after["coordinator_csv"]

    bob = Person.objects.get(pk=bob.pk)
    assert bob.display_name == "Former member" and bob.username.startswith("erased-")
    assert (bob.email, bob.phone, bob.about, bob.gives) == ("", "", "", "")
    assert not bob.is_active and not bob.has_usable_password()
    membership = Membership.objects.get(person=bob)
    assert (membership.status, membership.area) == ("left", "")
    # His account is closed with its balance kept; no new posting can reach it.
    account = Account.objects.get(person=bob, kind="member")
    assert account.closed_at is not None and account.balance == 90
    with pytest.raises(LedgerError):
        transfer_post(
            timebank=riverside,
            payer=Account.objects.get(person=alice, kind="member"),
            payee=account,
            minutes=30,
            kind="gift",
            acting=alice,
        )
    # Exchanges still to happen are cancelled with a note; his offer is closed and blanked.
    for exchange in story.values():
        exchange.refresh_from_db()
        assert exchange.status == "cancelled"
        assert "details were erased" in exchange.notes
    offer = Offer.objects.get(person=bob)
    assert offer.status == "closed" and "Woodwork" not in offer.title
    assert not Feedback.objects.exists()
    assert not Notification.objects.filter(person=bob).exists()
    # The audit row says what happened, not who he was.
    event = AuditEvent.objects.get(action="person.erased")
    assert event.actor is None and event.data["by"] == "self"
    assert "Bob" not in str(event.data) and "07700" not in str(event.data)

    # He cannot sign in again; the old session is gone.
    assert not client.login(username=bob.username, password="pw-bob")
    assert client.get("/privacy/").status_code == 302


def test_no_page_names_bob_after_he_is_erased(riverside, alice, bob, carol, story, login):
    alice_client = login(alice)
    assert "Bob Brown" in alice_client.get("/exchanges/").content.decode()
    assert "Bob Brown" in login(carol).get("/members/").content.decode()
    person_erase(person=bob, password="pw-bob")
    alice_client = login(alice)
    for url in [
        "/exchanges/",
        f"/exchanges/{story['agreed'].public_id}/",
        "/offers/",
        "/notifications/",
        f"/people/{alice.public_id}/",
    ]:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Bob Brown" not in page and "bob@example.org" not in page, url
    assert "Bob Brown" not in "".join(Notification.objects.values_list("message", flat=True))
    carol_client = login(carol)
    for url in ["/members/", f"/people/{bob.public_id}/", "/coordinator/"]:
        response = carol_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Bob Brown" not in page and "07700 900123" not in page, url
        assert "Retired joiner" not in page, url


def test_a_wrong_password_erases_nothing(bob, story, login):
    client = login(bob)
    before = (list(Person.objects.values()), list(Exchange.objects.values("status")))
    response = client.post("/privacy/erase/", {"password": "guess", "confirm": "on"})
    assert response.status_code == 200
    assert "password is not right" in response.content.decode()
    assert (list(Person.objects.values()), list(Exchange.objects.values("status"))) == before
    assert not AuditEvent.objects.filter(action="person.erased").exists()


def test_without_ticking_the_box_nothing_is_erased(bob, login):
    response = login(bob).post("/privacy/erase/", {"password": "pw-bob"})
    assert response.status_code == 200
    assert "Tick the box" in response.content.decode()
    assert Person.objects.get(pk=bob.pk).erased_at is None


def test_an_exchange_done_but_not_confirmed_must_be_settled_first(riverside, alice, bob):
    step(propose(riverside, bob, alice, title="Painting"), "done")
    before = list(Person.objects.values())
    with pytest.raises(Conflict, match="Painting"):
        person_erase(person=bob, password="pw-bob")
    assert list(Person.objects.values()) == before


def test_the_last_coordinator_cannot_erase_herself(carol):
    with pytest.raises(Conflict, match="at least one active coordinator"):
        person_erase(person=carol, password="pw-carol")
    assert Person.objects.get(pk=carol.pk).is_active


def test_carol_erases_bob_who_belongs_nowhere_else(riverside, alice, bob, carol, story, login):
    ledger_before = _ledger_figures()
    client = login(carol)
    page = client.get(f"/privacy/members/{bob.public_id}/erase/").content.decode()
    assert "Former member" in page  # what will happen to him
    response = client.post(
        f"/privacy/members/{bob.public_id}/erase/",
        {"reason": "Asked by letter on 3 March", "confirm": "on"},
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=bob.pk).erased_at is not None
    assert _ledger_figures() == ledger_before
    event = AuditEvent.objects.get(action="person.erased")
    assert event.actor == carol and event.data["reason"] == "Asked by letter on 3 March"
    # Bob's cancelled exchanges tell alice without naming him.
    messages = Notification.objects.filter(person=alice, kind="exchange_cancelled")
    assert messages.count() == 2
    assert all("Bob" not in n.message for n in messages)


def test_a_coordinator_erases_only_her_banks_part_of_someone_who_belongs_elsewhere(
    riverside, hillside, alice, bob, carol, story
):
    _join(hillside, bob, area="Hilltop")
    erasure = member_erase(
        membership=Membership.objects.get(person=bob, timebank=riverside),
        acting=carol,
        reason="Asked to leave Riverside",
    )
    assert not erasure.whole_person
    bob = Person.objects.get(pk=bob.pk)
    assert bob.is_active and bob.display_name == "Bob Brown" and bob.erased_at is None
    assert Membership.objects.get(person=bob, timebank=riverside).status == "left"
    hillside_membership = Membership.objects.get(person=bob, timebank=hillside)
    assert (hillside_membership.status, hillside_membership.area) == ("active", "Hilltop")
    assert Account.objects.get(person=bob, timebank=riverside).closed_at is not None
    assert Account.objects.get(person=bob, timebank=hillside).closed_at is None
    assert AuditEvent.objects.filter(action="membership.erased").exists()


def test_harry_and_alice_cannot_erase_bob(riverside, alice, bob, harry, login):
    for person in (harry, alice):
        client = login(person)
        assert client.get(f"/privacy/members/{bob.public_id}/erase/").status_code == 404
        response = client.post(
            f"/privacy/members/{bob.public_id}/erase/", {"reason": "x", "confirm": "on"}
        )
        assert response.status_code == 404
    assert Person.objects.get(pk=bob.pk).erased_at is None
    with pytest.raises(PermissionDenied):
        member_erase(
            membership=Membership.objects.get(person=bob), acting=harry, reason="no reason"
        )


def test_a_coordinator_erases_herself_only_through_erase_me(riverside, carol):
    with pytest.raises(PermissionDenied):
        member_erase(
            membership=Membership.objects.get(person=carol), acting=carol, reason="leaving"
        )


def test_an_erased_member_leaves_the_at_risk_list_like_anyone_who_leaves(
    riverside, alice, bob, carol
):
    """ "At risk of isolation" is a list of today's active members for the coordinator to ring,
    not a total of past help: a member who leaves, erased or not, is no longer on it. Every
    other figure stays the same."""
    step(propose(riverside, bob, alice), "confirmed")  # one partner each: both at risk
    report = report_build(timebank=riverside, period=ReportPeriod.default())
    assert {r.party.person_id for r in report.network.at_risk} == {alice.pk, bob.pk}
    before = report_build(timebank=riverside, period=ReportPeriod.default())
    person_erase(person=bob, password="pw-bob")
    after = report_build(timebank=riverside, period=ReportPeriod.default())
    assert {r.party.person_id for r in after.network.at_risk} == {alice.pk}
    assert after.activity == before.activity
    assert after.reciprocity.totals() == before.reciprocity.totals()
    assert after.network.ties == before.network.ties
    assert after.value == before.value


def test_erasure_reaches_every_copy_of_bobs_details(riverside, alice, bob, carol, dr_patel):
    """His API tokens, sign-in devices and password link, his referral, his checks'
    references and matching's copies. (The audit log is append-only: it is not rewritten.)"""
    from datetime import date

    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from coproduce.api.models import PersonalAccessToken
    from coproduce.api.services import token_create
    from coproduce.community.models import Organisation, SafeguardingCheck
    from coproduce.community.services import check_record, password_link_create
    from coproduce.matching.models import MatchProfile
    from coproduce.partners.models import Referral

    token, _secret = token_create(person=bob, timebank=riverside, name="My phone")
    TOTPDevice.objects.create(user=bob, name="Bob's phone")
    link, _token = password_link_create(membership=Membership.objects.get(person=bob), acting=carol)
    StaticDevice.objects.create(user=bob, name="Recovery codes")
    check_record(
        timebank=riverside,
        person=bob,
        acting=carol,
        kind="reference",
        checked_on=date(2026, 1, 1),
        reference="REF-BOB-1",
        notes="Spoke to his old employer",
    )
    Referral.objects.create(
        timebank=riverside,
        organisation=Organisation.objects.get(slug="riverside-surgery"),
        referred_by=dr_patel,
        person=bob,
        first_name="Bob",
        last_name="Brown",
        phone="07700 900123",
        what_matters="Company after his wife died",
        support_notes="Low mood",
        consent_given_by="Bob Brown",
        consent_given_on=date(2026, 1, 5),
        consent_how="verbal",
        received_at=FIXED,
        status="active",
    )
    assert MatchProfile.objects.filter(person=bob).exists()

    person_erase(person=bob, password="pw-bob")

    assert PersonalAccessToken.objects.get(pk=token.pk).revoked_at is not None
    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert not StaticDevice.objects.filter(user=bob).exists()
    link.refresh_from_db()
    assert link.revoked_at is not None
    check = SafeguardingCheck.objects.get(person=bob)
    assert (check.kind, check.reference, check.notes) == ("reference", "", "")
    referral = Referral.objects.get(person=bob)
    assert referral.status == "active" and referral.received_at == FIXED
    assert "Bob" not in referral.display_name
    assert (referral.phone, referral.what_matters, referral.support_notes) == ("", "", "")
    assert referral.consent_given_by == ""
    assert not MatchProfile.objects.filter(person=bob).exists()
