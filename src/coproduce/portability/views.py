"""The coordinator's downloads: the same exports as `coproduce export …`, from the web. Each
download is audited (who took which file of the bank, when); the page is for the current time
bank's coordinators only, a 404 for everyone else."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from coproduce.community.selectors import coordinator_membership_for
from coproduce.core.audit import audit_record
from coproduce.core.db_router import replica_iter, replica_reads
from coproduce.core.requests import current_person, current_timebank
from coproduce.portability.files import Export, csv_cells
from coproduce.portability.members import members_export
from coproduce.portability.timebank.export import timebank_export_write
from coproduce.portability.transfers import transfers_export
from coproduce.portability.valueflows import valueflows_export

EXPORTS = {"members": members_export, "transfers": transfers_export}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@require_safe
@never_cache
@login_required
def exports(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    coordinator_membership_for(current_person(request), timebank)
    return render(request, "portability/exports.html", {"timebank": timebank})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(export: Export) -> Iterator[str]:
    """The export as CSV, row by row (constant memory, however big the bank), with text cells
    made safe for spreadsheets as the command makes them."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(export.columns)
    for cells in csv_cells(export):
        yield writer.writerow(cells)


def _json(export: Export) -> Iterator[str]:
    yield "["
    first = True
    for row in export.rows:
        yield ("\n" if first else ",\n") + json.dumps(
            dict(zip(export.columns, row, strict=True)), ensure_ascii=False
        )
        first = False
    yield "\n]\n"


@require_safe
@never_cache
@login_required
@replica_reads()
def download(request: HttpRequest, what: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    timebank = current_timebank(request)
    person = current_person(request)
    coordinator_membership_for(person, timebank)
    details: dict[str, object] = {"export": what, "format": fmt}
    if what == "timebank" and fmt == "zip":
        # The whole bank, as `coproduce export timebank` writes it; support notes only when
        # asked (every coordinator may read them). Built in a temporary file, never in memory.
        sensitive = request.GET.get("sensitive") == "1"
        details["include_sensitive"] = sensitive
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        timebank_export_write(timebank=timebank, handle=handle, include_sensitive=sensitive)
        handle.seek(0)
        response: HttpResponse | StreamingHttpResponse = FileResponse(
            handle, content_type="application/zip"
        )
    elif what == "valueflows" and fmt == "jsonld":
        document = json.dumps(valueflows_export(timebank=timebank), ensure_ascii=False, indent=1)
        response = HttpResponse(document, content_type="application/ld+json")
    elif what in EXPORTS and fmt in CONTENT_TYPES:
        export = EXPORTS[what](timebank=timebank)
        pieces = _csv(export) if fmt == "csv" else _json(export)
        # The rows are read as the response is sent, after the view has returned.
        response = StreamingHttpResponse(replica_iter(pieces), content_type=CONTENT_TYPES[fmt])
    else:
        raise Http404
    audit_record(
        action="export.downloaded",
        actor=person,
        timebank_id=timebank.pk,
        target=f"timebank:{timebank.public_id}",
        data=details,
    )
    filename = f"{timebank.slug}-{what}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
