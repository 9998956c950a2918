"""A whole time bank moves house: a small demo community, built once in an installation of its
own (the `coproduce` command in its own process, with its own SQLite data folder, as
tests/cli/test_backup.py does), is exported and imported into this suite's fresh database (SQLite
or PostgreSQL), and everything a coordinator or a funder would look at comes out the same —
every account's balance, the exchanges by state, the listings, the funder report, a member's
statement — with the ledger verified. A changed file, a bad cell, a dry run and a second import
write nothing."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from coproduce.community.models import Person, TimeBank
from coproduce.ledger.models import Transfer
from tests.cli.test_backup import _env, coproduce

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


def fingerprint_here() -> dict | None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(FINGERPRINT, {})  # noqa: S102 - the same few lines as in the old installation
    return json.loads(printed.getvalue())


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


@pytest.fixture(scope="module")
def moved_out(tmp_path_factory) -> tuple[Path, dict]:
    """The old installation's export of its demo bank, and what it showed before."""
    folder = tmp_path_factory.mktemp("old")
    source = _env(folder / "data", None)
    assert coproduce(source, "manage", "migrate", "-v0").returncode == 0
    built = coproduce(source, "demo", "--members", "12", "--months", "2", "--seed", "4", "--quiet")
    assert built.returncode == 0, built.stderr
    later = coproduce(source, "manage", "shell", "-c", LATER)
    assert later.returncode == 0, later.stderr
    before = fingerprint(source)
    assert before is not None
    zip_path = folder / "riverside.zip"
    made = coproduce(
        source, "export", "timebank", "--timebank", "riverside", "--output", str(zip_path)
    )
    assert made.returncode == 0, made.stderr
    assert "files of riverside" in made.stdout
    return zip_path, before


@pytest.mark.django_db
def test_the_demo_moves_to_a_fresh_installation_unchanged(moved_out, run):
    zip_path, before = moved_out
    dry = run("import", "timebank", "--dry-run", str(zip_path))
    assert dry.code == 0, dry.err
    assert "dry run: nothing was written" in dry.out
    assert (TimeBank.objects.count(), Person.objects.count(), Transfer.objects.count()) == (0, 0, 0)

    moved = run("import", "timebank", str(zip_path))
    assert moved.code == 0, moved.err
    assert "every balance equals the export's" in moved.out
    assert fingerprint_here() == before
    assert not Person.objects.get(username="alice").has_usable_password()
    verified = run("ledger", "verify")
    assert verified.code == 0, verified.out

    transfers = Transfer.objects.count()
    again = run("import", "timebank", str(zip_path))
    assert again.code == 2
    assert "a time bank with the slug riverside is already here" in again.err
    assert Transfer.objects.count() == transfers


@pytest.mark.django_db
def test_a_changed_file_or_a_bad_cell_is_named_and_nothing_is_written(moved_out, run, tmp_path):
    zip_path, _before = moved_out
    tampered = tmp_path / "tampered.zip"
    rewrite(zip_path, tampered, "offers.csv", lambda t: t.replace("a", "b", 1), fix_checksum=False)
    refused = run("import", "timebank", str(tampered))
    assert refused.code == 1
    assert "offers.csv: its checksum differs from the manifest's" in refused.err
    # A bad cell, even with the checksum made to match: file, line and column.
    bad = tmp_path / "bad.zip"
    rewrite(
        zip_path,
        bad,
        "people.csv",
        lambda t: t.replace("alice@riverside.example.org", "not an address"),
        fix_checksum=True,
    )
    refused = run("import", "timebank", str(bad))
    assert refused.code == 1
    assert "people.csv, line 3, column email: Enter a valid email address." in refused.err
    assert "nothing was imported" in refused.err
    assert (TimeBank.objects.count(), Person.objects.count()) == (0, 0)
