"""What a posting writes was trimmed for speed (issue 17); these prove nothing it promised went
with it: every column whose own index was dropped still leads another index, the audit row's
data is still exact JSON whatever a reason holds, and a group session's balances come back."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Account, Transfer
from coproduce.ledger.selectors import account_balance, ledger_verify
from coproduce.ledger.services import transfer_post

from .conftest import Story

POSTED = "ledger.transfer_posted"


def _leading_columns(table: str) -> dict[str, str]:
    """Each index of `table` (a unique constraint's too) by the column it begins with (one of
    them, when several do)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        c["columns"][0]: name
        for name, c in constraints.items()
        if (c["index"] or c["unique"]) and c["columns"]
    }


@pytest.mark.parametrize(
    ("table", "column", "dropped"),
    [
        ("ledger_entry", "account_id", "ledger_entry_account_id_e9f5e345"),
        ("ledger_transfer", "timebank_id", "ledger_transfer_timebank_id_c8d4438e"),
        ("core_auditevent", "timebank_id", "core_auditevent_timebank_id_a76e4813"),
    ],
)
def test_a_column_whose_own_index_went_still_leads_another(
    db, table: str, column: str, dropped: str
) -> None:
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, table))
    assert dropped not in names
    # A look-up by that column (an account's entries, a bank's transfers or audit rows) still
    # finds its rows through an index.
    assert column in _leading_columns(table)


@pytest.mark.parametrize(
    ("model", "index"),
    [(Transfer, "ledger_transfer_on_behalf"), (AuditEvent, "core_auditevent_on_behalf")],
)
def test_rows_on_someones_behalf_are_still_found_through_an_index(
    db, model, index: str, django_user_model
) -> None:
    """`on_behalf_of_id` is indexed only where it is set (ledger 0010, core 0007): the PROTECT
    check before a person is deleted still finds their rows without reading every one."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert not [
        name
        for name, c in constraints.items()
        if c["index"] and c["columns"] == ["on_behalf_of_id"] and name != index
    ], "a full index of on_behalf_of_id is back"
    sql, params = model.objects.filter(on_behalf_of_id__in=[1, 2]).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert index in plan, plan


def test_an_override_reason_reaches_the_audit_row_exactly_as_written(story: Story) -> None:
    r = story
    reason = 'Panel said "yes" — Ysbyty Gwynedd \\ ward 3\nsee notes'
    transfer = transfer_post(
        timebank=r.timebank,
        acting=r.carol,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=12 * 60,
        override_reason=reason,
    )

    event = AuditEvent.objects.get(action=POSTED, target=f"transfer:{transfer.public_id}")
    assert event.data == {
        "kind": "exchange",
        "entries": {str(r.alice_account.pk): -720, str(r.bob_account.pk): 720},
        "override_reason": reason,
    }
    assert Transfer.objects.get(pk=transfer.pk).override_reason == reason


def test_a_group_session_hands_back_every_accounts_new_balance(story: Story) -> None:
    r = story
    transfer_post(
        timebank=r.timebank, acting=r.dan, payer=r.dan_account, payee=r.bob_account, minutes=45
    )
    given = [r.bob_account, r.dan_account, r.erin_account]
    transfer = transfer_post(
        timebank=r.timebank,
        acting=r.bob,
        entries=[(r.bob_account, -90), (r.dan_account, 60), (r.erin_account, 30)],
        kind="meeting",
    )

    assert [account.balance for account in given] == [-45, 15, 30]
    assert [account.balance for account in given] == [account_balance(a) for a in given]
    event = AuditEvent.objects.get(action=POSTED, target=f"transfer:{transfer.public_id}")
    assert event.data == {
        "kind": "meeting",
        "entries": {
            str(r.bob_account.pk): -90,
            str(r.dan_account.pk): 60,
            str(r.erin_account.pk): 30,
        },
    }
    # The entries are written in the order given, on either database.
    assert list(transfer.entries.order_by("id").values_list("account_id", "amount")) == [
        (r.bob_account.pk, -90),
        (r.dan_account.pk, 60),
        (r.erin_account.pk, 30),
    ]
    assert ledger_verify().ok


def test_the_transfer_handed_back_is_the_one_stored_field_by_field(story: Story) -> None:
    # transfer_post builds its Transfer without Model.__init__ (ledger/services.py,
    # _unsaved_transfer): what it hands back must be an ordinary saved instance all the same.
    r = story
    shelves = dict(
        timebank=r.timebank,
        acting=r.carol,
        payer=r.alice_account,
        payee=r.bob_account,
        minutes=45,
        memo="Shelves put up",
        idempotency_key="exchange:shelves:confirm",
        on_behalf_of=r.alice,
    )
    transfer = transfer_post(**shelves)

    stored = Transfer.objects.get(pk=transfer.pk)
    for field in Transfer._meta.concrete_fields:
        assert getattr(transfer, field.attname) == getattr(stored, field.attname), field.name
    assert transfer == stored
    assert not transfer._state.adding
    assert transfer._state.db == "default"
    assert transfer.timebank == r.timebank
    assert transfer.created_by == r.carol
    assert transfer.entries.count() == 2
    # A retry hands back the same transfer, read from the database.
    again = transfer_post(**shelves)
    assert again == transfer
    assert ledger_verify().ok


def test_a_refusal_names_every_kind_of_account_as_its_label_does(story: Story, gbp_pool) -> None:
    # The refusal's names come from one query written once (ledger/rules.py, _label), not the
    # ORM's: they must be exactly Account.label, whoever owns the account.
    from coproduce.ledger.accounts import chest_get_or_open
    from coproduce.ledger.rules import Locked, _label

    r = story
    r.erin.erased_at = timezone.now()
    r.erin.save(update_fields=["erased_at"])
    accounts = [
        r.alice_account,
        r.erin_account,  # a former member
        r.surgery_account,  # an organisation's
        chest_get_or_open(timebank=r.timebank),
        gbp_pool,  # named
    ]
    for account in accounts:
        expected = Account.objects.get(pk=account.pk).label
        row = Locked(account.pk, r.timebank.pk, account.unit, 0, 0, None, False)
        assert _label(row) == expected
    assert [_label(Locked(a.pk, 0, "", 0, 0, None, False)) for a in accounts[:3]] == [
        "Alice Ahmed",
        "Former member",
        "Riverside Surgery",
    ]


rows = st.lists(
    st.tuples(
        st.sampled_from([1, 1, 1, 2]),  # time bank (the posting's is 1)
        st.sampled_from(["hour", "hour", "hour", "GBP"]),
        st.integers(-300, 300),  # balance
        st.integers(-300, 0),  # lowest
        st.none() | st.integers(0, 300),  # highest
        st.sampled_from([False, False, False, True]),  # closed
        st.integers(-200, 200).filter(bool),  # the leg's amount
    ),
    min_size=2,
    max_size=4,
)


# Pure Python (an unsaved TimeBank, the rules called directly): the PostgreSQL run would repeat it.
@pytest.mark.sqlite_only
@given(
    rows=rows,
    balanced=st.booleans(),
    limits=st.booleans(),
    reason=st.sampled_from(["", "Agreed by the panel"]),
)
@settings(max_examples=300, deadline=None)
def test_the_quick_check_passes_only_postings_the_rules_allow_without_an_override(
    rows, balanced: bool, limits: bool, reason: str
) -> None:
    # Every posting is first checked by writes._plainly_allowed; only when it says no do the
    # rules decide. So whatever it lets through, the rules must let through, unaided.
    from unittest import mock

    from coproduce.community.models import TimeBank
    from coproduce.core.errors import ApplicationError
    from coproduce.ledger.rules import Locked, Posting, refuse_or_allow
    from coproduce.ledger.writes import _plainly_allowed

    timebank = TimeBank(pk=1)
    amounts = {i: row[6] for i, row in enumerate(rows, start=1)}
    if balanced and sum(amounts.values()) != amounts[len(rows)]:
        amounts[len(rows)] = -(sum(amounts.values()) - amounts[len(rows)])
    posting = Posting(
        timebank=timebank,
        acting=None,
        transfer=Transfer(timebank_id=1),
        amounts=amounts,
        override_reason=reason,
        enforce_limits=limits,
    )
    selected = [
        (i, tb, unit, balance, low, high, int(closed), None)
        for i, (tb, unit, balance, low, high, closed, _amount) in enumerate(rows, start=1)
    ]
    locked = [Locked(*row[:6], bool(row[6])) for row in selected]
    with (
        mock.patch("coproduce.ledger.rules._label", return_value="An account"),
        mock.patch("coproduce.ledger.rules.is_coordinator", return_value=False),
    ):
        try:
            allowed_alone = refuse_or_allow(posting, locked) is False
        except ApplicationError:
            allowed_alone = False
    quick = _plainly_allowed(posting, selected)
    if quick:
        assert allowed_alone
    if len({row[2] for row in selected}) == 1:
        # In one unit it passes exactly those; several units in one posting are left to the
        # rules, which allow a group's legs that add up to zero in each unit.
        assert quick == allowed_alone
