"""The referral report as JSON, as on /referrals/report/: for one organisation (or, for a
coordinator, all of them together) the referrals by month and where they are now, the median
days from referral to first exchange, wellbeing (SWEMWBS) before and after, and how goals went
at review. Figures only: no referred person is named.

Who reads it, and about which organisation, is `partners.referral_report.referral_report_for`,
which the page uses too: the time bank's coordinators (any organisation, or all), and staff who
may refer (one of their organisations, the first by name unless they choose). Anyone else, or an
organisation they may not choose, is a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field as F
from ninja import Query, Router, Schema

from coproduce.api.auth import caller
from coproduce.api.schemas import responses
from coproduce.partners.models import GoalProgress, ReferralStatus
from coproduce.partners.referral_report import referral_report_for

# Beside the referrals' own operations, under the same tag.
router = Router(tags=["referrals"])


class ReferralReportQuery(Schema):
    organisation: UUID | None = F(
        None,
        description="One organisation's public id. Left out: all of them (coordinators), or the "
        "first you refer for.",
    )


class OrganisationChoiceOut(Schema):
    public_id: UUID
    name: str


class MeasureOut(Schema):
    mean: float | None = F(description="The average metric score (7 to 35); null with no one.")
    n: int = F(description="How many people.")


class WellbeingOut(Schema):
    before: MeasureOut = F(description="At the start.")
    after: MeasureOut = F(description="At review.")
    change: MeasureOut = F(description="Review minus start, for people measured both times.")


class SummaryOut(Schema):
    referrals: int
    by_status: dict[ReferralStatus, int] = F(description="Where they are now.")
    median_days_to_first_exchange: float | None
    first_exchange_n: int = F(description="The people behind that median.")
    wellbeing: WellbeingOut


class MonthOut(Schema):
    month: str = F(description='The month received, as "YYYY-MM".')
    by_status: dict[ReferralStatus, int]
    total: int


class GoalOut(Schema):
    goal: str = F(description='A goal\'s code, or "other" for their own goal.')
    label: str
    by_progress: dict[GoalProgress, int] = F(description="How it went at review.")
    n: int = F(description="How many people.")


class ReferralReportOut(Schema):
    organisation: OrganisationChoiceOut | None = F(
        description="The organisation it is about; null for all of them."
    )
    organisations: list[OrganisationChoiceOut] = F(description="Those you may choose between.")
    summary: SummaryOut
    months: list[MonthOut] = F(description="Newest first.")
    goals: list[GoalOut]


def _measure(figures: dict[str, Any]) -> MeasureOut:
    return MeasureOut(mean=figures["mean"], n=figures["n"])


def _choice(organisation: Any) -> OrganisationChoiceOut:
    return OrganisationChoiceOut(public_id=organisation.public_id, name=organisation.name)


@router.get(
    "/referrals/report",
    response=responses({200: ReferralReportOut}, 404, 422),
    summary="The referral report: figures for one organisation's referrals, or all of them",
)
def referral_report(request: HttpRequest, query: Query[ReferralReportQuery]) -> ReferralReportOut:
    who = caller(request)
    found = referral_report_for(
        person=who.person,
        timebank=who.timebank,
        organisation=str(query.organisation) if query.organisation else "",
    )
    report, summary = found.report, found.report["summary"]
    swemwbs = summary["swemwbs"]
    return ReferralReportOut(
        organisation=_choice(found.chosen) if found.chosen is not None else None,
        organisations=[_choice(o) for o in found.organisations],
        summary=SummaryOut(
            referrals=summary["referrals"],
            by_status=summary["by_stage"],
            median_days_to_first_exchange=summary["median_days_to_first_exchange"],
            first_exchange_n=summary["first_exchange_n"],
            wellbeing=WellbeingOut(
                before=_measure(swemwbs["before"]),
                after=_measure(swemwbs["after"]),
                change=_measure(swemwbs["change"]),
            ),
        ),
        months=[
            MonthOut(
                month=row["month"].strftime("%Y-%m"),
                by_status=dict(zip(ReferralStatus, row["counts"], strict=True)),
                total=row["total"],
            )
            for row in report["months"]
        ],
        goals=[
            GoalOut(
                goal=row["goal"],
                label=str(row["label"]),
                by_progress=dict(zip(GoalProgress, row["counts"], strict=True)),
                n=row["n"],
            )
            for row in report["goals"]
        ],
    )
