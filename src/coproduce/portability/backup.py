"""The whole installation to one file and back: `coproduce backup FILE` and `coproduce restore
FILE` (issue 17).

A backup is a gzipped tar holding `manifest.json` (what it is, from which database, at which
migrations, with the SHA-256 of every member), the database (SQLite's online backup API, safe
while the app runs; `pg_dump --format=custom` for PostgreSQL), the uploaded files (`media/`,
when there are any) and the secret key (sessions, one-time links and signed unsubscribe links
stay valid), so it is as secret as the database itself. It is written to a temporary file beside
FILE and renamed into place, so a failed backup never leaves a half file under the right name.

A restore goes into a new, empty database (the one the settings name) unless `--force` replaces
what is there; a backup made by newer code than this (migrations this code does not know) is
refused; after restoring, migrations the backup lacks are applied and `ledger_verify` must hold.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3

# pg_dump and pg_restore, run with arguments we build and no shell.
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from coproduce.core.statistics import statistics_refresh

FORMAT = "coproduce-backup/1"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """Something an operator must fix, said in one line."""


@dataclass
class RestoreResult:
    vendor: str
    created_at: str
    migrated: int  # migrations applied after the restore
    ledger_ok: bool
    ledger_problems: list[str]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise BackupError("DATABASE_URL is not set, but the database is PostgreSQL")
    return url


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(  # nosec B603
            command, capture_output=True, text=True, check=False, timeout=3600
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)"
        ) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BackupError(f"{command[0]} failed: {last}")


def _applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _dump_database(folder: Path) -> tuple[str, Path]:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(f"backups of a {vendor} database are not supported")
    target = folder / DATABASE_MEMBER[vendor]
    if vendor == "sqlite":
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            # The online backup API: a consistent copy while the app keeps writing.
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _database_url()])
    return vendor, target


def backup_write(path: str) -> dict[str, Any]:
    """Write the installation's backup to `path` (which must not exist yet); returns its
    manifest."""
    destination = Path(path)
    if destination.exists():
        raise BackupError(f"{path} already exists: choose another name or remove it first")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent} is not a folder")
    with tempfile.TemporaryDirectory(prefix="coproduce-backup-") as work:
        folder = Path(work)
        vendor, database = _dump_database(folder)
        members: dict[str, Path] = {database.name: database}
        key = Path(settings.DATA_DIR) / "secret_key"
        if key.exists():
            members["secret_key"] = key
        media_root = Path(getattr(settings, "MEDIA_ROOT", "") or folder / "no-media")
        if media_root.is_dir():
            for file in sorted(media_root.rglob("*")):
                if file.is_file():
                    members[f"media/{file.relative_to(media_root).as_posix()}"] = file
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "migrations": _applied_migrations(),
            "files": {name: _sha256(file) for name, file in members.items()},
        }
        partial = destination.with_name(f".{destination.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                data = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                info.mtime = int(timezone.now().timestamp())
                archive.addfile(info, io.BytesIO(data))
                for name, file in members.items():
                    archive.add(file, arcname=name, recursive=False)
            os.chmod(partial, 0o600)
            os.replace(partial, destination)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _read_archive(path: str, folder: Path) -> dict[str, Any]:
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the `with` below
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    except (tarfile.TarError, OSError):
        raise BackupError(f"{path} is not a Coproduce backup (not a gzipped tar)") from None
    with archive:
        try:
            manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
        except (KeyError, ValueError, TypeError):
            raise BackupError(f"{path} is not a Coproduce backup (no manifest)") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path} is a backup in an unknown format: {manifest.get('format')}")
        for name in manifest["files"]:
            target = (folder / name).resolve()
            if folder.resolve() not in target.parents:
                raise BackupError(f"{path} names a file outside the backup: {name}")
            member = archive.getmember(name)
            if not member.isfile():
                raise BackupError(f"{path} holds {name} as something other than a file")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            if _sha256(target) != manifest["files"][name]:
                raise BackupError(f"{path} is damaged: {name} is not what was backed up")
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore_read(path: str, *, force: bool = False) -> RestoreResult:
    """Restore the backup at `path` into the database the settings name."""
    from django.core.management import call_command

    from coproduce.ledger.selectors import ledger_verify

    with tempfile.TemporaryDirectory(prefix="coproduce-restore-") as work:
        folder = Path(work)
        manifest = _read_archive(path, folder)
        vendor = manifest["database"]
        if vendor != connection.vendor:
            raise BackupError(
                f"{path} is a {vendor} backup; this installation uses {connection.vendor}"
            )
        known = {
            (app, name)
            for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
        }
        unknown = [
            f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known
        ]
        if unknown:
            raise BackupError(
                f"{path} was made by a newer Coproduce (it has {unknown[0]}"
                + (f" and {len(unknown) - 1} more" if len(unknown) > 1 else "")
                + "): upgrade this installation first"
            )
        if not force and not _database_is_empty():
            raise BackupError(
                "the database is not empty: restore into a new, empty database, "
                "or pass --force to replace everything in it"
            )
        database = folder / DATABASE_MEMBER[vendor]
        connections.close_all()
        if vendor == "sqlite":
            target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
            source = sqlite3.connect(str(database))
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        else:
            command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
            if force:
                command += ["--clean", "--if-exists"]
            _run([*command, f"--dbname={_database_url()}", str(database)])
        data_dir = Path(settings.DATA_DIR)
        if (folder / "secret_key").exists() and not os.environ.get("SECRET_KEY"):
            key = data_dir / "secret_key"
            shutil.copyfile(folder / "secret_key", key)
            os.chmod(key, 0o600)
        media = folder / "media"
        media_root = getattr(settings, "MEDIA_ROOT", "")
        if media.is_dir() and media_root:
            shutil.copytree(media, media_root, dirs_exist_ok=True)
        before = len(_applied_migrations())
        call_command("migrate", verbosity=0, interactive=False)
        migrated = len(_applied_migrations()) - before
        if vendor == "postgresql":
            # pg_restore writes every row anew and no statistics: until autovacuum comes by,
            # the planner guesses and every index-only scan reads the table too
            # (core.statistics). SQLite's copy keeps its statistics, and has no visibility map.
            statistics_refresh(vacuum=True)
        report = ledger_verify()
        return RestoreResult(
            vendor=vendor,
            created_at=manifest["created_at"],
            migrated=migrated,
            ledger_ok=report.ok,
            ledger_problems=[str(problem) for problem in getattr(report, "problems", [])][:10],
        )
