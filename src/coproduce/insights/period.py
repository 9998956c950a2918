"""The period an insights report covers: whole dates, both ends included (a coordinator asks for
"1 April to 31 March"), with the instants and months the report's queries need. Its own module so
the report (`selectors`) and the referral outcomes (`outcomes`) share it without importing each
other. Not the ledger's `StatementSpan`, which is instants with the end excluded."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.core.errors import ApplicationError

MAX_PERIOD_DAYS = 366 * 10


@dataclass(frozen=True)
class ReportPeriod:
    """The dates a report covers, both ends included, in the installation's time zone."""

    start: date
    end: date  # inclusive

    @classmethod
    def checked(cls, start: date, end: date) -> ReportPeriod:
        if start > end:
            raise ApplicationError(
                _("The start date is after the end date: choose a start on or before the end."),
                "bad_period",
            )
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ApplicationError(_("Choose a period of at most ten years."), "period_too_long")
        return cls(start, end)

    @classmethod
    def default(cls, today: date | None = None) -> ReportPeriod:
        """The last twelve whole months and this month so far."""
        today = today or timezone.localdate()
        start = date(today.year - 1, today.month, 1)
        return cls(start, today)

    @cached_property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @cached_property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.tz)

    @cached_property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.tz)

    def month_bounds(self) -> list[tuple[date, datetime, datetime]]:
        """Each month of the period with the instants its part of the period starts and ends."""
        months = self.months()
        bounds = []
        for i, m in enumerate(months):
            lower = self.starts_at if i == 0 else datetime.combine(m, time.min, tzinfo=self.tz)
            upper = (
                datetime.combine(months[i + 1], time.min, tzinfo=self.tz)
                if i + 1 < len(months)
                else self.ends_before
            )
            bounds.append((m, lower, upper))
        return bounds

    @property
    def as_of(self) -> datetime:
        """When isolation is judged: the end of the period, or now if that is still to come."""
        return min(self.ends_before, timezone.now())

    def months(self) -> list[date]:
        months = []
        current = date(self.start.year, self.start.month, 1)
        while current <= self.end:
            months.append(current)
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        return months


# --- The report's parts ----------------------------------------------------------------------
