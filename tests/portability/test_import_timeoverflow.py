"""`coproduce import timeoverflow`: carol moves the Barri's TimeOverflow bank into Riverside.

TimeOverflow's "Download all" ZIP (made here by `timeoverflow_reports`, which writes exactly as
TimeOverflow's Ruby does) holds the Members, Offers, Inquiries and Transfers reports. After the
import every member's balance equals the Members report, the transfers between members are
confirmed exchanges on their own dates, and a second run adds nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from coproduce.community.models import Membership, MembershipStatus, Person
from coproduce.exchanges.models import Exchange, ExchangeStatus, Offer, Request
from coproduce.ledger.models import Account, AccountKind, Entry, Transfer, TransferKind
from coproduce.ledger.selectors import ledger_verify
from coproduce.portability.models import ExternalRecord
from coproduce.portability.timeoverflow.rubycsv import records
from tests.portability.timeoverflow_reports import Bank, Member, Post, generated
from tests.portability.timeoverflow_reports import Transfer as TOTransfer

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "timeoverflow"
T0 = datetime(2024, 2, 1, 11, 0, tzinfo=UTC)


def barri() -> Bank:
    """Five members (two called María García, one without a real email), the organisation's own
    account, a deleted member and an inactive one."""
    bank = Bank()
    bank.members = [
        Member(
            1, "María García", email="maria@correo.test", phone="600111222", alt_phone="933000111"
        ),
        Member(2, "Jordi Puig", email="", locale="ca"),
        Member(3, "María García", email="maria2@correo.test"),
        Member(4, "Ana, la del 3º", email="ana@correo.test"),
        Member(5, "Pedro", deleted=True),
        Member(6, "Laia", active=False),
        Member(7, "Núria Vidal", has_account=False),
    ]
    bank.posts = [
        Post(10, "offers", 1, "Acompañar al médico", "Acompañamiento", tags="salud, barrio"),
        Post(11, "offers", 2, "Clases de catalán", "Clases"),
        Post(12, "inquiries", 4, "Arreglar un enchufe", "Tareas domésticas"),
        Post(13, "offers", 3, "Cualquier cosa", None),
    ]
    bank.transfers = [
        TOTransfer(T0, payer=2, payee=1, seconds=5400, post="Acompañar al médico"),
        TOTransfer(T0.replace(day=2), payer=1, payee=2, seconds=3600, post="Clases de catalán"),
        TOTransfer(T0.replace(day=3), payer=None, payee=4, seconds=7200),  # the bank pays Ana
        TOTransfer(T0.replace(day=4), payer=3, payee=None, seconds=1800),  # María pays the bank
        TOTransfer(T0.replace(day=5), payer=5, payee=3, seconds=3600),  # from a deleted member
        TOTransfer(T0.replace(day=6), payer=4, payee=6, seconds=2700),  # to an inactive one
        TOTransfer(T0.replace(day=7), payer=2, payee=1, seconds=5400, post="Acompañar al médico"),
        TOTransfer(T0.replace(day=7), payer=2, payee=1, seconds=5400, post="Acompañar al médico"),
    ]
    return bank


@pytest.fixture
def download_all(tmp_path):
    def write(bank: Bank, name: str = "banc-de-temps-del-barri_2026-11-30.zip") -> str:
        path = tmp_path / name
        path.write_bytes(bank.download_all())
        return str(path)

    return write


def person_of(uid: int) -> Person:
    """The person made from TimeOverflow's member `uid`."""
    record = ExternalRecord.objects.get(source="timeoverflow", kind="member", external_id=str(uid))
    return Person.objects.get(public_id=record.public_id)


def import_timeoverflow(run, *paths, extra=(), acting="carol"):
    return run(
        "import", "timeoverflow", "--timebank", "riverside", "--acting", acting, *extra, *paths
    )


def balances(timebank) -> dict[str, int]:
    return dict(
        Account.objects.filter(timebank=timebank, kind=AccountKind.MEMBER).values_list(
            "person__first_name", "balance"
        )
    )


def counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Membership.objects.count(),
        Offer.objects.count(),
        Request.objects.count(),
        Exchange.objects.count(),
        Transfer.objects.count(),
        Entry.objects.count(),
    )


def test_carol_moves_the_barri_in_with_every_balance_exact(riverside, carol, run, download_all):
    bank = barri()
    result = import_timeoverflow(run, download_all(bank))

    assert result.code == 0, result.err
    listed = [m for m in bank.members if m.active and not m.deleted]
    assert len(listed) == 5
    for member in listed:
        account = Account.objects.get(timebank=riverside, person=person_of(member.uid))
        assert account.balance * 60 == bank.balance(member.uid), member.name
    assert ledger_verify(timebank_id=riverside.pk).ok


def test_members_become_active_members_without_a_password(riverside, carol, run, download_all):
    import_timeoverflow(run, download_all(barri()))

    imported = Person.objects.exclude(username="carol").order_by("username")
    assert [p.username for p in imported] == [
        "ana.la.del.3o",
        "jordi.puig",
        "maria.garcia.1",
        "maria.garcia.3",
        "nuria.vidal",
    ]
    assert not any(p.has_usable_password() for p in imported)
    assert all(p.last_login is None for p in imported)  # so carol can hand them a link
    jordi = Person.objects.get(username="jordi.puig")
    assert jordi.email == ""  # TimeOverflow's dummy example.com address is not an address
    # Each member's TimeOverflow locale becomes their language for pages and emails.
    assert jordi.language == "ca"
    maria = Person.objects.get(username="maria.garcia.1")
    assert maria.phone == "600111222"
    assert maria.language == "es"
    membership = Membership.objects.get(person=maria, timebank=riverside)
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.activated_at == datetime(2020, 1, 6, 10, 0, tzinfo=UTC)
    assert "933000111" in membership.induction_notes


def test_transfers_between_members_become_confirmed_exchanges_on_their_own_dates(
    riverside, carol, run, download_all
):
    import_timeoverflow(run, download_all(barri()))

    exchanges = Exchange.objects.filter(timebank=riverside).order_by("confirmed_at", "id")
    assert [(e.title, e.actual_minutes, e.status) for e in exchanges] == [
        ("Acompañar al médico", 90, ExchangeStatus.CONFIRMED),
        ("Clases de catalán", 60, ExchangeStatus.CONFIRMED),
        ("Acompañar al médico", 90, ExchangeStatus.CONFIRMED),
        ("Acompañar al médico", 90, ExchangeStatus.CONFIRMED),
    ]
    first = exchanges[0]
    assert first.confirmed_at == T0 and first.transfer.occurred_at == T0
    assert first.category == "companionship"  # the offer's category, through its title
    giver = first.participants.get(side="provider").person
    assert giver.username == "maria.garcia.1"
    kinds = sorted(Transfer.objects.filter(timebank=riverside).values_list("kind", flat=True))
    assert kinds.count(TransferKind.GRANT) == 1 and kinds.count(TransferKind.GIFT) == 1


def test_offers_and_inquiries_land_in_the_nearest_category(riverside, carol, run, download_all):
    result = import_timeoverflow(run, download_all(barri()))

    assert sorted(Offer.objects.values_list("title", "category", "tags")) == [
        ("Acompañar al médico", "companionship", "salud, barrio"),
        ("Clases de catalán", "learning", ""),
        ("Cualquier cosa", "neighbourhood", ""),
    ]
    assert list(Request.objects.values_list("title", "category")) == [
        ("Arreglar un enchufe", "household")
    ]
    assert "note: category “Clases” → Learning" in result.out


def test_a_category_can_be_put_elsewhere_by_hand(riverside, carol, run, download_all):
    result = import_timeoverflow(
        run, download_all(barri()), extra=("--category", "Clases=creative")
    )
    assert result.code == 0, result.err
    assert Offer.objects.get(title="Clases de catalán").category == "creative"


def test_a_second_run_adds_nothing(riverside, carol, run, download_all):
    path = download_all(barri())
    import_timeoverflow(run, path)
    before, money = counts(), balances(riverside)

    again = import_timeoverflow(run, path)

    assert again.code == 0, again.err
    assert counts() == before
    assert balances(riverside) == money
    assert "5 members were already imported" in again.out


def test_a_newer_export_adds_only_what_is_new(riverside, carol, run, download_all, tmp_path):
    bank = barri()
    import_timeoverflow(run, download_all(bank))
    exchanges = Exchange.objects.count()
    bank.members.append(Member(8, "Pau Serra", email="pau@correo.test"))
    bank.transfers.append(TOTransfer(T0.replace(month=3), payer=8, payee=2, seconds=3600))

    result = import_timeoverflow(run, download_all(bank, "newer.zip"))

    assert result.code == 0, result.err
    assert Exchange.objects.count() == exchanges + 1
    pau = Person.objects.get(username="pau.serra")
    assert Account.objects.get(person=pau).balance == -60
    jordi = Person.objects.get(username="jordi.puig")
    assert Account.objects.get(person=jordi).balance * 60 == bank.balance(2)
    assert ledger_verify(timebank_id=riverside.pk).ok


def test_the_four_csv_files_work_as_well_as_the_zip(riverside, carol, run, tmp_path):
    bank = barri()
    paths = []
    for name, text in (
        ("Members_2026-11-30.csv", bank.members_csv()),
        ("Offers_2026-11-30.csv", bank.posts_csv("offers")),
        ("Inquiries_2026-11-30.csv", bank.posts_csv("inquiries")),
        ("Transfers_2026-11-30.csv", bank.transfers_csv()),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    result = import_timeoverflow(run, *paths)
    assert result.code == 0, result.err
    assert Exchange.objects.count() == 4


def test_a_dry_run_writes_nothing(riverside, carol, run, download_all):
    before = counts()
    result = import_timeoverflow(run, download_all(barri()), extra=("--dry-run",))
    assert result.code == 0, result.err
    assert "would add 5 members, 4 offers and requests, 6 transfers" in result.out
    assert "dry run: nothing was written" in result.out
    assert counts() == before


def test_every_bad_cell_is_named_by_file_line_and_column_and_nothing_is_written(
    riverside, carol, run
):
    before = counts()
    result = import_timeoverflow(
        run, str(DATA / "Members_bad.csv"), str(DATA / "Transfers_bad.csv")
    )

    assert result.code == 1
    assert result.err.splitlines() == [
        "Members_bad.csv, line 3, column Balance: “1:30” is not a balance in seconds",
        "Members_bad.csv, line 4, column Balance: the balance is missing",
        "Members_bad.csv, line 5, column N: “x7” is not a member number",
        "Members_bad.csv, line 6, column Balance: 90 seconds is not a whole number of minutes",
        "Transfers_bad.csv, line 2, column quantity: “1:75” is not a quantity written as "
        "hours:minutes",
        "Transfers_bad.csv, line 3, column date: “yesterday” is not a time",
        "coproduce: 6 problems: nothing was imported",
    ]
    assert counts() == before


def test_a_quoted_empty_balance_is_a_member_without_an_account(riverside, carol, run):
    result = import_timeoverflow(run, str(DATA / "Members_no_account.csv"))
    assert result.code == 0, result.err
    assert Account.objects.get(person__username="nuria.vidal").balance == 0


def test_a_file_that_is_not_utf8_or_not_a_report_is_refused(riverside, carol, run, tmp_path):
    latin = tmp_path / "Members_2026.csv"
    latin.write_bytes('N,Nombre\n1,"Núria"\n'.encode("latin-1"))
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = import_timeoverflow(run, str(latin), str(other))
    assert result.code == 1
    assert "Members_2026.csv, line 2: this is not UTF-8 text" in result.err
    assert "notes.csv, line 1: not a TimeOverflow report" in result.err


def test_only_a_coordinator_imports_and_bad_options_are_one_line(
    riverside, carol, alice, run, download_all
):
    path = download_all(barri())
    refused = import_timeoverflow(run, path, acting="alice")
    assert refused.code == 2 and "not an active coordinator" in refused.err
    bad = import_timeoverflow(run, path, extra=("--category", "Clases"))
    assert bad.code == 2 and "--category wants NAME=KEY" in bad.err
    unknown = import_timeoverflow(run, path, extra=("--category", "Clases=poetry"))
    assert unknown.code == 1 and "poetry is not a category" in unknown.err
    assert Person.objects.count() == 2


def test_a_generated_bank_of_sixty_members_imports_exactly(riverside, carol, run, download_all):
    bank = generated(60, 400)
    result = import_timeoverflow(run, download_all(bank))
    assert result.code == 0, result.err
    for member in bank.members:
        if member.active and not member.deleted:
            account = Account.objects.get(timebank=riverside, person=person_of(member.uid))
            assert account.balance * 60 == bank.balance(member.uid)
    assert ledger_verify(timebank_id=riverside.pk).ok


def test_ruby_csv_keeps_a_quoted_empty_cell_apart_from_an_empty_one():
    (record,) = list(records('1,"",,"a ""b"", c"\r\n'))
    assert record.cells == ["1", "", None, 'a "b", c']
