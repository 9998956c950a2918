"""Accounts open on activation (issue 12): whatever makes a membership active opens its hour
account in the same transaction, so a newcomer sees 0:00 and an empty statement, never a 404."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from coproduce.community.invitations import Newcomer, invitation_accept, invitation_create
from coproduce.community.models import InvitationKind, Membership, MembershipStatus, Person
from coproduce.community.services import membership_induct, membership_update
from coproduce.core.errors import ApplicationError
from coproduce.ledger.models import Account, AccountKind, Entry
from coproduce.partners.services.organisations import organisation_create
from coproduce.portability.members import members_import
from tests.conftest import _person

migration = importlib.import_module(
    "coproduce.ledger.migrations.0006_open_accounts_for_active_members"
)


def _applies(timebank, username: str, status: str = MembershipStatus.APPLIED) -> Person:
    person = _person(username, username.title(), "Newcomer")
    Membership.objects.create(timebank=timebank, person=person, status=status)
    return person


def _account(timebank, person) -> Account | None:
    return Account.objects.filter(timebank=timebank, person=person, kind=AccountKind.MEMBER).first()


@pytest.fixture
def fran(riverside) -> Person:
    """Fran has applied to Riverside and waits for her induction."""
    return _applies(riverside, "fran")


def test_an_applicant_has_no_account_and_is_told_when_it_opens(login, fran):
    assert _account(fran.memberships.get().timebank, fran) is None
    page = login(fran).get("/account/").content.decode()
    assert "opens when the coordinator welcomes you" in page
    assert "The coordinator opens one when your membership is active" not in page


def test_the_induction_opens_the_account_at_the_banks_default_limits(riverside, carol, fran):
    riverside.default_min_balance, riverside.default_max_balance = -300, 3000
    riverside.save()
    membership_induct(
        membership=fran.memberships.get(),
        acting=carol,
        inducted_on=timezone.localdate(),
        inducted_by=carol,
    )
    account = _account(riverside, fran)
    assert account is not None
    assert (account.balance, account.min_balance, account.max_balance) == (0, -300, 3000)
    assert not Entry.objects.filter(account=account).exists()


def test_a_refused_induction_opens_nothing(riverside, carol, fran):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    with pytest.raises(ApplicationError):
        membership_induct(
            membership=fran.memberships.get(), acting=carol, inducted_on=tomorrow, inducted_by=carol
        )
    assert _account(riverside, fran) is None
    assert fran.memberships.get().status == MembershipStatus.APPLIED


def test_a_newly_inducted_member_sees_zero_and_an_empty_statement_never_a_404(
    login, riverside, carol, fran
):
    membership_induct(
        membership=fran.memberships.get(),
        acting=carol,
        inducted_on=timezone.localdate(),
        inducted_by=carol,
    )
    client = login(fran)
    assert "0:00 hours" in client.get("/").content.decode()
    statement = client.get("/account/")
    assert statement.status_code == 200
    assert "You do not have a time credit account" not in statement.content.decode()
    csv = client.get("/account/statement.csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert client.get("/account/statement/print/").status_code == 200


@pytest.mark.parametrize("was", [MembershipStatus.PAUSED, MembershipStatus.LEFT])
def test_a_coordinator_making_a_membership_active_opens_its_account(riverside, carol, was):
    gwen = _applies(riverside, "gwen", status=was)
    membership_update(
        membership=gwen.memberships.get(), acting=carol, role="member", status="active"
    )
    assert _account(riverside, gwen) is not None


def test_a_role_change_of_an_active_member_keeps_their_one_account(riverside, carol, alice):
    before = Account.objects.filter(person=alice).count()
    membership_update(
        membership=alice.memberships.get(), acting=carol, role="coordinator", status="active"
    )
    assert Account.objects.filter(person=alice).count() == before == 1


def test_an_import_opens_every_imported_members_account(riverside, tmp_path: Path):
    sheet = tmp_path / "members.csv"
    sheet.write_text("username,first_name,last_name\nezra,Ezra,Eze\nflo,Flo,Fox\n")
    assert not members_import(timebank=riverside, path=sheet).problems
    for username in ["ezra", "flo"]:
        assert _account(riverside, Person.objects.get(username=username)) is not None


def test_a_new_organisation_has_its_account_from_the_start(riverside, carol):
    school = organisation_create(
        timebank=riverside, acting=carol, name="Hill School", kind="school"
    )
    account = Account.objects.get(organisation=school, kind=AccountKind.ORGANISATION)
    assert (account.timebank_id, account.balance) == (riverside.pk, 0)


def test_the_migration_opens_missing_accounts_once_and_posts_nothing(riverside, hillside, carol):
    # Welcomed before accounts opened on activation: active, but no account.
    hana = _applies(riverside, "hana", status=MembershipStatus.ACTIVE)
    ivan = _applies(hillside, "ivan", status=MembershipStatus.ACTIVE)
    applicant = _applies(riverside, "jo")
    Account.objects.filter(person__in=[hana, ivan]).delete()
    carols = _account(riverside, carol)
    entries = Entry.objects.count()

    migration.open_missing_accounts(apps, None)
    migration.open_missing_accounts(apps, None)

    assert _account(riverside, hana).min_balance == riverside.default_min_balance
    assert _account(hillside, ivan) is not None
    assert _account(riverside, applicant) is None
    assert _account(riverside, carol) == carols
    assert Account.objects.filter(person__in=[hana, ivan]).count() == 2
    assert Entry.objects.count() == entries


def test_accepting_an_invitation_opens_the_account(riverside, carol):
    _invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.MEMBER, acting=carol, name="Nadia"
    )
    nadia = invitation_accept(
        token=token,
        newcomer=Newcomer(first_name="Nadia", username="nadia", password="willow by the lock"),
    )
    assert _account(riverside, nadia).balance == 0


def test_an_applicant_invited_as_coordinator_has_an_account_once_active(riverside, carol, fran):
    _invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.COORDINATOR, acting=carol, name="Fran"
    )
    invitation_accept(token=token, person=fran)
    assert fran.memberships.get().status == MembershipStatus.ACTIVE
    assert _account(riverside, fran) is not None
