"""A whole time bank moves house: a small demo community is exported from one installation and
imported into a fresh one (its own data folder, or its own PostgreSQL database), and everything a
coordinator or a funder would look at comes out the same — every account's balance, the exchanges
by state, the listings, the funder report, a member's statement — with the ledger verified. A
changed file, a bad cell, a dry run and a second import write nothing. Run as an operator would:
the `coproduce` command in its own process, as tests/cli/test_backup.py does."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.cli.test_backup import _env, coproduce
from tests.conftest import ON_POSTGRES

FINGERPRINT = """
import json
from collections import Counter
from datetime import date
from coproduce.community.models import TimeBank
from coproduce.exchanges.models import Exchange, Offer, Request
from coproduce.insights.period import ReportPeriod
from coproduce.insights.report import report_build
from coproduce.insights.tables import FUNDER, report_csv
from coproduce.ledger.models import Account
from coproduce.ledger.statements import statement_for, statement_rows
tb = TimeBank.objects.filter(slug="riverside").first()
if tb is None:
    print(json.dumps(None))
else:
    alice = Account.objects.get(timebank=tb, person__username="alice", kind="member")
    statement = statement_for(account=alice)
    print(json.dumps({
        "balances": sorted(
            (str(p), b)
            for p, b in Account.objects.filter(timebank=tb).values_list("public_id", "balance")
        ),
        "exchanges": sorted(Counter(
            Exchange.objects.filter(timebank=tb).values_list("status", flat=True)).items()),
        "listings": sorted(
            (str(p), t, s, c.isoformat())
            for model in (Offer, Request)
            for p, t, s, c in model.objects.filter(timebank=tb).values_list(
                "public_id", "title", "status", "created_at")
        ),
        "report": report_csv(report_build(
            timebank=tb, period=ReportPeriod(date(2020, 1, 1), date.today())), FUNDER),
        "statement": [statement.opening, statement.closing] + [
            [r.occurred_at.isoformat(), r.kind, r.description, r.other_party, r.minutes_in,
             r.minutes_out, r.balance]
            for r in statement_rows(statement)
        ],
    }, sort_keys=True))
"""


def fingerprint(env: dict[str, str]) -> dict | None:
    done = coproduce(env, "manage", "shell", "-c", FINGERPRINT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def rewrite(source: Path, target: Path, name: str, change, *, fix_checksum: bool) -> None:
    """A copy of the export with one file changed (and its checksum fixed, or not)."""
    with zipfile.ZipFile(source) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files[name] = change(files[name].decode()).encode()
    if fix_checksum:
        manifest = json.loads(files["manifest.json"])
        manifest["files"][name]["sha256"] = hashlib.sha256(files[name]).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for n, data in files.items():
            archive.writestr(n, data)


# What years of a real bank bring: carol reverses a mistake, then hands over and stays a member;
# alice's lowest balance is raised after she went below it.
LATER = """
from coproduce.community.models import Membership, TimeBank
from coproduce.ledger.models import Account, Transfer
from coproduce.ledger.services import transfer_reverse
tb = TimeBank.objects.get(slug="riverside")
carol = Membership.objects.get(timebank=tb, person__username="carol")
transfer_reverse(transfer=Transfer.objects.filter(timebank=tb, kind="exchange").first(),
                 acting=carol.person, reason="Logged twice by mistake")
Membership.objects.filter(pk=carol.pk).update(role="member")
Account.objects.filter(timebank=tb, person__username="alice").update(min_balance=60)
"""


def _move(source: dict[str, str], target: dict[str, str], folder: Path) -> None:
    assert coproduce(source, "manage", "migrate", "-v0").returncode == 0
    built = coproduce(source, "demo", "--members", "12", "--months", "2", "--seed", "4", "--quiet")
    assert built.returncode == 0, built.stderr
    later = coproduce(source, "manage", "shell", "-c", LATER)
    assert later.returncode == 0, later.stderr
    before = fingerprint(source)
    zip_path = folder / "riverside.zip"
    made = coproduce(
        source, "export", "timebank", "--timebank", "riverside", "--output", str(zip_path)
    )
    assert made.returncode == 0, made.stderr
    assert "files of riverside" in made.stdout

    assert coproduce(target, "manage", "migrate", "-v0").returncode == 0
    # A changed file: named, nothing written.
    tampered = folder / "tampered.zip"
    rewrite(zip_path, tampered, "offers.csv", lambda t: t.replace("a", "b", 1), fix_checksum=False)
    refused = coproduce(target, "import", "timebank", str(tampered))
    assert refused.returncode == 1
    assert "offers.csv: its checksum differs from the manifest's" in refused.stderr
    # A bad cell, even with the checksum made to match: file, line and column.
    bad = folder / "bad.zip"
    rewrite(
        zip_path,
        bad,
        "people.csv",
        lambda t: t.replace("alice@riverside.example.org", "not an address"),
        fix_checksum=True,
    )
    refused = coproduce(target, "import", "timebank", str(bad))
    assert refused.returncode == 1
    assert "people.csv, line 3, column email: Enter a valid email address." in refused.stderr
    assert "nothing was imported" in refused.stderr
    # A dry run tries everything and keeps nothing.
    dry = coproduce(target, "import", "timebank", "--dry-run", str(zip_path))
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing was written" in dry.stdout
    assert fingerprint(target) is None

    moved = coproduce(target, "import", "timebank", str(zip_path))
    assert moved.returncode == 0, moved.stderr
    assert "every balance equals the export's" in moved.stdout
    assert fingerprint(target) == before
    verified = coproduce(target, "ledger", "verify")
    assert verified.returncode == 0, verified.stdout

    again = coproduce(target, "import", "timebank", str(zip_path))
    assert again.returncode == 2
    assert "a time bank with the slug riverside is already here" in again.stderr


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite move runs in the SQLite suite")
def test_the_demo_moves_to_a_fresh_sqlite_installation_unchanged(tmp_path):
    _move(_env(tmp_path / "old", None), _env(tmp_path / "new", None), tmp_path)


@pytest.mark.postgres
def test_the_demo_moves_to_a_fresh_postgresql_database_unchanged(tmp_path):
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    admin = urlunparse(url._replace(path="/postgres"))
    names = [f"coproduce_move_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        old, new = (
            _env(tmp_path / name, urlunparse(url._replace(path=f"/{name}"))) for name in names
        )
        _move(old, new, tmp_path)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
