"""Who may open every page and call every API operation: each URL pattern of the production URL
conf and each operation of the OpenAPI document, asked as eleven roles, with GET and POST (an
operation with its own method), on the objects of the requester's own time bank and of another,
and of one partner organisation and another. The expected answers are the table in
`tests/permissions/matrix.md`; a refused POST must change nothing in the database.

Adding a page: run this file; the first test prints the new page's rows as the app answers
today, ready to paste into matrix.md once each cell has been read against docs/DESIGN.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.permissions.matrix import (
    FILL,
    REFUSED,
    ROLES,
    TABLE,
    Asker,
    api_targets,
    format_rows,
    read_table,
    rows_of,
    url_targets,
    variants_of,
)

# The world is built once for the module (conftest.py); the marker makes pytest-django set up
# the test database and wrap each test in a savepoint of the world's transaction.
pytestmark = pytest.mark.django_db
EXPECTED = read_table()


@pytest.fixture(scope="module")
def targets(world):
    return {t.key: t for t in url_targets() + api_targets()}


def _observed(asker: Asker, target, row) -> tuple[str, ...]:
    return (row.key, row.variant, row.method, *(asker.ask(target, row, r).code for r in ROLES))


def test_every_url_pattern_and_api_operation_has_its_rows(world, asker, targets):
    message = []
    unfilled = [t for t in targets.values() if not variants_of(t, world)]
    if unfilled:
        message.append(
            "Say in FILL (tests/permissions/matrix.py) which of the world's objects (world.py) "
            "fill the parameters of:\n"
            + "\n".join(f"  {t.key} ({t.route}): {', '.join(t.params)}" for t in unfilled)
        )
    wanted = {
        row.id: (t, row) for t in targets.values() if t not in unfilled for row in rows_of(t, world)
    }
    record = os.environ.get("MATRIX_RECORD")
    if record:
        # Writes every row as the app answers today, to compare with the table (never to copy
        # over it unread).
        rows = [_observed(asker, t, row) for t, row in (wanted[k] for k in sorted(wanted))]
        Path(record).write_text(format_rows(rows) + "\n")
    missing = [wanted[k] for k in sorted(wanted) if k not in EXPECTED]
    filling = {t.key for t in unfilled}
    stale = sorted(k for k in EXPECTED if k not in wanted and k[0] not in filling)
    if missing:
        message.append(
            f"{len(missing)} row(s) missing from {TABLE.name}. As the app answers today (read "
            "each cell against docs/DESIGN.md before pasting; a cell that lets a role reach what "
            "it must not is a bug to fix, not a row to paste):\n"
            + format_rows([_observed(asker, t, row) for t, row in missing], header=False)
        )
    if stale:
        message.append(
            f"{len(stale)} row(s) in {TABLE.name} for pages or operations that no longer exist "
            "(or objects FILL no longer names); delete them:\n"
            + "\n".join(" | ".join(k) for k in stale)
        )
    assert not message, "\n\n".join(message)


@pytest.mark.parametrize("key", sorted({key for key, _v, _m in EXPECTED}))
def test_each_role_gets_what_the_table_says(key, world, asker, targets):
    target = targets.get(key)
    if target is None:
        pytest.skip(f"{key} is no longer a page or operation (the first test says so)")
    failures, observed_rows, expected_rows = [], [], []
    for (k, variant, method), expected in sorted(EXPECTED.items()):
        if k != key:
            continue
        row = next((r for r in rows_of(target, world) if r.id == (k, variant, method)), None)
        if row is None:
            continue
        observed = []
        for role in ROLES:
            outcome = asker.ask(target, row, role)
            observed.append(outcome.code)
            if outcome.code != expected[role]:
                failures.append(
                    f"{method} {key} [{variant}] as {role}: table says {expected[role]}, "
                    f"got {outcome.code} {outcome.detail}".rstrip()
                )
            elif outcome.code in REFUSED and outcome.detail:
                failures.append(f"{method} {key} [{variant}] as {role}: {outcome.detail}")
        observed_rows.append((k, variant, method, *observed))
        expected_rows.append((k, variant, method, *(expected[r] for r in ROLES)))
    assert not failures, (
        "\n".join(failures)
        + "\n\nthe table:\n"
        + format_rows(expected_rows)
        + "\n\nwhat the app does:\n"
        + format_rows(observed_rows)
    )


def test_every_filler_names_a_real_page_or_operation(targets):
    assert not sorted(set(FILL) - set(targets)), "FILL names pages that no longer exist"


def test_a_refused_post_that_writes_is_caught(asker, settings):
    """The matrix's own check: a page that writes and then says 404 is reported, on either
    database, and what it wrote is rolled back."""
    from coproduce.core.models import AuditEvent
    from tests.permissions.matrix import Row, Target

    settings.ROOT_URLCONF = "tests.permissions.urls_refusing_writer"
    target = Target("writes-then-refuses/", "writes-then-refuses/", ())
    outcome = asker.ask(target, Row(target.key, "-", "POST"), "member")
    assert outcome.code == "404!changed"
    assert "core_auditevent" in outcome.detail
    assert not AuditEvent.objects.filter(action="matrix.self_test").exists()
