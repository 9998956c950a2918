"""`coproduce serve` serves what the database holds: an empty installation stays empty, and only
`--demo` (what `make run` uses) builds the demo community with its published password."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from coproduce.cli import build_parser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_on_an_empty_database_creates_nobody(tmp_path: Path):
    env = {**os.environ, "COPRODUCE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "coproduce.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "the server did not answer /healthz"
                time.sleep(0.3)
        # The home page is the first-run page: the commands that make a time bank, no demo.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as home:
            page = home.read().decode()
        assert "coproduce admin create" in page and "coproduce timebank create" in page
        assert "demo" not in page.lower()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    output = (tmp_path / "serve.log").read_text()
    assert "Building the demo" not in output
    assert "coproduce-demo" not in output
    database = sqlite3.connect(next(tmp_path.glob("*.sqlite3")))
    tables = ("community_timebank", "community_person", "ledger_account", "ledger_transfer")
    for table in tables:
        assert database.execute(f"select count(*) from {table}").fetchone() == (0,), table


def test_serve_builds_the_demo_only_when_asked():
    parser = build_parser()
    assert parser.parse_args(["serve"]).demo is False
    assert parser.parse_args(["serve", "--no-demo"]).demo is False
    assert parser.parse_args(["serve", "--demo"]).demo is True


def test_serve_refuses_demo_and_no_demo_together(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", "--demo", "--no-demo"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
