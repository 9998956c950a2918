"""`coproduce export timebank`: the whole time bank as one ZIP of CSV files and a manifest.

Each file is written from one query of its table, ordered by id; the manifest records the format,
the bank, when, whether sensitive notes are in it, and each file's rows and SHA-256, so an import
can tell a damaged or edited file. People are everyone with a membership of the bank and anyone
else a row names (who posted a transfer, say), with their profile but never a password.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
import zipfile
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from coproduce.community.models import TimeBank
from coproduce.portability.timebank.cells import encode
from coproduce.portability.timebank.tables import FORMAT, MANIFEST, TABLES, VERSION, Table


def _rows(table: Table, scope: Q) -> list[list[str]]:
    fields = table.fields()
    names = [f.attname for f in fields]
    out = []
    queryset = table.model._default_manager.filter(scope).order_by("pk").distinct()
    for values in queryset.values_list(*names).iterator(chunk_size=2000):
        out.append([encode(f, value) for f, value in zip(fields, values, strict=True)])
    return out


def _blank_sensitive(table: Table, rows: list[list[str]]) -> None:
    columns = table.columns()
    for name in table.sensitive:
        index = columns.index(name)
        for row in rows:
            row[index] = ""


def _csv(columns: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def timebank_export_write(
    *, timebank: TimeBank, handle: IO[bytes], include_sensitive: bool = False
) -> dict[str, Any]:
    """Write the ZIP to `handle` (a binary file open for writing) and return its manifest."""
    person_model = get_user_model()
    tables: dict[str, list[list[str]]] = {}
    people: set[int] = set()
    for table in TABLES:
        if table.name == "people":
            continue
        rows = _rows(table, table.scope(timebank.pk))
        if not include_sensitive:
            _blank_sensitive(table, rows)
        tables[table.name] = rows
        columns = table.columns()
        for f in table.fields():
            if f.is_relation and f.related_model is person_model:
                index = columns.index(f.name)
                people.update(int(row[index]) for row in rows if row[index])
    people_table = next(t for t in TABLES if t.name == "people")
    tables["people"] = _rows(people_table, people_table.scope(timebank.pk) | Q(pk__in=people))
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "timebank": {
            "slug": timebank.slug,
            "name": timebank.name,
            "public_id": str(timebank.public_id),
        },
        "exported_at": timezone.now().isoformat(),
        "include_sensitive": include_sensitive,
        "files": {},
    }
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            data = _csv(table.columns(), tables[table.name])
            archive.writestr(table.file, data)
            manifest["files"][table.file] = {
                "rows": len(tables[table.name]),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest


def timebank_export(*, timebank: TimeBank, path: str, include_sensitive: bool = False) -> dict:
    """Write the ZIP to `path` through a temporary file beside it, renamed into place at the
    end, so a failed export never leaves half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".zip")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            manifest = timebank_export_write(
                timebank=timebank, handle=handle, include_sensitive=include_sensitive
            )
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return manifest
