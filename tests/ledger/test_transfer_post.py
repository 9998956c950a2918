"""transfer_post and transfer_reverse: the only ways credits move, and every way they refuse.

Every refusal is an ApplicationError (LedgerError, NotFound, PermissionDenied or Conflict), whose
message the web and API layers show to a coordinator as it is, and leaves the ledger untouched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.community.models import Membership, MembershipStatus
from coproduce.core.errors import Conflict, NotFound, PermissionDenied
from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Account, Entry, Transfer, TransferKind
from coproduce.ledger.selectors import account_balance, ledger_verify
from coproduce.ledger.services import LedgerError, transfer_post, transfer_reverse

from .conftest import Story

POSTED = "ledger.transfer_posted"


def balances(*accounts: Account) -> list[int]:
    return [account_balance(account) for account in accounts]


# --- posting -------------------------------------------------------------------------------------


def test_alice_pays_bob_for_an_hour_and_a_half_of_gardening(story: Story) -> None:
    r = story
    transfer = transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=90,
        memo="Weeding the front garden",
    )

    assert balances(r.alice_account, r.bob_account) == [-90, 90]
    assert transfer.kind == TransferKind.EXCHANGE
    assert transfer.memo == "Weeding the front garden"
    assert transfer.created_by == r.alice
    assert transfer.override_reason == ""
    assert sorted(transfer.entries.values_list("account_id", "amount")) == sorted(
        [(r.alice_account.pk, -90), (r.bob_account.pk, 90)]
    )
    assert set(transfer.entries.values_list("unit", flat=True)) == {"hour"}
    assert ledger_verify().ok


def test_the_returned_transfer_is_the_saved_row(story: Story) -> None:
    r = story
    week_ago = timezone.now() - timedelta(days=7)
    transfer = transfer_post(
        timebank=r.timebank,
        acting=r.carol,
        on_behalf_of=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=60,
        kind=TransferKind.GIFT,
        occurred_at=week_ago,
    )

    saved = Transfer.objects.get(pk=transfer.pk)
    assert saved.public_id == transfer.public_id
    assert saved.kind == TransferKind.GIFT
    assert saved.occurred_at == week_ago
    assert saved.created_at == transfer.created_at
    assert saved.created_at > week_ago
    assert (saved.created_by, saved.on_behalf_of) == (r.carol, r.alice)


def test_it_accepts_account_ids_as_well_as_accounts(story: Story) -> None:
    r = story
    transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account.pk,
        payee=r.bob_account.pk,
        minutes=30,
    )
    assert balances(r.alice_account, r.bob_account) == [-30, 30]


def test_bob_runs_a_group_session_for_three_neighbours_in_one_transfer(
    story: Story,
) -> None:
    r = story
    transfer = transfer_post(
        timebank=r.timebank,
        acting=r.bob,
        entries=[
            (r.bob_account, 180),
            (r.alice_account, -60),
            (r.dan_account, -60),
            (r.erin_account, -60),
        ],
        memo="Chair yoga in the community hall",
    )

    assert transfer.entries.count() == 4
    assert balances(r.bob_account, r.alice_account, r.dan_account, r.erin_account) == [
        180,
        -60,
        -60,
        -60,
    ]
    assert Transfer.objects.count() == 1
    assert ledger_verify().ok


def test_the_surgery_gives_back_to_a_member(story: Story) -> None:
    r = story
    transfer_post(
        timebank=r.timebank,
        acting=r.dr_patel,
        payer=r.surgery_account,
        payee=r.alice_account,
        minutes=120,
        memo="Alice co-designed the new waiting-room leaflet",
    )
    assert balances(r.surgery_account, r.alice_account) == [-120, 120]


def test_it_updates_the_cached_balances_on_the_accounts_passed_in(story: Story) -> None:
    r = story
    transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=45,
    )
    transfer_post(
        timebank=r.timebank,
        acting=r.bob,
        entries=[(r.bob_account, 120), (r.dan_account, -60), (r.erin_account.pk, -60)],
    )

    assert (r.alice_account.balance, r.bob_account.balance, r.dan_account.balance) == (
        -45,
        165,
        -60,
    )
    for account in (r.alice_account, r.bob_account, r.dan_account):
        assert account.balance == account_balance(account)


def test_it_writes_one_audit_event_per_transfer(story: Story) -> None:
    r = story
    first = transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=60
    )
    second = transfer_post(
        timebank=r.timebank,
        acting=r.carol,
        on_behalf_of=r.dan,
        payer=r.dan_account,
        payee=r.erin_account,
        minutes=30,
        kind=TransferKind.GIFT,
    )

    events = list(AuditEvent.objects.filter(action=POSTED).order_by("id"))
    assert [event.target for event in events] == [
        f"transfer:{first.public_id}",
        f"transfer:{second.public_id}",
    ]
    assert [(e.actor, e.on_behalf_of, e.timebank_id) for e in events] == [
        (r.alice, None, r.timebank.pk),
        (r.carol, r.dan, r.timebank.pk),
    ]
    assert events[1].data == {
        "kind": "gift",
        "entries": {str(r.dan_account.pk): -30, str(r.erin_account.pk): 30},
    }


# --- idempotency ---------------------------------------------------------------------------------


def test_the_same_idempotency_key_posted_a_hundred_times_moves_credits_once(
    story: Story,
) -> None:
    r = story
    posted = [
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=60,
            idempotency_key="exchange:5f0c:confirm",
        )
        for _attempt in range(100)
    ]

    assert {transfer.pk for transfer in posted} == {posted[0].pk}
    assert Transfer.objects.count() == 1
    assert Entry.objects.count() == 2
    assert AuditEvent.objects.filter(action=POSTED).count() == 1
    assert balances(r.alice_account, r.bob_account) == [-60, 60]


def test_a_repeated_key_returns_the_first_transfer_even_if_the_retry_differs(
    story: Story, unchanged
) -> None:
    r = story
    first = transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=60,
        idempotency_key="exchange:77aa:confirm",
    )
    with unchanged():
        retry = transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=90,
            idempotency_key="exchange:77aa:confirm",
        )
    assert retry.pk == first.pk


def test_a_retry_after_the_balance_moved_returns_the_first_transfer_not_a_refusal(
    story: Story, unchanged
) -> None:
    # Alice pays bob six hours, then dan four: she is now exactly at her -10 h floor. A retry of
    # the first posting (a browser resubmitting, a client timing out) must be answered with the
    # first transfer, although posting it afresh would now take her past the limit.
    r = story
    first = transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=6 * 60,
        idempotency_key="exchange:retry:confirm",
    )
    transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.dan_account, minutes=240
    )
    with unchanged():
        retry = transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=6 * 60,
            idempotency_key="exchange:retry:confirm",
        )
    assert retry.pk == first.pk
    assert balances(r.alice_account, r.bob_account) == [-600, 360]


def test_a_retry_after_the_payee_reached_its_ceiling_returns_the_first_transfer(
    story: Story, unchanged
) -> None:
    r = story
    Account.objects.filter(pk=r.bob_account.pk).update(max_balance=2 * 60)
    first = transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=90,
        idempotency_key="exchange:ceiling:confirm",
    )
    transfer_post(
        timebank=r.timebank, acting=r.dan, payer=r.dan_account, payee=r.bob_account, minutes=30
    )
    with unchanged():
        retry = transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=90,
            idempotency_key="exchange:ceiling:confirm",
        )
    assert retry.pk == first.pk
    assert balances(r.bob_account) == [120]


def test_the_same_key_in_two_time_banks_is_two_transfers(
    story: Story, hillside, eve_account: Account
) -> None:
    r = story
    hillside_pool = Account.objects.create(timebank=hillside, kind="pool", name="Hillside pool")
    a = transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=60,
        idempotency_key="meeting:1",
    )
    b = transfer_post(
        timebank=hillside,
        acting=None,
        payer=eve_account,
        payee=hillside_pool,
        minutes=60,
        idempotency_key="meeting:1",
    )
    assert a.pk != b.pk


# --- refusals ------------------------------------------------------------------------------------


def test_it_refuses_a_transfer_past_the_limit(story: Story, unchanged) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=10 * 60 + 1,
        )
    assert refused.value.code == "limit"
    assert refused.value.message == (
        "Alice Ahmed would go to -10:01 h, below its limit of -10:00 h. "
        "Ask a coordinator if this should be allowed."
    )


def test_it_allows_a_transfer_exactly_to_the_limit(story: Story) -> None:
    r = story
    transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=10 * 60,
    )
    assert balances(r.alice_account) == [-600]


def test_it_refuses_a_transfer_past_the_highest_balance(story: Story, unchanged) -> None:
    r = story
    Account.objects.filter(pk=r.bob_account.pk).update(max_balance=2 * 60)
    transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=90
    )
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.dan,
            payer=r.dan_account,
            payee=r.bob_account,
            minutes=31,
        )
    assert refused.value.code == "limit"
    assert refused.value.message == "Bob Brown would go to 2:01 h, above its limit of 2:00 h."


def test_it_allows_a_transfer_exactly_to_the_highest_balance(story: Story) -> None:
    r = story
    Account.objects.filter(pk=r.bob_account.pk).update(max_balance=2 * 60)
    transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=90
    )
    transfer_post(
        timebank=r.timebank, acting=r.dan, payer=r.dan_account, payee=r.bob_account, minutes=30
    )
    assert balances(r.bob_account) == [120]


def test_it_allows_a_floor_reached_exactly_by_a_group_session(story: Story) -> None:
    # Each receiver pays exactly what takes them to the floor; none is refused.
    r = story
    transfer_post(
        timebank=r.timebank,
        acting=r.bob,
        entries=[(r.alice_account, -600), (r.dan_account, -600), (r.bob_account, 1200)],
    )
    assert balances(r.alice_account, r.dan_account, r.bob_account) == [-600, -600, 1200]


def test_it_refuses_a_group_session_that_takes_one_receiver_past_the_limit(
    story: Story, unchanged
) -> None:
    r = story
    Account.objects.filter(pk=r.erin_account.pk).update(min_balance=-30)
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.bob,
            entries=[
                (r.bob_account, 180),
                (r.alice_account, -60),
                (r.dan_account, -60),
                (r.erin_account, -60),
            ],
        )
    assert refused.value.code == "limit"
    assert "Erin Evans would go to -1:00 h" in refused.value.message


def test_an_account_past_a_lowered_limit_may_still_receive(story: Story) -> None:
    r = story
    transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=300
    )
    Account.objects.filter(pk=r.alice_account.pk).update(min_balance=-60)
    transfer_post(
        timebank=r.timebank, acting=r.dan, payer=r.dan_account, payee=r.alice_account, minutes=30
    )
    assert balances(r.alice_account) == [-270]


def test_it_refuses_a_transfer_to_a_missing_account(story: Story, unchanged) -> None:
    r = story
    missing = Account.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with unchanged(), pytest.raises(NotFound) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=missing,
            minutes=60,
        )
    assert refused.value.code == "no_account"
    assert refused.value.message == "One of those accounts does not exist."


def test_it_refuses_a_transfer_to_a_closed_account(story: Story, unchanged) -> None:
    r = story
    Account.objects.filter(pk=r.bob_account.pk).update(closed_at=timezone.now())
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=60,
        )
    assert refused.value.code == "account_closed"
    assert refused.value.message == "Bob Brown is closed and cannot take part in a transfer."


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (0, "A transfer must be of more than zero minutes."),
        (-30, "A transfer must be of more than zero minutes."),
        (1.5, "Time is counted in whole minutes."),
        (60.0, "Time is counted in whole minutes."),
        ("60", "Time is counted in whole minutes."),
        (True, "Time is counted in whole minutes."),
        (10**10, "That amount is far too large to be right."),
    ],
)
def test_it_refuses_an_amount_that_is_not_a_positive_whole_number_of_minutes(
    story: Story, unchanged, minutes, message: str
) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=minutes,
        )
    assert refused.value.code == "bad_amount"
    assert refused.value.message == message


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "An entry of zero minutes moves nothing."),
        (False, "Time is counted in whole minutes."),
        (30.5, "Time is counted in whole minutes."),
    ],
)
def test_it_refuses_an_entry_that_is_not_a_whole_number_of_minutes(
    story: Story, unchanged, amount, message: str
) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.bob,
            entries=[(r.bob_account, 60), (r.alice_account, -60), (r.dan_account, amount)],
        )
    assert refused.value.code == "bad_amount"
    assert refused.value.message == message


def test_it_refuses_entries_that_do_not_add_up_to_zero(story: Story, unchanged) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.bob,
            entries=[(r.bob_account, 120), (r.alice_account, -60), (r.dan_account, -30)],
        )
    assert refused.value.code == "unbalanced"
    assert refused.value.message == (
        "The entries in hour do not add up to zero (they add up to 30)."
    )


def test_it_refuses_a_transfer_of_one_entry(story: Story, unchanged) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(timebank=r.timebank, acting=r.bob, entries=[(r.bob_account, 60)])
    assert refused.value.code == "too_few_entries"


def test_it_refuses_an_hour_account_paying_a_money_pool(
    story: Story, gbp_pool: Account, unchanged
) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=gbp_pool,
            minutes=60,
        )
    assert refused.value.code == "unit_mismatch"
    assert refused.value.message == "Those two accounts count in different units (GBP, hour)."


def test_it_refuses_credits_crossing_into_another_time_bank(
    story: Story, eve_account: Account, unchanged
) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=eve_account,
            minutes=60,
        )
    assert refused.value.code == "other_timebank"
    assert refused.value.message == (
        "Eve Ellis belongs to another time bank; credits cannot cross time banks."
    )


def test_it_refuses_posting_to_one_time_bank_between_another_banks_accounts(
    story: Story, hillside, unchanged
) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=hillside,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=60,
        )
    assert refused.value.code == "other_timebank"


@pytest.mark.parametrize("as_id", [False, True])
def test_it_refuses_an_account_paying_itself(story: Story, unchanged, as_id) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.alice_account.pk if as_id else r.alice_account,
            minutes=60,
        )
    assert refused.value.code == "same_account"
    assert refused.value.message == "An account cannot pay itself."


def test_it_refuses_an_account_twice_in_one_transfer(story: Story, unchanged) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.bob,
            entries=[(r.bob_account, 120), (r.alice_account, -60), (r.alice_account.pk, -60)],
        )
    assert refused.value.code == "same_account"


def test_it_refuses_both_forms_at_once(story: Story, unchanged) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError):
        transfer_post(
            timebank=r.timebank,
            acting=r.bob,
            entries=[(r.bob_account, 60), (r.alice_account, -60)],
            minutes=60,
        )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": TransferKind.REVERSAL}, "bad_kind"),
        ({"kind": "bribe"}, "bad_kind"),
        ({"idempotency_key": ""}, "bad_key"),
        ({"idempotency_key": "k" * 201}, "bad_key"),
        ({"memo": "m" * 256}, "bad_memo"),
    ],
)
def test_it_refuses_a_bad_kind_key_or_memo(
    story: Story, unchanged, changes: dict, code: str
) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=60,
            **changes,
        )
    assert refused.value.code == code


# --- coordinator overrides -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "dr_patel"])
def test_it_refuses_an_override_from_someone_who_is_not_a_coordinator(
    story: Story, unchanged, who: str
) -> None:
    r = story
    with unchanged(), pytest.raises(PermissionDenied) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=getattr(r, who),
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=12 * 60,
            override_reason="I really need the help",
        )
    assert refused.value.code == "limit_override"
    assert refused.value.message == "Only a coordinator can take an account past its limit."


def test_it_refuses_an_override_from_a_coordinator_of_another_time_bank(
    story: Story, harry, unchanged
) -> None:
    r = story
    with unchanged(), pytest.raises(PermissionDenied):
        transfer_post(
            timebank=r.timebank,
            acting=harry,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=12 * 60,
            override_reason="Agreed at the panel",
        )


def test_a_coordinator_takes_an_account_past_its_limit_with_a_recorded_reason(
    story: Story,
) -> None:
    r = story
    reason = "Alice is home from hospital; the panel agreed extra help this month"
    transfer = transfer_post(
        timebank=r.timebank,
        acting=r.carol,
        on_behalf_of=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=12 * 60,
        override_reason=f"  {reason}  ",
    )

    assert balances(r.alice_account, r.bob_account) == [-720, 720]
    assert Transfer.objects.get(pk=transfer.pk).override_reason == reason
    event = AuditEvent.objects.get(action=POSTED, target=f"transfer:{transfer.public_id}")
    assert event.actor == r.carol
    assert event.on_behalf_of == r.alice
    assert event.data["override_reason"] == reason
    assert ledger_verify().ok


def test_a_coordinator_still_needs_a_reason_to_pass_a_limit(story: Story, unchanged) -> None:
    r = story
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_post(
            timebank=r.timebank,
            acting=r.carol,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=12 * 60,
            override_reason="   ",
        )
    assert refused.value.code == "limit"


def test_a_paused_coordinator_cannot_override(story: Story, unchanged) -> None:
    r = story
    Membership.objects.filter(person=r.carol).update(status=MembershipStatus.PAUSED)
    with unchanged(), pytest.raises(PermissionDenied):
        transfer_post(
            timebank=r.timebank,
            acting=r.carol,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=12 * 60,
            override_reason="Agreed at the panel",
        )


# --- reversals -----------------------------------------------------------------------------------


@pytest.fixture
def gardening(story: Story) -> Transfer:
    r = story
    return transfer_post(
        timebank=r.timebank,
        acting=r.alice,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=90,
        idempotency_key="exchange:gardening:confirm",
    )


def test_a_coordinator_reverses_a_mistaken_transfer(story: Story, gardening: Transfer) -> None:
    r = story
    reversal = transfer_reverse(
        transfer=gardening, acting=r.carol, reason="Logged twice by mistake"
    )

    assert balances(r.alice_account, r.bob_account) == [0, 0]
    assert reversal.kind == TransferKind.REVERSAL
    assert reversal.reverses_id == gardening.pk
    assert reversal.override_reason == "Logged twice by mistake"
    assert reversal.memo == "Reversal: Logged twice by mistake"
    assert reversal.occurred_at == gardening.occurred_at
    assert sorted(reversal.entries.values_list("account_id", "amount")) == sorted(
        [(r.alice_account.pk, 90), (r.bob_account.pk, -90)]
    )
    event = AuditEvent.objects.get(target=f"transfer:{reversal.public_id}")
    assert (event.action, event.actor) == (POSTED, r.carol)
    assert event.data["kind"] == "reversal"
    assert event.data["override_reason"] == "Logged twice by mistake"
    # The original stays as it was: the ledger is append-only.
    assert Transfer.objects.get(pk=gardening.pk).entries.count() == 2
    assert ledger_verify().ok


@pytest.mark.parametrize("who", ["alice", "bob", "dr_patel"])
def test_only_a_coordinator_may_reverse(
    story: Story, gardening: Transfer, unchanged, who: str
) -> None:
    with unchanged(), pytest.raises(PermissionDenied) as refused:
        transfer_reverse(transfer=gardening, acting=getattr(story, who), reason="Wrong")
    assert refused.value.message == "Only a coordinator can reverse a transfer."


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reversal_needs_a_reason(story: Story, gardening: Transfer, unchanged, reason) -> None:
    with unchanged(), pytest.raises(LedgerError) as refused:
        transfer_reverse(transfer=gardening, acting=story.carol, reason=reason)
    assert refused.value.code == "reason_required"
    assert refused.value.message == "Say why this transfer is being reversed."


def test_it_refuses_to_reverse_a_reversal(story: Story, gardening: Transfer, unchanged) -> None:
    reversal = transfer_reverse(transfer=gardening, acting=story.carol, reason="Duplicate")
    with unchanged(), pytest.raises(Conflict) as refused:
        transfer_reverse(transfer=reversal, acting=story.carol, reason="Undo the undo")
    assert refused.value.code == "reverse_reversal"


def test_reversing_twice_returns_the_first_reversal(
    story: Story, gardening: Transfer, unchanged
) -> None:
    first = transfer_reverse(transfer=gardening, acting=story.carol, reason="Duplicate")
    with unchanged():
        second = transfer_reverse(transfer=gardening, acting=story.carol, reason="Again")
    assert second.pk == first.pk
    assert balances(story.alice_account, story.bob_account) == [0, 0]


def test_a_reversal_under_another_key_is_refused_once_reversed(
    story: Story, gardening: Transfer, unchanged
) -> None:
    transfer_reverse(transfer=gardening, acting=story.carol, reason="Duplicate")
    with unchanged(), pytest.raises(Conflict) as refused:
        transfer_reverse(
            transfer=gardening, acting=story.carol, reason="Again", idempotency_key="other"
        )
    assert refused.value.code == "already_reversed"


def test_a_reversal_is_not_stopped_by_a_limit(story: Story, gardening: Transfer) -> None:
    r = story
    # Bob spent the 90 minutes he earned, and his limit is now zero: taking them back puts him
    # below it, which a correction must still be able to do.
    Account.objects.filter(pk=r.bob_account.pk).update(min_balance=0)
    transfer_post(
        timebank=r.timebank, acting=r.bob, payer=r.bob_account, payee=r.dan_account, minutes=90
    )
    reversal = transfer_reverse(transfer=gardening, acting=r.carol, reason="Never happened")

    assert balances(r.alice_account, r.bob_account, r.dan_account) == [0, -90, 90]
    assert reversal.override_reason == "Never happened"
    assert ledger_verify().ok


def test_a_group_session_is_reversed_in_full(story: Story) -> None:
    r = story
    session = transfer_post(
        timebank=r.timebank,
        acting=r.bob,
        entries=[
            (r.bob_account, 180),
            (r.alice_account, -60),
            (r.dan_account, -60),
            (r.erin_account, -60),
        ],
    )
    transfer_reverse(transfer=session, acting=r.carol, reason="The session was cancelled")
    assert balances(r.bob_account, r.alice_account, r.dan_account, r.erin_account) == [0, 0, 0, 0]


# --- cost ----------------------------------------------------------------------------------------


def test_a_posting_takes_a_fixed_handful_of_queries(
    story: Story, on_postgres: bool, django_assert_num_queries
) -> None:
    # Inside the caller's transaction, as here. On PostgreSQL the posting is one call of
    # ledger_transfer_post, with no savepoint; on SQLite, five statements in a savepoint.
    r = story
    with django_assert_num_queries(1 if on_postgres else 7):
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            entries=[(r.bob_account, 120), (r.dan_account, -60), (r.erin_account, -60)],
            idempotency_key="meeting:7",
        )


def test_a_reversal_with_a_key_another_transfer_used_is_refused(riverside, carol, alice, bob):
    from coproduce.core.errors import Conflict
    from coproduce.ledger.models import Account, Transfer
    from coproduce.ledger.services import transfer_post, transfer_reverse

    alice_account = Account.objects.get(person=alice)
    bob_account = Account.objects.get(person=bob)
    first = transfer_post(
        timebank=riverside, acting=carol, payer=bob_account, payee=alice_account, minutes=60
    )
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=alice_account,
        payee=bob_account,
        minutes=30,
        idempotency_key="used-already",
    )
    with pytest.raises(Conflict, match="belongs to another transfer"):
        transfer_reverse(
            transfer=first, acting=carol, reason="typo", idempotency_key="used-already"
        )
    assert not Transfer.objects.filter(reverses=first).exists()


def test_transfer_post_builds_a_transfer_holding_every_field_of_the_model(story) -> None:
    # transfer_post builds its Transfer by filling the instance's fields itself (ledger/services.py,
    # _unsaved_transfer), which is quicker than Model.__init__; a field added to the model must be
    # added there too, or the instance would lack it.
    from coproduce.ledger.models import Transfer
    from coproduce.ledger.services import _unsaved_transfer

    transfer = _unsaved_transfer(
        timebank_id=story.timebank.pk,
        kind="gift",
        memo="",
        occurred_at=None,
        created_at=None,
        created_by_id=None,
        on_behalf_of_id=None,
        idempotency_key=None,
        reverses_id=None,
    )
    attnames = {field.attname for field in Transfer._meta.concrete_fields}
    assert attnames <= set(vars(transfer))
    assert set(vars(transfer)) - attnames == {"_state"}
    assert transfer._state.adding
    assert transfer.pk is None
