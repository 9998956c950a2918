"""`make run` in a fresh copy of the project creates its own virtualenv, builds the demo and serves
/healthz from the real gunicorn server — the first of the README's two commands, end to end."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ON_POSTGRES, reason="make run uses SQLite; the SQLite run covers it"),
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_copy(destination: Path) -> None:
    """The files a fresh clone would have: what git tracks plus new files it does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def test_make_run_in_a_fresh_clone_serves_healthz(tmp_path: Path):
    clone = tmp_path / "coproduce"
    _fresh_copy(clone)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "COPRODUCE_"))}
    env["COPRODUCE_DEMO_MEMBERS"] = "30"
    log = (tmp_path / "make-run.log").open("w")
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                time.sleep(1)
        output = (tmp_path / "make-run.log").read_text()
        assert body == {"status": "ok", "database": "ok"}, output[-3000:]
        assert f"http://127.0.0.1:{port}/" in output
        assert "carol" in output and "coproduce-demo" in output
        assert (clone / "var" / "coproduce.sqlite3").exists()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
