"""Throwaway PostgreSQL clusters on loopback for the operations tests and the fault rehearsals
(scripts/faults): a primary, a streaming standby made with `pg_basebackup -R`, stopped gently or
`-m immediate`. Debian's binaries under /usr/lib/postgresql/*/bin; run as the current user, or as
`postgres` when that is root (initdb refuses root), in a folder of their own under /tmp.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    return Path(found[-1]) if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def workdir(prefix: str) -> Path:
    """A folder under /tmp the cluster's user may write (removed by `remove`)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


@dataclass
class Cluster:
    dir: Path
    port: int

    @property
    def bin(self) -> Path:
        found = pg_bin()
        assert found is not None, "PostgreSQL is not installed"
        return found

    def run(self, tool: str, *args: str, check: bool = True, timeout: float = 120) -> str:
        result = subprocess.run(
            _as_owner([str(self.bin / tool), *args]),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=tempfile.gettempdir(),  # a folder the cluster's user may enter
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def url(self, database: str = "coproduce") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> Cluster:
        self.run("initdb", "-D", str(self.dir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8")  # fmt: skip
        return self

    def start(self) -> Cluster:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=50 "
            "-c wal_level=replica -c max_wal_senders=4 -c hot_standby=on "
            "-c wal_receiver_status_interval=1s"
        )
        self.run("pg_ctl", "-D", str(self.dir), "-l", str(self.dir / "server.log"), "-w",
                 "-t", "60", "-o", options, "start")  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.dir), "-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        return (
            subprocess.run(
                _as_owner([str(self.bin / "pg_ctl"), "-D", str(self.dir), "status"]),
                capture_output=True,
                check=False,
                cwd=tempfile.gettempdir(),  # a folder the cluster's user may enter
            ).returncode
            == 0
        )

    def sql(self, query: str, database: str = "coproduce") -> str:
        return self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "-d", database, "-tAc", query).strip()  # fmt: skip

    def createdb(self, name: str = "coproduce") -> None:
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def standby(self, directory: Path, port: int) -> Cluster:
        """A streaming standby of this cluster (`pg_basebackup -R`), started."""
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                 "-D", str(directory), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        return Cluster(directory, port).start()

    def remove(self) -> None:
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def copy_schema(source_url: str, target: Cluster | str, database: str = "coproduce") -> None:
    """Load a migrated database (the test session's) into `target` (a cluster's database, or a
    URL): much faster than migrating from nothing. Owners and grants are left behind."""
    found = pg_bin()
    assert found is not None
    target_url = target.url(database) if isinstance(target, Cluster) else target
    dump = subprocess.run(
        [str(found / "pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    subprocess.run(
        [str(found / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", target_url],
        input=dump,
        capture_output=True,
        check=True,
        timeout=120,
    )


def settings_url(settings: dict, name: str | None = None) -> str:  # type: ignore[type-arg]
    """A postgres:// URL for a Django connection's settings (another database name if given)."""
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{user}@{settings['HOST']}:{settings['PORT']}/{name or settings['NAME']}"


def wait_for(predicate, timeout: float = 20.0, every: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
