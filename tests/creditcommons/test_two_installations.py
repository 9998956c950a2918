"""Two Coproduce installations federate over Credit Commons on loopback: each its own `coproduce
serve` process and its own database (a SQLite file in its own data folder, or on PostgreSQL its
own database). Riverside (`trunk/riverside`) is grafted under Hillside (`trunk`); they pay both
ways; a replayed request and a wrong last-hash are refused; Hillside is stopped mid-payment and the
retry completes it exactly; then `coproduce ledger verify` holds on both and the positions mirror.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.slow

ADD_MEMBER = """
from coproduce.community.models import Membership, Person, TimeBank
from coproduce.ledger.accounts import member_account_get_or_open
bank = TimeBank.objects.get(slug={slug!r})
person = Person.objects.create_user(username={username!r}, first_name={username!r}.title())
Membership.objects.create(timebank=bank, person=person, role="member", status="active")
member_account_get_or_open(timebank=bank, person=person)
"""

BALANCES = """
from coproduce.ledger.models import Account
for account in Account.objects.order_by("pk"):
    name = account.person.username if account.person_id else account.name
    print(f"{name}={account.balance}")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Installation:
    slug: str
    folder: Path
    database_url: str | None
    port: int = field(default_factory=_free_port)
    server: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "COPRODUCE_DATA_DIR": str(self.folder)}
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    @property
    def cc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cc/{self.slug}"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "coproduce.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def ok(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def shell(self, code: str) -> str:
        return self.ok("manage", "shell", "-c", code)

    def balances(self) -> dict[str, int]:
        lines = self.shell(BALANCES).split("\n")
        return {k: int(v) for k, v in (line.split("=", 1) for line in lines if "=" in line)}

    def start(self) -> None:
        log = (self.folder / "serve.log").open("a")
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "coproduce.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except OSError:
                assert self.server.poll() is None, (self.folder / "serve.log").read_text()
                assert time.monotonic() < deadline, "the server did not answer /healthz"
                time.sleep(0.2)

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=30)
        self.server = None

    def status(self) -> str:
        return self.ok("creditcommons", "status", "--timebank", self.slug)

    def last_hash(self) -> str:
        return self.status().split("last hash: ")[1].split()[0]


def _migrated_pair(trunk: Installation, branch: Installation):
    """Migrate one database and copy it for the other (migrating takes most of the time): two
    SQLite files, or on PostgreSQL two new databases beside the test database. Returns the
    clean-up."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        trunk.ok("manage", "migrate", "--verbosity", "0")
        for name in os.listdir(trunk.folder):
            if name.endswith(".sqlite3"):
                shutil.copy(trunk.folder / name, branch.folder / name)
        return lambda: None
    import psycopg

    parts = urlsplit(url)
    names = [f"cc_{which}_{uuid.uuid4().hex[:8]}" for which in ("trunk", "branch")]
    admin = urlunsplit(parts._replace(path="/postgres"))
    trunk.database_url, branch.database_url = (
        urlunsplit(parts._replace(path=f"/{name}")) for name in names
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{names[0]}"')
    trunk.ok("manage", "migrate", "--verbosity", "0")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop


@pytest.fixture
def two(tmp_path: Path):
    trunk = Installation("hillside", tmp_path / "hillside", None)
    branch = Installation("riverside", tmp_path / "riverside", None)
    trunk.folder.mkdir()
    branch.folder.mkdir()
    drop = _migrated_pair(trunk, branch)
    try:
        for inst, member, coordinator in ((trunk, "henry", "harry"), (branch, "alice", "carol")):
            inst.ok(
                "timebank",
                "create",
                "--name",
                inst.slug.title(),
                "--slug",
                inst.slug,
                "--coordinator",
                f"{coordinator}@example.org",
            )
            inst.shell(ADD_MEMBER.format(slug=inst.slug, username=member))
        branch.ok(
            "creditcommons",
            "graft",
            "--timebank",
            "riverside",
            "--our-path",
            "trunk/riverside",
            "--peer-path",
            "trunk",
            "--peer-url",
            trunk.cc_url,
            "--last-hash",
            "agreed-0",
            "--limit",
            "10",
        )
        trunk.ok(
            "creditcommons",
            "graft",
            "--timebank",
            "hillside",
            "--our-path",
            "trunk",
            "--peer-path",
            "trunk/riverside",
            "--peer-url",
            branch.cc_url,
            "--last-hash",
            "agreed-0",
            "--leafward",
            "--limit",
            "10",
        )
        trunk.start()
        branch.start()
        yield trunk, branch
    finally:
        trunk.stop()
        branch.stop()
        drop()


def _post(inst: Installation, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{inst.cc_url}/transaction/relay",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_two_installations_federate_over_credit_commons(two):
    trunk, branch = two

    # Alice in Riverside pays Henry in Hillside 1.5 hours; Henry pays back half an hour.
    paid = branch.ok(
        "creditcommons",
        "pay",
        "--timebank",
        "riverside",
        "--from",
        "alice",
        "--to",
        "trunk/henry",
        "--hours",
        "1.5",
        "--description",
        "Gardening",
    )
    first_uuid = paid.split()[0]
    first_hash = "agreed-0"
    trunk.ok(
        "creditcommons",
        "pay",
        "--timebank",
        "hillside",
        "--from",
        "henry",
        "--to",
        "trunk/riverside/alice",
        "--hours",
        "0.5",
    )
    assert trunk.last_hash() == branch.last_hash() != first_hash

    # Alice's first payment replayed, as it was sent and with the current hash: refused.
    before = trunk.balances()
    replayed = {
        "uuid": first_uuid,
        "state": "C",
        "workflow": "_C-",
        "version": 1,
        "entries": [
            {
                "payer": "trunk/riverside/alice",
                "payee": "trunk/henry",
                "quant": 1.5,
                "description": "Gardening",
                "metadata": {},
            }
        ],
    }
    status, body = _post(trunk, replayed, {"cc-node": "riverside", "last-hash": first_hash})
    assert status == 401 and "does not match our records" in body["errors"][0]
    status, body = _post(trunk, replayed, {"cc-node": "riverside", "last-hash": trunk.last_hash()})
    assert status == 409 and "already received" in body["errors"][0]
    # A new transaction with a wrong last-hash: refused.
    wrong = {**replayed, "uuid": str(uuid.uuid4())}
    status, body = _post(trunk, wrong, {"cc-node": "riverside", "last-hash": "qwer"})
    assert (status, body) == (
        401,
        {"errors": ["The last-hash header 'qwer' does not match our records."]},
    )
    assert trunk.balances() == before

    # Hillside stops; Alice's next hour waits, held; Hillside comes back; the retry completes it.
    trunk.stop()
    waiting = branch.run(
        "creditcommons",
        "pay",
        "--timebank",
        "riverside",
        "--from",
        "alice",
        "--to",
        "trunk/henry",
        "--hours",
        "1",
    )
    assert waiting.returncode == 1 and "pending" in waiting.stdout, waiting
    assert "pending:" in branch.status()
    assert branch.balances()["alice"] == -90 - 60 + 30
    trunk.start()
    retried = branch.run("creditcommons", "retry", "--timebank", "riverside")
    assert retried.returncode == 0 and "completed" in retried.stdout, retried
    assert branch.ok("creditcommons", "retry", "--timebank", "riverside").strip() == (
        "nothing is pending"
    )

    # Both ledgers hold; the positions mirror; the chain agrees.
    for inst in (trunk, branch):
        assert "ledger ok" in inst.ok("ledger", "verify")
    ours, theirs = branch.balances(), trunk.balances()
    assert ours["alice"] == -120 and theirs["henry"] == 120
    assert ours["Credit Commons: trunk"] == 120
    assert theirs["Credit Commons: trunk/riverside"] == -120
    assert ours["Credit Commons, sent and waiting: trunk"] == 0
    assert trunk.last_hash() == branch.last_hash()
