"""What the insights pages write: the record of a report taken away with names in it."""

from __future__ import annotations

from coproduce.community.models import Person
from coproduce.core.audit import audit_record
from coproduce.insights.selectors import Report
from coproduce.insights.tables import COORDINATOR


def report_export_record(*, report: Report, audience: str, what: str, actor: Person) -> None:
    """Exports with names leave the system (the coordinator's report, as a file or through the
    API): keep a record of who took which. The funder's report names no one: not recorded."""
    if audience == COORDINATOR:
        audit_record(
            action="insights.export",
            actor=actor,
            timebank_id=report.timebank.pk,
            target=what,
            data={"from": str(report.period.start), "to": str(report.period.end)},
        )
