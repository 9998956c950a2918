"""Referral outcomes for the insights report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coproduce.community.models import TimeBank
    from coproduce.insights.selectors import Period


def outcomes_for(timebank: TimeBank, period: Period) -> dict[str, Any] | None:
    """Referral outcomes: stages, time to first exchange, wellbeing before and after.

    Referrals (issue 4) are not recorded yet, so there is nothing to report: this returns None
    and every page says so. When `partners.Referral` lands, compute its figures here (each with
    the number of people behind it) and return them as a dict.
    """
    return None
