"""The application's PostgreSQL role (`coproduce.core.db_grants`, docs/OPERATIONS.md): every
table has a grant decision, the ledger and the audit log are append-only for it, and with exactly
those grants alice and bob sign in (a wrong password first, so the limits on trying prune), sign
out, carry an exchange from proposed to confirmed through the pages, read their notifications;
carol reads the insights report and imports a spreadsheet; the nightly jobs run. The grants the
documentation used to recommend (SELECT, INSERT, UPDATE) could not even sign anyone in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import ProgrammingError, connection
from django.test import Client
from django.utils import timezone

from coproduce.cli import main
from coproduce.community.models import Person
from coproduce.core.db_grants import TABLES, Grant, grants_sql
from coproduce.core.models import Attempt, Notification
from coproduce.exchanges.models import Exchange, ExchangeStatus
from coproduce.ledger.models import Account, Transfer
from tests.exchanges.conftest import propose

PROBE = "coproduce_grants_probe"
# What docs/OPERATIONS.md recommended before issue #10.
OLD_GRANTS = f"""
GRANT USAGE ON SCHEMA public TO {PROBE};
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {PROBE};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {PROBE};
"""


def _model_tables() -> set[str]:
    tables = {"django_migrations"}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return tables


# --- the decisions, on any database ---------------------------------------------------------


def test_every_table_the_models_create_has_a_grant_decision() -> None:
    undecided = _model_tables() - set(TABLES)
    assert not undecided, f"add these tables to coproduce.core.db_grants.TABLES: {undecided}"


def test_no_grant_decision_names_a_table_that_no_longer_exists() -> None:
    assert set(TABLES) - _model_tables() == set()


def test_the_app_may_never_change_or_delete_the_ledgers_history_or_the_audit_log() -> None:
    for table in ("ledger_transfer", "ledger_entry", "exchanges_pairing", "core_auditevent"):
        assert TABLES[table] is Grant.APPEND, table
    assert "DELETE" not in TABLES["ledger_account"].privileges
    pruned = {table for table, grant in TABLES.items() if grant is Grant.PRUNE}
    assert pruned == {
        "django_session",
        "core_attempt",
        "matching_matchprofile",
        "matching_matchterm",
        # Round 25: a request's terms, replaced when it is saved, gone with an erasure's words.
        "matching_requestterm",
        "otp_totp_totpdevice",
        "otp_static_staticdevice",
        "otp_static_statictoken",
        # Privacy (issue 10): erasure and prune_personal_data.
        "core_notification",
        "community_membership",
        "exchanges_feedback",
        # Outgoing email (core.mail): erasure, and copies older than 30 days.
        "core_outgoingemail",
        # Conversations (issue 13): unblocking deletes the block.
        "community_block",
        # Issue 12: removing someone from an organisation's staff.
        "community_organisationstaff",
        # Issue 17: the insights report's summaries of the ledger, rebuilt from the entries.
        "insights_accountmonth",
        "insights_accountquarter",
        "insights_helpmonth",
        "insights_tiespan",
        "insights_lasthelp",
    }


def test_db_grants_prints_the_sql_for_the_role_it_is_given() -> None:
    out = StringIO()
    call_command("db_grants", "coproduce_app", stdout=out)
    sql = out.getvalue()
    assert 'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "coproduce_app";' in sql
    assert 'GRANT SELECT, INSERT ON TABLE "ledger_entry" TO "coproduce_app";' in sql
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "core_attempt" TO "coproduce_app";' in sql
    assert sql.count("GRANT ") == len(TABLES) + 3  # the schema, the sequences, the functions


def test_a_role_name_cannot_break_out_of_its_quotes() -> None:
    assert 'TO "app"";DROP TABLE x;--";' in grants_sql('app";DROP TABLE x;--')


# --- the grants, proved on PostgreSQL -------------------------------------------------------
# These start as the tables' owner (`owner`), create a role inside the test's transaction (so it
# is rolled back with it) and switch the connection to it.


@pytest.fixture
def become(db) -> Callable[[str], None]:
    def switch(grants: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {PROBE} NOLOGIN")
            cursor.execute(grants)
            cursor.execute(f"SET LOCAL ROLE {PROBE}")

    return switch


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.postgres
@pytest.mark.owner
def test_every_table_in_the_database_has_a_grant_decision(db) -> None:
    assert set(connection.introspection.table_names()) == set(TABLES)


@pytest.mark.postgres
@pytest.mark.owner
def test_the_documented_grants_carry_a_whole_day_of_the_time_bank(
    client, riverside, alice, bob, carol, become, tmp_path: Path
) -> None:
    garden = propose(riverside, alice, bob)  # bob asks alice to help in his garden
    become(grants_sql(PROBE))

    # Alice mistypes, then signs in: the limits on trying record, prune and forget attempts.
    assert sign_in(client, "alice", "not her password").status_code == 200
    assert Attempt.objects.exists()
    assert sign_in(client, "alice", "pw-alice").status_code == 302
    bobs = Client()
    assert sign_in(bobs, "bob", "pw-bob").status_code == 302

    # The exchange, through its pages: posting to the ledger with the one-round-trip function.
    assert client.post(f"/exchanges/{garden.public_id}/agree/").status_code == 302
    done = client.post(f"/exchanges/{garden.public_id}/done/", {"done-hours": "1:30"})
    assert done.status_code == 302
    assert bobs.post(f"/exchanges/{garden.public_id}/confirm/").status_code == 302
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.CONFIRMED
    assert Account.objects.get(person=alice, kind="member").balance == 90
    assert Transfer.objects.filter(pk=garden.transfer_id).exists()

    # Alice reads her notifications, then signs out (her session row is deleted).
    assert Notification.objects.filter(person=alice, read_at__isnull=True).exists()
    assert client.post("/notifications/read/").status_code == 302
    assert not Notification.objects.filter(person=alice, read_at__isnull=True).exists()
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session

    # Carol reads the insights report and brings in her old spreadsheet.
    carols = Client()
    assert sign_in(carols, "carol", "pw-carol").status_code == 302
    today = timezone.localdate()
    period = {"date_from": (today - timedelta(days=30)).isoformat(), "date_to": today.isoformat()}
    report = carols.get("/insights/", {**period, "timebank": "riverside"})
    assert report.status_code == 200
    assert "Alice Ahmed" in report.content.decode()  # she gave help in the period
    spreadsheet = tmp_path / "members.csv"
    spreadsheet.write_text("username,first_name,email\ndora,Dora,dora@example.org\n")
    assert main(["import", "members", "--timebank", "riverside", str(spreadsheet)]) == 0
    assert Person.objects.filter(username="dora").exists()
    assert Exchange.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.owner
def test_the_periodic_jobs_and_an_upgrade_with_nothing_to_migrate_run_as_the_app_role(
    riverside, alice, become
) -> None:
    become(grants_sql(PROBE))
    for command in ("clearsessions", "expire_listings", "matching_reindex", "send_weekly_digest"):
        call_command(command, stdout=StringIO())
    # `coproduce serve` runs migrate first: with nothing to apply it only reads.
    call_command("migrate", verbosity=0, interactive=False)


@pytest.mark.postgres
@pytest.mark.owner
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = amount",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_transfer SET memo = memo",
        "DELETE FROM ledger_transfer",
        "DELETE FROM ledger_account",
        "UPDATE core_auditevent SET action = action",
        "DELETE FROM core_auditevent",
        "TRUNCATE core_auditevent",
    ],
)
def test_the_app_role_is_not_even_granted_changes_to_history(become, statement: str) -> None:
    become(grants_sql(PROBE))
    with pytest.raises(ProgrammingError, match="permission denied"), connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.mark.postgres
@pytest.mark.owner
@pytest.mark.parametrize("step", ["a wrong password", "the right password", "signing out"])
def test_the_grants_the_docs_used_to_recommend_broke_signing_in_and_out(
    client, alice, become, step: str
) -> None:
    if step == "signing out":
        client.force_login(alice)
    become(OLD_GRANTS)
    with pytest.raises(ProgrammingError, match="permission denied for table"):
        if step == "signing out":
            client.post("/logout/")
        else:
            sign_in(client, "alice", "guess" if step == "a wrong password" else "pw-alice")
