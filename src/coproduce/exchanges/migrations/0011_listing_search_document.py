"""PostgreSQL: each listing's weighted search document stored in the row, not recomputed.

0003 indexed the document as an expression, so finding the matches was an index read, but
ranking them (`ts_rank`) recomputed the four `to_tsvector` calls for every match: for a common
word at 10,000 members ("garden", ~1,800 active offers) that was ~20 ms of the search's 32 ms
query, and most of the page's database time. The document is now a stored generated column,
`search_document`, kept by PostgreSQL itself on every insert and update (nothing in the app
writes it), with the GIN index on the column instead of the expression. `search._StoredDocument`
reads it; the expression below is 0003's (what `search._pg_vector()` compiled to), so that what
matches and how it ranks do not change.

A later migration that changes the type of title, tags, description or category on PostgreSQL
must drop this column first and add it again (PostgreSQL refuses to alter a column a generated
column uses). SQLite is untouched: its FTS5 tables (0003) already hold the document.
"""

from django.db import migrations

# ruff: noqa: S608 - the SQL below is built from fixed table and column names, never from input.

# 0003's index expression, word for word.
PG_DOCUMENT = (
    "(((setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(tags, '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'C'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(category, '')), 'D'))"
)

TABLES = ("exchanges_offer", "exchanges_request")

UP = [
    sql
    for table in TABLES
    for sql in (
        f"ALTER TABLE {table} ADD COLUMN search_document tsvector"
        f" GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED",
        f"CREATE INDEX {table}_search_document ON {table} USING GIN (search_document)",
        f"DROP INDEX IF EXISTS {table}_search",
    )
]
DOWN = [
    sql
    for table in TABLES
    for sql in (
        f"CREATE INDEX {table}_search ON {table} USING GIN (({PG_DOCUMENT}))",
        f"ALTER TABLE {table} DROP COLUMN search_document",
    )
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0010_person_activity")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
