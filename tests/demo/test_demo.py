"""The demo community: a small build (60 members, six months) must look like a real time bank,
keep the ledger right, and come out the same for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.db.models import F

from coproduce.cli import main
from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStaff,
    Person,
    Role,
    StaffRole,
    TimeBank,
)
from coproduce.core.categories import Category
from coproduce.core.errors import ApplicationError
from coproduce.demo.builder import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoOptions,
    DemoSummary,
    demo_build,
)
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    ListingStatus,
    Offer,
    Participant,
    Request,
    Side,
)
from coproduce.ledger.models import Account, AccountKind, Transfer, TransferKind
from coproduce.ledger.selectors import ledger_verify

pytestmark = pytest.mark.django_db

MEMBERS, MONTHS, SEED = 60, 6, 11


def build(slug: str = "riverside", seed: int = SEED, **options) -> tuple[DemoSummary, TimeBank]:
    summary = demo_build(
        DemoOptions(
            members=options.pop("members", MEMBERS),
            months=options.pop("months", MONTHS),
            seed=seed,
            slug=slug,
            **options,
        )
    )
    return summary, TimeBank.objects.get(slug=slug)


def trading_members(timebank: TimeBank) -> set[int]:
    """People with an active ordinary membership (staff of the partners trade for them)."""
    return set(
        Membership.objects.filter(
            timebank=timebank,
            status=MembershipStatus.ACTIVE,
            role__in=[Role.MEMBER, Role.COORDINATOR],
        ).values_list("person_id", flat=True)
    )


def sides_by_person(timebank: TimeBank) -> dict[int, set[str]]:
    sides: dict[int, set[str]] = {}
    for person_id, side in Participant.objects.filter(
        timebank=timebank, person__isnull=False, exchange__status=ExchangeStatus.CONFIRMED
    ).values_list("person_id", "side"):
        sides.setdefault(person_id, set()).add(side)
    return sides


def test_the_demo_ledger_verifies_and_every_transfer_is_counted():
    summary, timebank = build()

    report = ledger_verify(timebank_id=timebank.pk)

    assert report.ok, report.problems
    assert report.transfers == summary.transfers
    assert summary.exchanges > 0
    assert Transfer.objects.filter(timebank=timebank, kind=TransferKind.EXCHANGE).count() == (
        summary.exchanges
    )


def test_no_account_ends_past_its_limits():
    _summary, timebank = build()

    accounts = Account.objects.filter(timebank=timebank)

    assert not accounts.filter(balance__lt=F("min_balance")).exists()
    assert not accounts.filter(max_balance__isnull=False, balance__gt=F("max_balance")).exists()
    assert accounts.get(kind=AccountKind.CHEST).balance >= 0


def test_every_kind_of_help_is_offered_and_asked_for():
    _summary, timebank = build()

    offered = set(Offer.objects.filter(timebank=timebank).values_list("category", flat=True))
    asked = set(Request.objects.filter(timebank=timebank).values_list("category", flat=True))

    assert offered == set(Category.values)
    assert asked == set(Category.values)


def test_listings_are_mostly_active_and_expire_after_the_banks_listing_period():
    _summary, timebank = build()
    offers = Offer.objects.filter(timebank=timebank)

    statuses = Counter(offers.values_list("status", flat=True))

    assert statuses[ListingStatus.ACTIVE] > len(offers) / 2
    assert statuses[ListingStatus.PAUSED] > 0
    expiry = timedelta(days=timebank.listing_expiry_days)
    assert all(o.expires_at == o.created_at + expiry for o in offers)


def test_most_members_both_give_and_receive_and_some_only_give():
    _summary, timebank = build()
    members = trading_members(timebank)
    sides = sides_by_person(timebank)

    both = [p for p in members if sides.get(p) == {Side.PROVIDER, Side.RECEIVER}]
    only_give = [p for p in members if sides.get(p) == {Side.PROVIDER}]

    assert len(both) > len(members) * 0.55
    assert only_give


def test_a_few_members_have_never_been_in_an_exchange():
    _summary, timebank = build()
    members = trading_members(timebank)
    sides = sides_by_person(timebank)

    isolated = [p for p in members if p not in sides]

    # Some nobody has reached yet, and newcomers who have not had their first exchange.
    assert 0 < len(isolated) < len(members) * 0.15


def test_there_are_about_half_an_exchange_per_member_per_month():
    summary, _timebank = build()

    per_member_month = summary.exchanges / (summary.members * MONTHS)

    assert 0.35 <= per_member_month <= 0.8


def test_the_demo_logins_exist_with_the_demo_password_and_carol_coordinates():
    _summary, timebank = build()

    people = {
        p.username: p for p in Person.objects.filter(username__in=[u for u, _ in DEMO_LOGINS])
    }

    assert set(people) == {username for username, _what in DEMO_LOGINS}
    assert all(check_password(DEMO_PASSWORD, p.password) for p in people.values())
    # One hash for everyone: hashing ten thousand times with argon2 would take minutes.
    assert Person.objects.values("password").distinct().count() == 1
    roles = dict(
        Membership.objects.filter(timebank=timebank, person__in=people.values()).values_list(
            "person__username", "role"
        )
    )
    assert roles["carol"] == Role.COORDINATOR
    assert roles["dr_patel"] == Role.PROFESSIONAL
    assert Membership.objects.get(timebank=timebank, person=people["carol"]).is_coordinator


def test_alice_and_bob_are_neighbours_who_help_each_other():
    _summary, timebank = build()
    alice = Person.objects.get(username="alice")
    bob = Person.objects.get(username="bob")

    areas = Membership.objects.filter(timebank=timebank, person__in=[alice, bob])
    together = Exchange.objects.filter(participants__person=alice).filter(participants__person=bob)

    assert {m.area for m in areas} == {"Mill Lane"}
    assert together.filter(status=ExchangeStatus.CONFIRMED).exists()
    # Alice has her neighbour's help to confirm when she signs in.
    assert together.filter(status=ExchangeStatus.DONE).exists()


def test_applicants_wait_for_the_coordinator():
    summary, timebank = build()

    applied = Membership.objects.filter(timebank=timebank, status=MembershipStatus.APPLIED)

    assert applied.count() == summary.applicants >= 3
    assert not Account.objects.filter(person__memberships__in=applied).exists()
    assert not Membership.objects.filter(
        timebank=timebank, status=MembershipStatus.ACTIVE, inducted_on__isnull=True
    ).exists()


def test_partner_organisations_have_staff_and_accounts_and_both_give_and_receive():
    _summary, timebank = build()

    surgery = Organisation.objects.get(timebank=timebank, slug="riverside-surgery")
    council = Organisation.objects.get(timebank=timebank, slug="council-community-services")

    assert surgery.kind == "gp_practice" and council.kind == "council"
    staff = set(
        OrganisationStaff.objects.filter(timebank=timebank).values_list(
            "organisation__slug", "person__username", "role"
        )
    )
    assert staff == {
        ("riverside-surgery", "dr_patel", StaffRole.PROFESSIONAL),
        ("council-community-services", "sam", StaffRole.ADMIN),
    }
    for organisation in (surgery, council):
        assert Account.objects.filter(
            organisation=organisation, kind=AccountKind.ORGANISATION
        ).exists()
        sides = set(
            Participant.objects.filter(organisation=organisation).values_list("side", flat=True)
        )
        assert sides == {Side.PROVIDER, Side.RECEIVER}
    assert Account.objects.filter(timebank=timebank, kind=AccountKind.CHEST).exists()


def test_a_group_session_has_one_provider_and_several_receivers():
    _summary, timebank = build()

    session = (
        Exchange.objects.filter(timebank=timebank, participants__organisation__isnull=False)
        .filter(participants__side=Side.PROVIDER, participants__organisation__isnull=False)
        .distinct()
        .first()
    )

    assert session is not None
    sides = Counter(session.participants.values_list("side", flat=True))
    assert sides[Side.PROVIDER] == 1 and sides[Side.RECEIVER] >= 2
    paid = session.transfer.entries.filter(amount__lt=0).count()
    assert paid == sides[Side.RECEIVER]


def test_confirmed_exchanges_point_at_their_transfers_and_pending_ones_wait():
    _summary, timebank = build()
    exchanges = Exchange.objects.filter(timebank=timebank).select_related("transfer")

    confirmed = [x for x in exchanges if x.status == ExchangeStatus.CONFIRMED]
    waiting = Counter(x.status for x in exchanges if x.status != ExchangeStatus.CONFIRMED)

    for x in confirmed:
        assert x.transfer.idempotency_key == f"exchange:{x.public_id}:confirm"
        assert x.transfer.memo == x.title
        if x.scheduled_for is None:
            # A referred person's first exchange, which the partners' demo arranges through the
            # exchange services themselves, with no appointment time.
            assert x.done_at <= x.confirmed_at
            continue
        assert x.created_at <= x.agreed_at <= x.scheduled_for < x.done_at <= x.confirmed_at
        assert x.actual_minutes % 30 == 0
    assert set(waiting) == {ExchangeStatus.PROPOSED, ExchangeStatus.AGREED, ExchangeStatus.DONE}
    assert not any(x.transfer_id for x in exchanges if x.status != ExchangeStatus.CONFIRMED)


def test_every_confirmed_exchange_is_paired_as_its_transfer_credits():
    from tests.exchanges.test_pairings import agrees_with_its_transfer

    _summary, timebank = build()
    confirmed = Exchange.objects.filter(timebank=timebank, status=ExchangeStatus.CONFIRMED)
    assert confirmed.count() > 50
    for exchange in confirmed:
        agrees_with_its_transfer(exchange)


def test_the_community_chest_receives_gifts_and_makes_grants():
    _summary, timebank = build()

    kinds = Counter(Transfer.objects.filter(timebank=timebank).values_list("kind", flat=True))

    assert kinds[TransferKind.GIFT] > 0
    assert kinds[TransferKind.GRANT] > 0


def test_building_twice_with_the_same_slug_is_refused_and_writes_nothing():
    build()
    counts = [m.objects.count() for m in (TimeBank, Person, Account, Transfer, Exchange, Offer)]

    with pytest.raises(ApplicationError) as refused:
        build(seed=SEED + 1)

    assert refused.value.message == (
        "A time bank called 'riverside' already exists; choose another --slug."
    )
    assert [m.objects.count() for m in (TimeBank, Person, Account, Transfer, Exchange, Offer)] == (
        counts
    )


def test_a_bad_slug_is_refused_before_anything_is_written():
    with pytest.raises(ApplicationError, match="cannot be a slug"):
        build(slug="not a slug")

    assert not TimeBank.objects.exists()


def test_the_same_seed_builds_the_same_community():
    first, first_bank = build(slug="riverside")
    second, second_bank = build(slug="twin")
    other, _other_bank = build(slug="other", seed=SEED + 1)

    def people(timebank: TimeBank, suffix: str) -> list[tuple[str, int | None]]:
        # People referred in by the partners' demo get the next free username ("edna.marsh2"
        # in a second time bank), so they are compared by name rather than username.
        return sorted(
            (username.removesuffix(suffix) if not referred else name, balance)
            for username, name, referred, balance in Membership.objects.filter(
                timebank=timebank
            ).values_list(
                "person__username",
                "person__first_name",
                "person__referrals",
                "person__accounts__balance",
            )
        )

    def exchanges(timebank: TimeBank) -> Counter[tuple[str, str, int]]:
        return Counter(
            Exchange.objects.filter(timebank=timebank).values_list(
                "title", "status", "expected_minutes"
            )
        )

    same = ["members", "applicants", "offers", "requests", "exchanges", "pending", "transfers"]
    assert [getattr(first, f) for f in same] == [getattr(second, f) for f in same]
    assert first.minutes_exchanged == second.minutes_exchanged
    assert people(first_bank, "") == people(second_bank, "@twin")
    assert exchanges(first_bank) == exchanges(second_bank)
    # …and another seed builds another community.
    assert exchanges(first_bank) != exchanges(_other_bank)
    assert (first.exchanges, first.minutes_exchanged) != (other.exchanges, other.minutes_exchanged)


def test_a_second_demo_has_its_own_logins():
    build(slug="riverside")
    build(slug="harbour")

    assert Person.objects.filter(username="alice@harbour").exists()
    assert TimeBank.objects.get(slug="harbour").name == "Riverside Time Bank (harbour)"


def test_the_progress_bar_goes_to_stderr_only_when_asked(capsys):
    build(slug="quiet")
    assert capsys.readouterr().err == ""

    build(slug="loud", progress=True)

    shown = capsys.readouterr()
    assert shown.out == ""
    assert "Posting transfers" in shown.err and "100%" in shown.err
    assert shown.err.endswith("\n")


def test_the_summary_names_what_was_built():
    summary, _timebank = build()

    text = summary.text()

    assert "Riverside Time Bank" in text
    assert f"{summary.members} active" in text
    assert "Riverside Surgery" in text
    assert f"{summary.exchanges:,} confirmed" in text
    assert "hours exchanged" in text


def test_coproduce_demo_prints_the_summary(capsys):
    assert main(["demo", "--members", "20", "--months", "2", "--slug", "cli", "--quiet"]) == 0

    assert "Built the demo time bank 'Riverside Time Bank (cli)'" in capsys.readouterr().out


def test_coproduce_demo_refuses_a_taken_slug_in_one_line(capsys):
    build(slug="taken", members=10, months=1)

    assert main(["demo", "--slug", "taken", "--quiet"]) == 2

    assert capsys.readouterr().err == (
        "coproduce: A time bank called 'taken' already exists; choose another --slug.\n"
    )


def test_everyone_the_demo_has_giving_care_or_help_with_children_holds_a_current_check():
    """The demo writes its history in bulk, not through exchange_propose: it must still obey the
    time bank's check rule (care and children → a current enhanced check of the giver)."""
    from coproduce.community.safeguarding import givers_missing_check

    _summary, timebank = build()
    for category in (Category.CARE, Category.CHILDREN):
        givers = Person.objects.filter(
            exchange_parts__timebank=timebank,
            exchange_parts__side=Side.PROVIDER,
            exchange_parts__exchange__category=category,
        ).distinct()
        offering = Person.objects.filter(
            pk__in=Offer.objects.filter(timebank=timebank, category=category).values("person_id")
        )
        people = list(givers) + list(offering)
        assert people, f"the demo has no {category} at all"
        assert givers_missing_check(timebank=timebank, category=category, givers=people) == []
