"""What a posting writes was trimmed for speed (issue 17); these prove nothing it promised went
with it: every column whose own index was dropped still leads another index, the audit row's
data is still exact JSON whatever a reason holds, and a group session's balances come back."""

from __future__ import annotations

import pytest
from django.db import connection

from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Transfer
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
