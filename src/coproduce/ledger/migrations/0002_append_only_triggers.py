"""The database itself keeps the ledger append-only, whatever code (or person at a SQL prompt)
tries otherwise: entries and transfers refuse UPDATE and DELETE, accounts refuse DELETE, and on
PostgreSQL a deferred constraint trigger refuses to commit a transfer whose entries do not sum to
zero per unit. TRUNCATE, a table owner's administrative act, is left to the database's privileges
(docs/OPERATIONS.md: the application's role is not the tables' owner in production).
"""

from django.db import migrations

APPEND_ONLY = "ledger rows are append-only: post a reversal instead"

SQLITE_UP = [
    f"""CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table}
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY} ({table})'); END"""
    for table, actions in (
        ("ledger_entry", ("update", "delete")),
        ("ledger_transfer", ("update", "delete")),
        ("ledger_account", ("delete",)),
    )
    for action in actions
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {table}_no_{action}"
    for table, actions in (
        ("ledger_entry", ("update", "delete")),
        ("ledger_transfer", ("update", "delete")),
        ("ledger_account", ("delete",)),
    )
    for action in actions
]

POSTGRES_UP = [
    f"""CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY} (%)', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    """CREATE TRIGGER ledger_transfer_append_only BEFORE UPDATE OR DELETE ON ledger_transfer
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    """CREATE TRIGGER ledger_account_no_delete BEFORE DELETE ON ledger_account
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    """CREATE FUNCTION ledger_check_zero_sum() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad record;
    BEGIN
        SELECT unit, sum(amount) AS total INTO bad FROM ledger_entry
            WHERE transfer_id = NEW.transfer_id GROUP BY unit HAVING sum(amount) <> 0 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'ledger transfer % does not balance: its % entries sum to %',
                NEW.transfer_id, bad.unit, bad.total USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE CONSTRAINT TRIGGER ledger_entry_zero_sum AFTER INSERT ON ledger_entry
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_zero_sum()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_entry_zero_sum ON ledger_entry",
    "DROP FUNCTION IF EXISTS ledger_check_zero_sum()",
    "DROP TRIGGER IF EXISTS ledger_account_no_delete ON ledger_account",
    "DROP TRIGGER IF EXISTS ledger_transfer_append_only ON ledger_transfer",
    "DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry",
    "DROP FUNCTION IF EXISTS ledger_refuse_change()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"The ledger's triggers are written for SQLite and PostgreSQL, "
                f"not {schema_editor.connection.vendor}."
            )
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
